"""Messages (SPEC §6.6, §9.1) and files (SPEC §9.2, §9.4) through the vault."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from bubbles import selectors, services
from bubbles.models import BubbleFile, ConversationExport, Message
from bubbles.tasks import conversation_email
from companies.membership.services import company_file_sharing_set, member_file_sharing_set
from core.models import OutboundEmail
from rainbow_portal.exceptions import ApplicationError
from vault import DecryptionError

from .conftest import EICAR, membership

pytestmark = pytest.mark.django_db


def post(bubble, user, body):
    return services.message_post(member=membership(bubble, user), body=body, actor=user)


def test_a_posted_body_is_sealed_in_the_database(bubble, people):
    message = post(bubble, people["member"], "the launch date is secret")
    with connection.cursor() as cursor:
        cursor.execute("SELECT body_sealed FROM bubbles_message WHERE id = %s", [message.pk.hex])
        row = cursor.fetchone()
        if row is None:  # PostgreSQL stores UUIDs natively
            cursor.execute("SELECT body_sealed FROM bubbles_message WHERE id = %s", [message.pk])
            row = cursor.fetchone()
    raw = bytes(row[0])
    assert b"launch date" not in raw and b"secret" not in raw
    page, _ = selectors.message_page(bubble=bubble)
    assert page[0].body == "the launch date is secret"


def test_a_body_moved_to_another_row_does_not_open(bubble, people):
    a = post(bubble, people["member"], "first")
    b = post(bubble, people["member"], "second")
    Message.objects.filter(pk=b.pk).update(
        body_sealed=bytes(Message.objects.get(pk=a.pk).body_sealed)
    )
    from bubbles.sealing import open_body

    with pytest.raises(DecryptionError):
        open_body(message=Message.objects.select_related("bubble").get(pk=b.pk))
    page, _ = selectors.message_page(bubble=bubble)
    assert [m.body for m in page] == [selectors.UNREADABLE, "first"]


@pytest.mark.parametrize("body", ["", "   ", "x" * 10_001])
def test_bad_bodies_are_refused(bubble, people, body):
    with pytest.raises(ApplicationError):
        post(bubble, people["member"], body)
    assert not Message.objects.exists()


def test_an_invited_member_cannot_post_until_they_accept(bubble, people):
    invited = services.bubble_member_add(
        bubble=bubble, user=people["outsider"], actor=people["organizer"]
    )
    with pytest.raises(PermissionDenied):
        services.message_post(member=invited, body="hi", actor=people["outsider"])


def _bulk(bubble, author, n):
    start = timezone.now() - timedelta(days=1)
    for i in range(n):
        m = services.message_post(member=author, body=f"message {i}", actor=None)
        Message.objects.filter(pk=m.pk).update(created_at=start + timedelta(seconds=i))


def test_keyset_pages_walk_every_message_once(bubble, people):
    author = membership(bubble, people["member"])
    _bulk(bubble, author, 7)
    seen, cursor = [], ""
    while True:
        page, cursor = selectors.message_page(bubble=bubble, before=cursor, limit=3)
        seen += [m.body for m in page]
        if not cursor:
            break
    assert seen == [f"message {i}" for i in reversed(range(7))]


def test_a_forged_cursor_is_a_clear_error(bubble):
    with pytest.raises(ApplicationError, match="not valid"):
        selectors.message_page(bubble=bubble, before="!!!garbage")


@pytest.mark.parametrize("size", [3, 60])
def test_the_message_page_costs_the_same_queries_at_any_size(
    bubble, people, size, django_assert_num_queries
):
    author = membership(bubble, people["member"])
    _bulk(bubble, author, size)
    # the messages with their authors and files, and the company's keys
    with django_assert_num_queries(2):
        page, _ = selectors.message_page(bubble=bubble, limit=50)
    assert len(page) == min(size, 50)


def test_delete_own_last_message_with_its_files(bubble, people, clamd):
    member = membership(bubble, people["member"])
    post(bubble, people["co"], "earlier")
    upload = SimpleUploadedFile("notes.txt", b"plain notes", content_type="text/plain")
    row = services.bubble_file_upload(member=member, upload=upload, body="see file", actor=None)
    with pytest.raises(PermissionDenied):
        services.message_delete_last(
            member=membership(bubble, people["co"]), message=row.message, actor=people["co"]
        )
    services.message_delete_last(member=member, message=row.message, actor=people["member"])
    assert Message.objects.get(pk=row.message_id).deleted_at is not None
    assert BubbleFile.objects.get(pk=row.pk).deleted_at is not None


def test_only_the_last_message_can_be_deleted(bubble, people):
    mine = post(bubble, people["member"], "mine")
    post(bubble, people["co"], "reply")
    with pytest.raises(ApplicationError, match="last message"):
        services.message_delete_last(
            member=membership(bubble, people["member"]), message=mine, actor=people["member"]
        )
    assert Message.objects.get(pk=mine.pk).deleted_at is None


def test_email_me_this_conversation_goes_to_my_address_once(
    bubble, people, django_capture_on_commit_callbacks, smtp_server
):
    post(bubble, people["co"], "agenda: ship it")
    with django_capture_on_commit_callbacks(execute=True):
        export = services.conversation_email_request(
            member=membership(bubble, people["member"]), actor=people["member"]
        )
    email = OutboundEmail.objects.get(template="bubble_conversation")
    assert email.to == "mem@acme.test"
    assert smtp_server.messages[-1]["to"] == ["mem@acme.test"]
    assert "agenda: ship it" in smtp_server.text()
    assert ConversationExport.objects.get(pk=export.pk).email_id == email.pk
    # A task delivered twice sends nothing more (idempotent).
    assert conversation_email.apply(args=[str(export.pk)]).get() is False
    assert OutboundEmail.objects.filter(template="bubble_conversation").count() == 1


def test_nobody_emails_a_conversation_for_someone_else(bubble, people):
    with pytest.raises(PermissionDenied):
        services.conversation_email_request(
            member=membership(bubble, people["member"]), actor=people["co"]
        )


# --- Files --------------------------------------------------------------------------------


def upload(bubble, user, name="report.pdf", data=b"%PDF-1.4 hello", content_type="application/pdf"):
    return services.bubble_file_upload(
        member=membership(bubble, user),
        upload=SimpleUploadedFile(name, data, content_type=content_type),
        actor=user,
    )


def test_a_clean_file_is_stored_encrypted_and_reads_back(bubble, people, clamd, vault_storage):
    row = upload(bubble, people["member"], data=b"%PDF-1.4 quarterly figures")
    assert (row.size, row.content_type, row.display_name) == (26, "application/pdf", "report.pdf")
    blobs = [p for p in vault_storage.rglob("*") if p.is_file()]
    assert len(blobs) == 1
    raw = blobs[0].read_bytes()
    assert b"quarterly" not in raw and "report" not in str(blobs[0])
    data = b"".join(selectors.bubble_file_chunks(bubble_file=row))
    assert data == b"%PDF-1.4 quarterly figures"


def test_eicar_is_refused_and_nothing_is_stored(bubble, people, clamd, vault_storage):
    with pytest.raises(ApplicationError) as caught:
        upload(bubble, people["member"], name="eicar.com", data=EICAR)
    assert caught.value.code == "file_infected"
    assert not BubbleFile.objects.exists() and not Message.objects.exists()
    assert not [p for p in vault_storage.rglob("*") if p.is_file()]


def test_an_upload_over_the_cap_is_refused(bubble, people, clamd, settings):
    settings.UPLOAD_MAX_BYTES = 10
    with pytest.raises(ApplicationError) as caught:
        upload(bubble, people["member"], data=b"%PDF-1.4 eleven+ bytes")
    assert caught.value.code == "file_too_large"
    assert not BubbleFile.objects.exists()


def test_an_empty_upload_is_refused(bubble, people, clamd):
    with pytest.raises(ApplicationError) as caught:
        upload(bubble, people["member"], data=b"")
    assert caught.value.code == "file_empty"


def test_a_forged_content_type_is_replaced_by_the_sniffed_one(bubble, people, clamd):
    row = upload(
        bubble, people["member"], name="x.pdf", data=b"just text", content_type="application/pdf"
    )
    assert row.content_type != "application/pdf"


@pytest.mark.parametrize("name", ["../../etc/passwd", "..\\..\\boot.ini", "/abs/path.txt"])
def test_a_path_traversal_name_is_reduced_to_a_safe_name(bubble, people, clamd, name):
    row = upload(bubble, people["member"], name=name, data=b"content")
    assert "/" not in row.display_name and "\\" not in row.display_name
    assert ".." not in row.display_name


def test_scanner_down_refuses_the_upload(bubble, people, settings, tmp_path):
    settings.CLAMD_SOCKET = str(tmp_path / "none.sock")
    with pytest.raises(ApplicationError) as caught:
        upload(bubble, people["member"], data=b"content")
    assert caught.value.code == "scanner_unavailable"
    assert not BubbleFile.objects.exists()


def test_company_sharing_off_refuses_upload_and_download(bubble, people, company, clamd):
    row = upload(bubble, people["member"], data=b"content")
    company_file_sharing_set(company=company, enabled=False, actor=None)
    with pytest.raises(ApplicationError, match="switched off"):
        upload(bubble, people["member"], data=b"more")
    with pytest.raises(ApplicationError, match="switched off"):
        services.require_can_download(member=membership(bubble, people["co"]), actor=None)
    # The user's own setting overrides the company's (SPEC §9.4).
    member_file_sharing_set(member=people["co"], mode="enabled", actor=None)
    services.require_can_download(member=membership(bubble, people["co"]), actor=None)
    assert BubbleFile.objects.filter(pk=row.pk).exists()


def test_user_sharing_off_refuses_upload(bubble, people, clamd):
    member_file_sharing_set(member=people["member"], mode="disabled", actor=None)
    with pytest.raises(ApplicationError, match="switched off"):
        upload(bubble, people["member"], data=b"content")
    upload(bubble, people["co"], data=b"content")


def test_standalone_files_deleted_for_retention(bubble, people, clamd, vault_storage):
    upload(bubble, people["member"], data=b"one")
    upload(bubble, people["member"], data=b"two")
    upload(bubble, people["co"], data=b"kept")
    assert services.bubble_files_delete_for_user(user=people["member"]) == 2
    assert services.bubble_files_delete_for_user(user=people["member"]) == 0
    assert BubbleFile.objects.filter(deleted_at__isnull=True).count() == 1


def test_memberships_end_for_user(bubble, people):
    from bubbles.models import BubbleStatus, MemberRole

    solo = services.bubble_create(name="Solo", actor=people["organizer"])
    assert services.bubble_memberships_end_for_user(user=people["organizer"]) == 2
    assert services.bubble_memberships_end_for_user(user=people["organizer"]) == 0
    assert membership(bubble, people["co"]).role == MemberRole.ORGANIZER
    solo.refresh_from_db()
    assert solo.status == BubbleStatus.ARCHIVED


def test_export_for_user(bubble, people, clamd):
    post(bubble, people["member"], "my words")
    upload(bubble, people["member"], name="mine.pdf")
    data = selectors.bubble_export_for_user(user=people["member"])
    assert [b["name"] for b in data["bubbles"]] == ["Launch"]
    assert "my words" in [m["body"] for m in data["messages"]]
    assert [f["name"] for f in data["files"]] == ["mine.pdf"]
    import json

    json.dumps(data)


def test_a_streamed_upload_object_works(bubble, people, clamd):
    services.bubble_file_upload(
        member=membership(bubble, people["member"]), upload=io.BytesIO(b"raw bytes"), actor=None
    )
    assert BubbleFile.objects.get().display_name == "file"
