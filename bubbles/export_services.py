"""The "email me this conversation" delivery (SPEC §6.6), run by `tasks.conversation_email`.

It lives beside the services rather than among them so that the task module, which the
services schedule, does not import the services back (no cycle inside the app).
"""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.services import email_send

from . import policies
from .message_page import opened_bodies
from .models import ConversationExport, Message

EXPORT_MAX_MESSAGES = 5_000
# Lazy: written in the recipient's language when the email is rendered.
UNREADABLE = _("(This message cannot be read.)")


def _newest_messages(bubble) -> tuple[list, bool]:
    """The newest EXPORT_MAX_MESSAGES messages, oldest first, and whether older ones were
    left out: a long conversation loses its beginning, never its latest words."""
    newest = list(
        Message.objects.filter(bubble=bubble, deleted_at__isnull=True)
        .select_related("author__user", "bubble")
        .order_by("-created_at", "-id")[: EXPORT_MAX_MESSAGES + 1]
    )
    left_out = len(newest) > EXPORT_MAX_MESSAGES
    return newest[:EXPORT_MAX_MESSAGES][::-1], left_out


@transaction.atomic
def conversation_email_send(*, export_id) -> bool:
    """The task's body: idempotent (a second run finds the email queued and stops)."""
    export = (
        ConversationExport.objects.select_for_update(of=("self",))
        .select_related("member__user", "member__bubble__company")
        .filter(pk=export_id)
        .first()
    )
    if export is None or export.email_id is not None:
        return False
    member = export.member
    if not policies.can_view(member=member):
        return False
    messages, left_out = _newest_messages(member.bubble)
    # A body that does not open (tampered, or its key shredded) reads as the notice the
    # message page shows, instead of failing the whole export.
    lines = [
        {"at": m.created_at, "author": m.author.display_name, "body": body}
        for m, body in zip(messages, opened_bodies(messages, unreadable=UNREADABLE), strict=True)
    ]
    email = email_send(
        to=member.user.email,
        template="bubble_conversation",
        context={
            "bubble_name": member.bubble.name,
            "lines": lines,
            "left_out": left_out,
            "kept": EXPORT_MAX_MESSAGES,
        },
        actor=None,
        # SPEC §9.1: the email carries the conversation; its body is sealed at rest.
        sealed=True,
    )
    export.email = email
    export.save(update_fields=["email"])
    return True
