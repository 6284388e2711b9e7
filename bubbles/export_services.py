"""The "email me this conversation" delivery (SPEC §6.6), run by `tasks.conversation_email`.

It lives beside the services rather than among them so that the task module, which the
services schedule, does not import the services back (no cycle inside the app).
"""

from django.db import transaction

from core.services import email_send

from . import policies
from .models import ConversationExport, Message
from .sealing import open_body

EXPORT_MAX_MESSAGES = 5_000


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
    messages = (
        Message.objects.filter(bubble=member.bubble, deleted_at__isnull=True)
        .select_related("author__user", "bubble")
        .order_by("created_at", "id")[:EXPORT_MAX_MESSAGES]
    )
    lines = [
        {
            "at": m.created_at,
            "author": m.author.display_name,
            "body": open_body(message=m),
        }
        for m in messages
    ]
    email = email_send(
        to=member.user.email,
        template="bubble_conversation",
        context={"bubble_name": member.bubble.name, "lines": lines},
        actor=None,
    )
    export.email = email
    export.save(update_fields=["email"])
    return True
