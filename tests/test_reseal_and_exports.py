"""Data protection at rest (SPEC §9.1): a user's data export is stored sealed and opened only
for its owner's download; a master-key rotation re-seals every secret sealed with the
DATA_MASTER_KEY ring (TOTP seeds, OIDC client secrets, conversation emails), so the retired
key can be dropped once the command says nothing is left under it."""

import base64
import io
import json
import os
import time
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django_otp.oath import TOTP

from accounts.models import AuthenticatorDevice
from accounts.security.services import authenticator_device_create
from activity.models import ActivityRecord
from bubbles import services as bubbles
from bubbles.models import BubbleMember
from core.mail_bodies import bodies_open
from core.models import OutboundEmail
from core.services import email_send
from rainbow_portal import crypto
from retention.models import DataExport
from retention.services.exports import data_export_request
from sso import oidc
from sso.models import IdentityProvider
from tests.factories import CompanyFactory, UserFactory
from vault import keys

pytestmark = pytest.mark.django_db

SECRET_TEXT = "the merger closes on the ninth of March"


# --- The data export ---------------------------------------------------------------------


@pytest.fixture
def writer(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return UserFactory(company=CompanyFactory())


def build_export(user, django_capture_on_commit_callbacks):
    room = bubbles.bubble_create(name="Board room", actor=user)
    bubbles.message_post(
        member=BubbleMember.objects.get(bubble=room, user=user), body=SECRET_TEXT, actor=user
    )
    with django_capture_on_commit_callbacks(execute=True):
        _export, token = data_export_request(user=user, actor=user)
    return DataExport.objects.get(), token


def test_an_export_is_stored_sealed_and_bound_to_its_row(
    client, writer, django_capture_on_commit_callbacks
):
    export, token = build_export(writer, django_capture_on_commit_callbacks)
    assert export.status == DataExport.Status.READY
    with default_storage.open(export.storage_name, "rb") as f:
        raw = f.read()
    assert SECRET_TEXT.encode() not in raw
    assert writer.email.encode() not in raw
    for name in (b"bubbles.json", b"profile.json", b"PK\x03\x04"):
        assert name not in raw  # not even the zip's local file headers
    assert raw.startswith(crypto.STREAM_MAGIC)

    client.force_login(writer)
    download = client.get(f"/account/export/{token}/")
    assert download.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    messages = json.loads(archive.read("bubbles.json"))["messages"]
    assert [m["body"] for m in messages] == [SECRET_TEXT]

    client.force_login(UserFactory(company=writer.company))
    assert client.get(f"/account/export/{token}/").status_code == 404


def test_a_sealed_export_moved_to_another_row_does_not_open(
    client, writer, django_capture_on_commit_callbacks
):
    export, _token = build_export(writer, django_capture_on_commit_callbacks)
    other = UserFactory(company=writer.company)
    with django_capture_on_commit_callbacks(execute=True):
        _other_export, other_token = data_export_request(user=other, actor=other)
    DataExport.objects.filter(user=other).update(storage_name=export.storage_name)
    client.force_login(other)
    response = client.get(f"/account/export/{other_token}/")
    assert response.status_code == 302  # refused with a message, not another user's data
    assert SECRET_TEXT.encode() not in response.content


def test_an_export_built_before_sealing_is_still_offered(
    client, writer, django_capture_on_commit_callbacks
):
    export, token = build_export(writer, django_capture_on_commit_callbacks)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("profile.json", "{}")
    name = default_storage.save("exports/legacy.zip", io.BytesIO(buffer.getvalue()))
    DataExport.objects.filter(pk=export.pk).update(storage_name=name, sealed=False)
    client.force_login(writer)
    download = client.get(f"/account/export/{token}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == buffer.getvalue()


# --- Master-key rotation re-seals every ring secret -----------------------------------------

OLD, NEW = os.urandom(32), os.urandom(32)


def use_ring(settings, *, current_id, current, retired):
    settings.DATA_MASTER_KEY = current
    settings.DATA_MASTER_KEY_ID = current_id
    settings.DATA_MASTER_KEY_RETIRED = retired
    keys.clear_cache()


def code_for(device) -> str:
    totp = TOTP(device.bin_key)
    totp.time = time.time()
    return f"{totp.token():06d}"


def rotate() -> dict:
    out = io.StringIO()
    call_command("rotate_keys", stdout=out)
    return json.loads(out.getvalue())


def seed_key_id(device) -> int:
    stored = AuthenticatorDevice.objects.get(pk=device.pk).key
    return crypto.sealed_key_id(base64.b64decode(stored.removeprefix("sealed:")))


def test_rotation_reseals_seeds_client_secrets_and_emails_so_the_old_key_can_go(
    settings, django_capture_on_commit_callbacks
):
    use_ring(settings, current_id=1, current=OLD, retired={})
    user = UserFactory()
    device = authenticator_device_create(user=user, name="app", confirmed=True)
    provider = IdentityProvider.objects.create(
        company=CompanyFactory(), kind="oidc", name="OP", oidc_client_id="portal"
    )
    provider.oidc_client_secret_sealed = oidc.seal_client_secret(provider, "op-secret")
    provider.save(update_fields=["oidc_client_secret_sealed"])
    with django_capture_on_commit_callbacks(execute=False):
        email = email_send(
            to="p@example.test",
            template="notice",
            context={"subject": "Hi", "heading": "Hi", "text": SECRET_TEXT, "link": ""},
            sealed=True,
        )
    assert seed_key_id(device) == 1

    use_ring(settings, current_id=2, current=NEW, retired={1: OLD})
    summary = rotate()
    assert summary["resealed"] == {"email_bodies": 1, "oidc_client_secrets": 1, "totp_seeds": 1}
    assert summary["sealed_on_retired"] == {
        "email_bodies": 0,
        "oidc_client_secrets": 0,
        "totp_seeds": 0,
    }
    assert summary["retired_keys_still_needed"] is False
    assert seed_key_id(device) == 2
    (record,) = ActivityRecord.objects.filter(event="vault.secrets.resealed")
    # Every count survives the record's scrub (it drops keys that name a key or a secret).
    assert record.data == {
        "to_ring_id": 2,
        "resealed": {"two_factor_devices": 1, "identity_providers": 1, "email_bodies": 1},
    }
    again = rotate()  # idempotent
    assert again["resealed"] == {"email_bodies": 0, "oidc_client_secrets": 0, "totp_seeds": 0}

    use_ring(settings, current_id=2, current=NEW, retired={})  # key 1 dropped
    device = AuthenticatorDevice.objects.get(pk=device.pk)
    assert device.verify_token(code_for(device)) is True
    assert oidc.client_secret(IdentityProvider.objects.get(pk=provider.pk)) == "op-secret"
    assert SECRET_TEXT in bodies_open(OutboundEmail.objects.get(pk=email.pk))[0]


def test_rotation_reports_what_is_still_under_a_retired_key(settings):
    use_ring(settings, current_id=1, current=OLD, retired={})
    device = authenticator_device_create(user=UserFactory(), name="app", confirmed=True)
    use_ring(settings, current_id=2, current=NEW, retired={})  # forgot the retired key
    out = io.StringIO()
    with pytest.raises(Exception, match="could not be re-sealed"):
        call_command("rotate_keys", stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["sealed_on_retired"]["totp_seeds"] == 1
    assert summary["retired_keys_still_needed"] is True
    assert summary["failed"][0]["kind"] == "totp_seeds"
    use_ring(settings, current_id=2, current=NEW, retired={1: OLD})  # fixed: the run resumes
    assert rotate()["resealed"]["totp_seeds"] == 1
    assert seed_key_id(device) == 2


def test_a_damaged_seed_is_reported_and_the_rotation_still_prints_its_summary(settings):
    use_ring(settings, current_id=1, current=OLD, retired={})
    device = authenticator_device_create(user=UserFactory(), name="app", confirmed=True)
    AuthenticatorDevice.objects.filter(pk=device.pk).update(key="sealed:not*base64!")
    use_ring(settings, current_id=2, current=NEW, retired={1: OLD})
    out = io.StringIO()
    with pytest.raises(Exception, match="could not be re-sealed"):
        call_command("rotate_keys", stdout=out)
    summary = json.loads(out.getvalue())
    assert [f["kind"] for f in summary["failed"]] == ["totp_seeds"]
