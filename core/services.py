"""Sending email: one function, templated (text + HTML), sent by a task after commit
(`core.tasks.send_email`, which calls `core.delivery.email_deliver`)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

import activity

from .delivery import SWEEP_GRACE
from .mail_bodies import bodies_seal
from .models import OutboundEmail
from .tasks import send_email


def recipient_language(to: str) -> str:
    """The language an email to `to` is written in: the language the recipient chose
    (User.language), else the one active now (the request's: a stranger signing up or
    invited in French gets French), else the default."""
    chosen = (
        get_user_model()
        .objects.filter(email__iexact=to.strip())
        .values_list("language", flat=True)
        .first()
    )
    language = chosen or translation.get_language() or settings.LANGUAGE_CODE
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def email_render(*, to: str, template: str, context: dict) -> tuple[str, str, str]:
    """(subject, text, html) of `templates/email/<template>.*` in the recipient's language.
    Links in them are built on PORTAL_BASE_URL (`base_url`); subjects name PORTAL_NAME."""
    ctx = {"base_url": settings.PORTAL_BASE_URL, "product_name": settings.PORTAL_NAME, **context}
    with translation.override(recipient_language(to)):
        subject = " ".join(render_to_string(f"email/{template}.subject", ctx).split())
        text = render_to_string(f"email/{template}.txt", ctx)
        html = render_to_string(f"email/{template}.html", ctx)
    return subject, text, html


def email_send(
    *, to: str, template: str, context: dict, actor=None, sealed: bool = False
) -> OutboundEmail:
    """Queue `templates/email/<template>.{subject,txt,html}` for `to`, in their language.

    Call it inside the service's transaction: the email leaves only if that commits.
    `sealed`: the body carries content kept encrypted at rest (SPEC §9.1); it is stored
    sealed, bound to the row, and opened only to send it (core.mail_bodies).
    """
    subject, text, html = email_render(to=to, template=template, context=context)
    email = OutboundEmail.objects.create(
        next_attempt_at=timezone.now() + SWEEP_GRACE,
        template=template,
        to=to,
        subject=subject,
        body_text="" if sealed else text,
        body_html="" if sealed else html,
    )
    if sealed:
        # Bound to the row's id, which exists only now: a second write, same transaction.
        email.body_sealed = bodies_seal(email_id=email.pk, text=text, html=html)
        email.save(update_fields=["body_sealed"])
    activity.record(event="email.queued", actor=actor, target=email, data={"template": template})
    # robust: a broker that is down does not turn the committed change into an error page;
    # the email stays queued and the sweep sends it (D15b.5).
    transaction.on_commit(lambda: send_email.delay(email.pk), robust=True)
    return email
