"""Sending email: one function, templated (text + HTML), sent by a task after commit
(`core.tasks.send_email`, which calls `core.delivery.email_deliver`)."""

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

import activity

from .delivery import SWEEP_GRACE
from .models import OutboundEmail
from .tasks import send_email


def email_send(*, to: str, template: str, context: dict, actor=None) -> OutboundEmail:
    """Queue `templates/email/<template>.{subject,txt,html}` for `to`.

    Call it inside the service's transaction: the email leaves only if that commits.
    """
    ctx = {"base_url": settings.PORTAL_BASE_URL, **context}
    subject = " ".join(render_to_string(f"email/{template}.subject", ctx).split())
    email = OutboundEmail.objects.create(
        next_attempt_at=timezone.now() + SWEEP_GRACE,
        template=template,
        to=to,
        subject=subject,
        body_text=render_to_string(f"email/{template}.txt", ctx),
        body_html=render_to_string(f"email/{template}.html", ctx),
    )
    activity.record(event="email.queued", actor=actor, target=email, data={"template": template})
    # robust: a broker that is down does not turn the committed change into an error page;
    # the email stays queued and the sweep sends it (D15b.5).
    transaction.on_commit(lambda: send_email.delay(email.pk), robust=True)
    return email
