"""After T+60 a standalone user's email, names and files appear nowhere (SPEC §8.4): every
column of every table (through the database's introspection) and the storage folder."""

from pathlib import Path

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Contact, Invitation, User, UserSession
from accounts.security.services import password_reset_request
from bubbles import services as bubbles
from bubbles.models import BubbleMember
from core.services import email_send
from retention.models import AccountClosure, DataExport
from retention.selectors import data_export_chunks
from retention.services import account_close
from retention.services.exports import data_export_request
from tests.factories import PASSWORD, UserFactory, api_token

from .conftest import days

pytestmark = pytest.mark.django_db(transaction=True)

TERMS = ["zebulon.quaxley@example.test", "Zebulon", "Quaxley", "Chief Tinkerer"]


def scan_database(terms):
    found = []
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        for table in tables:
            columns = [
                c.name for c in connection.introspection.get_table_description(cursor, table)
            ]
            for column in columns:
                qt, qc = connection.ops.quote_name(table), connection.ops.quote_name(column)
                for term in terms:
                    cursor.execute(
                        f"SELECT COUNT(*) FROM {qt} WHERE LOWER(CAST({qc} AS TEXT)) LIKE %s",
                        [f"%{term.lower()}%"],
                    )
                    if cursor.fetchone()[0]:
                        found.append(f"{table}.{column} ~ {term}")
    return found


def scan_folder(folder: Path, terms):
    import zipfile

    found = []
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        blobs = [path.read_bytes()]
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                blobs += [archive.read(n) for n in archive.namelist()]
        for blob in blobs:
            for term in terms:
                if term.lower().encode() in blob.lower():
                    found.append(f"{path} ~ {term}")
    return found


def test_after_t60_a_standalone_user_is_nowhere(
    standalone, client, settings, tmp_path, run, clamd, vault_storage
):
    settings.MEDIA_ROOT = tmp_path / "media"
    friend = UserFactory(company=standalone.company, first_name="Ada", last_name="Lovelace")
    # Bubbles: a membership, a message, a file named after the user.
    room = bubbles.bubble_create(name="Book club", actor=friend)
    bubbles.bubble_member_add(bubble=room, user=standalone, actor=friend)
    bubbles.bubble_invitation_accept(bubble=room, actor=standalone)
    member = BubbleMember.objects.select_related("bubble", "user").get(bubble=room, user=standalone)
    bubbles.message_post(member=member, body="Zebulon Quaxley says hi", actor=standalone)
    bubbles.bubble_file_upload(
        member=member,
        upload=SimpleUploadedFile("zebulon-quaxley.txt", b"notes", content_type="text/plain"),
        actor=standalone,
    )
    # Traces of every kind: sessions, a token, a device, contacts, invitations, emails to the
    # user and to others quoting them, an admin log entry, a reset code, a data export file.
    client.login(email=standalone.email, password=PASSWORD)
    from django.contrib.sessions.models import Session

    UserSession.objects.create(
        user=standalone,
        session_key=Session.objects.first().session_key,
        last_seen=standalone.date_joined,
        user_agent="Zebulon's laptop",
    )
    api_token(standalone)
    TOTPDevice.objects.create(user=standalone, name="Zebulon's phone", confirmed=True)
    Contact.objects.create(owner=standalone, contact=friend)
    Contact.objects.create(owner=friend, contact=standalone)
    Invitation.objects.create(
        inviter=friend, kind="email", email=standalone.email, last_sent_at=standalone.date_joined
    )
    email_send(
        to="ada@example.test",
        template="notice",
        context={
            "subject": "Zebulon Quaxley invited you",
            "heading": "Hello",
            "text": "Zebulon Quaxley (zebulon.quaxley@example.test) wants you in their network.",
            "link": "",
        },
    )
    LogEntry.objects.create(
        user_id=friend.pk,
        content_type_id=ContentType.objects.get_for_model(User).pk,
        object_id=str(standalone.pk),
        object_repr=str(standalone),
        action_flag=CHANGE,
        change_message="Changed Zebulon Quaxley",
    )
    password_reset_request(email=standalone.email)
    data_export_request(user=standalone, actor=standalone)  # eager task: the zip is written
    export = DataExport.objects.get(user=standalone)
    assert not scan_folder(settings.MEDIA_ROOT, TERMS), "the export is stored sealed"
    opened = settings.MEDIA_ROOT / "opened-export.zip"  # what its owner would download
    opened.write_bytes(b"".join(data_export_chunks(export=export)))
    assert scan_folder(settings.MEDIA_ROOT, TERMS), "the export must hold the data first"
    opened.unlink()
    assert scan_database(TERMS)

    operator = UserFactory(is_superuser=True, is_staff=True)
    closure = account_close(user=standalone, actor=operator)
    run(closure.closed_at + days(30))
    run(closure.closed_at + days(60))

    assert not User.objects.filter(pk=standalone.pk).exists()
    assert AccountClosure.objects.get(pk=closure.pk).stage == "deleted"
    assert scan_database(TERMS) == []
    assert scan_folder(settings.MEDIA_ROOT, TERMS) == []
    assert not (settings.MEDIA_ROOT / export.storage_name).exists()  # the sealed export too
    assert scan_folder(vault_storage, TERMS) == []
    assert [p for p in vault_storage.rglob("*") if p.is_file()] == []  # the file's blob too
    # The friend is untouched.
    assert User.objects.get(pk=friend.pk).first_name == "Ada"
