"""Delivering one queued email over SMTP: the body of the `send_email` task, kept apart from
`core.services` so that services -> tasks -> delivery is one direction."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.utils import timezone

import activity

from .models import OutboundEmail

MAX_ATTEMPTS = 5


def email_deliver(*, email_id: int) -> bool:
    """Send one queued email. Idempotent: an email already sent (or failed for good) is left
    alone, so a task delivered twice sends once. Raises on SMTP errors so the task retries."""
    with transaction.atomic():
        email = OutboundEmail.objects.select_for_update().filter(pk=email_id).first()
        if email is None or email.status != OutboundEmail.Status.QUEUED:
            return False
        email.attempts += 1
        message = EmailMultiAlternatives(
            subject=email.subject,
            body=email.body_text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[email.to],
        )
        message.attach_alternative(email.body_html, "text/html")
        try:
            get_connection(fail_silently=False).send_messages([message])
        except Exception as exc:
            email.last_error = f"{type(exc).__name__}: {exc}"[:500]
            if email.attempts >= MAX_ATTEMPTS:
                email.status = OutboundEmail.Status.FAILED
                activity.record(
                    event="email.failed", target=email, data={"attempts": email.attempts}
                )
            email.save(update_fields=["attempts", "last_error", "status"])
            error = exc
        else:
            email.status = OutboundEmail.Status.SENT
            email.sent_at = timezone.now()
            email.body_text = email.body_html = ""  # may hold one-time codes: keep no copy
            email.last_error = ""
            email.save()
            activity.record(event="email.sent", target=email, data={"template": email.template})
            return True
    # Raised after the transaction committed the attempt count, so retries are bounded.
    if email.status == OutboundEmail.Status.QUEUED:
        raise error
    return False
