"""Messages (SPEC §6.6): post, delete one's own last message with its files, and "email me
this conversation". Bodies are sealed before they reach the database (SPEC §9.1)."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.security.ratelimit import email_action_limit
from rainbow_portal.exceptions import ApplicationError

from .. import policies
from ..models import BubbleFile, ConversationExport, Message
from ..tasks import conversation_email
from .common import lock_bubble, record
from .files import bubble_file_discard
from .posting import clean_body, message_create_sealed, require_can_post


@transaction.atomic
def message_post(*, member, body: str, actor) -> Message:
    lock_bubble(member.bubble)
    require_can_post(member)
    message = message_create_sealed(member=member, body=clean_body(body))
    record(
        "bubble.message.posted",
        bubble=member.bubble,
        actor=actor,
        target=message,
        guest=member.is_guest,
    )
    return message


def _last_message(bubble):
    return (
        Message.objects.select_for_update(of=("self",))
        .filter(bubble=bubble, deleted_at__isnull=True)
        .order_by("-created_at", "-id")
        .first()
    )


@transaction.atomic
def message_delete_last(*, member, message: Message, actor) -> Message:
    """SPEC §6.6 (D11a.3): a participant deletes their message while it is the conversation's
    last one, and the files attached to it go with it."""
    bubble = lock_bubble(member.bubble)
    require_can_post(member)
    last = _last_message(bubble)
    if message.author_id != member.pk:
        raise PermissionDenied("You can only delete your own message.")
    if last is None or last.pk != message.pk:
        raise ApplicationError(
            _("Only your last message can be deleted, while nobody has written after it."),
            code="not_last_message",
        )
    now = timezone.now()
    message.deleted_at = now
    message.save(update_fields=["deleted_at"])
    files = list(BubbleFile.objects.filter(message=message, deleted_at__isnull=True))
    for bubble_file in files:
        bubble_file_discard(bubble_file=bubble_file, actor=actor)
    record("bubble.message.deleted", bubble=bubble, actor=actor, target=message, files=len(files))
    return message


@transaction.atomic
def conversation_email_request(*, member, actor) -> ConversationExport:
    """Queue "email me this conversation" to the participant's own address (SPEC §6.6)."""
    if member.user_id is None or actor is None or member.user_id != actor.pk:
        raise PermissionDenied("Only a participant with an account can have it emailed.")
    if not policies.can_view(member=member):
        raise PermissionDenied("You are not a participant of this bubble.")
    # SPEC §7.9: per user, per company and per address, like every action that mails.
    email_action_limit(
        action="conversation_export",
        user=actor,
        company=member.bubble.company_id,
        address=actor.email,
    )
    export = ConversationExport.objects.create(member=member)
    record("bubble.conversation.emailed", bubble=member.bubble, actor=actor, target=export)
    transaction.on_commit(lambda: conversation_email.delay(str(export.pk)))
    return export
