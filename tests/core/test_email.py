import base64
import smtplib
from unittest import mock

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.utils import timezone

from activity.models import ActivityRecord
from core.delivery import MAX_ATTEMPTS, email_deliver
from core.models import OutboundEmail
from core.services import email_send

pytestmark = pytest.mark.django_db

CONTEXT = {"subject": "Hello there", "heading": "Hi", "text": "Your code is 123456", "link": ""}


@pytest.fixture
def dkim_key(settings, tmp_path):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = tmp_path / "dkim.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    settings.DKIM_DOMAIN = "portal.test"
    settings.DKIM_SELECTOR = "s1"
    settings.DKIM_PRIVATE_KEY_FILE = str(path)
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)


def test_email_is_sent_after_commit_and_dkim_verifies(
    smtp_server, dkim_key, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        email = email_send(to="person@example.test", template="notice", context=CONTEXT)
        assert smtp_server.messages == []  # nothing leaves before commit

    assert len(smtp_server.messages) == 1
    received = smtp_server.messages[0]
    assert received["to"] == ["person@example.test"]
    msg = smtp_server.parsed()
    assert msg["Subject"] == "Hello there · Rainbow Portal"
    assert "Your code is 123456" in smtp_server.text()
    html = msg.get_body(preferencelist=("html",)).get_content()
    assert "<h1>Hi</h1>" in html

    def dns(name, timeout=5):
        assert name == b"s1._domainkey.portal.test."
        return dkim_key

    assert dkim.verify(received["raw"], dnsfunc=dns)
    # An altered body no longer verifies: the signature covers it.
    tampered = received["raw"].replace(b"123456", b"654321")
    assert not dkim.verify(tampered, dnsfunc=dns)

    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert email.body_text == "" and email.body_html == ""  # the one-time code is not kept
    events = list(ActivityRecord.objects.values_list("event", flat=True))
    assert events.count("email.queued") == 1 and events.count("email.sent") == 1
    assert not any("123456" in str(r.data) for r in ActivityRecord.objects.all())


def test_delivering_twice_sends_once(smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = email_send(to="a@example.test", template="notice", context=CONTEXT)
    assert email_deliver(email_id=email.pk) is False
    assert len(smtp_server.messages) == 1


def test_rolled_back_change_sends_nothing(smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            from django.db import transaction

            with transaction.atomic():
                email_send(to="a@example.test", template="notice", context=CONTEXT)
                raise RuntimeError("the change failed")
        except RuntimeError:
            pass
    assert callbacks == []
    assert smtp_server.messages == []
    assert not OutboundEmail.objects.exists()


def test_unreachable_server_keeps_the_email_queued_with_backoff_never_failed(settings):
    """SMTP down (issue 15): every attempt is recorded with a later next attempt, doubling,
    and the email is never failed however many attempts it took (D15b.5)."""
    settings.EMAIL_BACKEND = "core.mail.DkimSmtpBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 9  # discard port: nothing listens, connection refused
    email = OutboundEmail.objects.create(
        template="notice", to="a@example.test", subject="s", body_text="b"
    )
    waits = []
    for attempt in range(1, MAX_ATTEMPTS + 4):
        before = timezone.now()
        assert email_deliver(email_id=email.pk) is False
        email.refresh_from_db()
        assert email.status == OutboundEmail.Status.QUEUED and email.attempts == attempt
        assert "ConnectionRefusedError" in email.last_error
        waits.append(round((email.next_attempt_at - before).total_seconds() / 60))
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60]
    assert email.body_text == "b"
    assert not ActivityRecord.objects.filter(event="email.failed").exists()


def test_a_permanent_refusal_fails_the_email_after_max_attempts(settings, smtp_server):
    email = OutboundEmail.objects.create(
        template="notice", to="a@example.test", subject="s", body_text="b"
    )
    refusal = smtplib.SMTPRecipientsRefused({"a@example.test": (550, b"No such user")})
    with mock.patch("smtplib.SMTP.sendmail", side_effect=refusal):
        for attempt in range(1, MAX_ATTEMPTS + 1):
            assert email_deliver(email_id=email.pk) is False
            email.refresh_from_db()
            expected = "failed" if attempt == MAX_ATTEMPTS else "queued"
            assert email.status == expected and email.attempts == attempt
    assert email.body_text == "b"  # kept for an operator to resend; nothing is lost
    assert ActivityRecord.objects.filter(event="email.failed").count() == 1
