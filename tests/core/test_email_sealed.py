"""Sealed email bodies (SPEC §9.1): an email that carries encrypted content is stored sealed,
opened only to send it, wiped once sent, and kept sealed when it fails for good."""

import importlib
import smtplib
from unittest import mock

import pytest
from django.apps import apps as global_apps
from django.db import connection

from activity.models import ActivityRecord
from core.delivery import MAX_ATTEMPTS, email_deliver
from core.mail_bodies import bodies_open
from core.models import OutboundEmail
from core.services import email_send

pytestmark = pytest.mark.django_db

SECRET = "the board meets on Tuesday"
CONTEXT = {"subject": "Hello", "heading": "Hi", "text": SECRET, "link": ""}


def raw_row(email_id) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM core_outboundemail WHERE id = %s", [email_id])
        row = cursor.fetchone()
    return " ".join(
        bytes(v).decode("latin-1") if isinstance(v, memoryview) else str(v) for v in row
    )


def test_a_sealed_email_holds_no_body_in_clear_and_is_sent_whole(
    smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        email = email_send(to="p@example.test", template="notice", context=CONTEXT, sealed=True)
    email.refresh_from_db()
    assert email.body_text == "" and email.body_html == ""
    assert SECRET not in raw_row(email.pk)
    assert SECRET in bodies_open(email)[0] and SECRET in bodies_open(email)[1]
    assert email_deliver(email_id=email.pk) is True
    assert SECRET in smtp_server.text()
    email.refresh_from_db()
    assert bytes(email.body_sealed) == b"" and email.status == OutboundEmail.Status.SENT


def test_an_ordinary_email_keeps_its_plain_columns(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        email = email_send(to="p@example.test", template="notice", context=CONTEXT)
    assert SECRET in email.body_text and bytes(email.body_sealed) == b""


def test_a_sealed_body_moved_to_another_row_fails_that_email(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        a = email_send(to="a@example.test", template="notice", context=CONTEXT, sealed=True)
        b = email_send(to="b@example.test", template="notice", context=CONTEXT, sealed=True)
    OutboundEmail.objects.filter(pk=b.pk).update(body_sealed=bytes(a.body_sealed))
    assert email_deliver(email_id=b.pk) is False
    b.refresh_from_db()
    assert b.status == OutboundEmail.Status.FAILED and "DecryptionError" in b.last_error
    assert ActivityRecord.objects.filter(event="email.failed").count() == 1


def test_a_sealed_email_refused_for_good_stays_sealed(
    smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        email = email_send(to="a@example.test", template="notice", context=CONTEXT, sealed=True)
    refusal = smtplib.SMTPRecipientsRefused({"a@example.test": (550, b"No such user")})
    with mock.patch("smtplib.SMTP.sendmail", side_effect=refusal):
        for _ in range(MAX_ATTEMPTS):
            email_deliver(email_id=email.pk)
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED
    assert SECRET not in raw_row(email.pk)
    assert SECRET in bodies_open(email)[0]  # an operator can still resend it


def test_the_migration_seals_queued_conversation_exports():
    migration = importlib.import_module("core.migrations.0003_outboundemail_body_sealed")
    export = OutboundEmail.objects.create(
        template="bubble_conversation", to="a@example.test", subject="s", body_text=SECRET
    )
    other = OutboundEmail.objects.create(
        template="notice", to="a@example.test", subject="s", body_text="code 123456"
    )
    migration.seal_existing(global_apps, None)
    export.refresh_from_db()
    other.refresh_from_db()
    assert export.body_text == "" and SECRET not in raw_row(export.pk)
    assert bodies_open(export) == (SECRET, "")
    assert other.body_text == "code 123456" and bytes(other.body_sealed) == b""
    migration.open_existing(global_apps, None)
    export.refresh_from_db()
    assert export.body_text == SECRET and bytes(export.body_sealed) == b""
