"""Delivering one queued email over SMTP: the body of the `send_email` task, kept apart from
`core.services` so that services -> tasks -> delivery is one direction.

An SMTP server that is down or answers "try later" (4xx) never fails an email: it stays
queued, its next attempt set with backoff (1, 2, 4 … minutes, at most an hour), and the
sweep (core.email_sweep, every minute) sends it once the server is back (D15b.5). Only a
permanent refusal (5xx) counts toward MAX_ATTEMPTS, after which the email is failed, kept,
and recorded."""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

import activity
from rainbow_portal.crypto import DecryptionError

from .mail_bodies import bodies_open
from .models import OutboundEmail

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
# A new email's send is scheduled at commit; if that never reaches a worker (broker down),
# the sweep sends it this long after. A claimed email is due again after the lease.
SWEEP_GRACE = timedelta(minutes=2)
SWEEP_LEASE = timedelta(minutes=10)
SWEEP_BATCH = 500
BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=1)


def is_permanent(exc: Exception) -> bool:
    """A 5xx answer: the server refused this message for good (retrying cannot help)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500


def backoff(attempts: int) -> timedelta:
    return min(BACKOFF_FIRST * 2 ** max(attempts - 1, 0), BACKOFF_MAX)


def email_deliver(*, email_id: int) -> bool:
    """Send one queued email. Idempotent: an email already sent (or failed for good) is left
    alone, so a task delivered twice sends once. Returns whether it was sent; an SMTP error
    is recorded on the row (attempts, last error, next attempt), not raised."""
    with transaction.atomic():
        email = OutboundEmail.objects.select_for_update().filter(pk=email_id).first()
        if email is None or email.status != OutboundEmail.Status.QUEUED:
            return False
        email.attempts += 1
        try:
            text, html = bodies_open(email)
        except DecryptionError as exc:
            # Its key is gone or the row was altered: no retry can send it.
            return _unopenable(email, exc)
        message = EmailMultiAlternatives(
            subject=email.subject,
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[email.to],
        )
        message.attach_alternative(html, "text/html")
        try:
            get_connection(fail_silently=False).send_messages([message])
        except Exception as exc:
            email.last_error = f"{type(exc).__name__}: {exc}"[:500]
            email.next_attempt_at = timezone.now() + backoff(email.attempts)
            if is_permanent(exc) and email.attempts >= MAX_ATTEMPTS:
                email.status = OutboundEmail.Status.FAILED
                activity.record(
                    event="email.failed", target=email, data={"attempts": email.attempts}
                )
            email.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            return False
        email.status = OutboundEmail.Status.SENT
        email.sent_at = timezone.now()
        email.body_text = email.body_html = ""  # may hold one-time codes: keep no copy
        email.body_sealed = b""
        email.last_error = ""
        email.next_attempt_at = None
        email.save()
        activity.record(event="email.sent", target=email, data={"template": email.template})
        return True


def _unopenable(email: OutboundEmail, exc: Exception) -> bool:
    email.status = OutboundEmail.Status.FAILED
    email.last_error = f"{type(exc).__name__}: {exc}"[:500]
    email.next_attempt_at = None
    email.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
    activity.record(
        event="email.failed",
        target=email,
        data={"attempts": email.attempts, "reason": "body_unopenable"},
    )
    return False


@transaction.atomic
def email_due_claim(*, limit: int = SWEEP_BATCH) -> list[int]:
    """Take the queued emails that are due (skipping rows a worker holds) and push their
    next attempt past the lease, so two sweeps never hand out one email twice. Returns
    their ids, oldest first."""
    now = timezone.now()
    due = Q(next_attempt_at__lte=now) | Q(
        next_attempt_at__isnull=True, created_at__lte=now - SWEEP_GRACE
    )
    ids = list(
        OutboundEmail.objects.select_for_update(skip_locked=True)
        .filter(due, status=OutboundEmail.Status.QUEUED)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    if ids:
        OutboundEmail.objects.filter(pk__in=ids).update(next_attempt_at=now + SWEEP_LEASE)
        logger.info("Email sweep: %s queued emails handed out again.", len(ids))
    return ids
