"""Bubble services: the only writers (ARCHITECTURE.md). Import from here."""

from .bubbles import (
    bubble_archive,
    bubble_co_organizer_demote,
    bubble_co_organizer_promote,
    bubble_create,
    bubble_delete,
    bubble_invitation_accept,
    bubble_leave,
    bubble_member_add,
    bubble_member_add_by_email,
    bubble_member_remove,
    bubble_owner_reassign,
    bubble_ownership_transfer,
    bubble_rename,
)
from .conference import conference_admit, conference_end, conference_join, conference_start
from .files import bubble_file_discard, bubble_file_upload, require_can_download
from .guests import bubble_guest_invite, bubble_guest_redeem
from .messages import (
    conversation_email_request,
    message_delete_last,
    message_post,
)
from .retention import bubble_files_delete_for_user, bubble_memberships_end_for_user

__all__ = [
    "bubble_archive",
    "bubble_co_organizer_demote",
    "bubble_co_organizer_promote",
    "bubble_create",
    "bubble_delete",
    "bubble_file_discard",
    "bubble_file_upload",
    "bubble_files_delete_for_user",
    "bubble_guest_invite",
    "bubble_guest_redeem",
    "bubble_invitation_accept",
    "bubble_leave",
    "bubble_member_add",
    "bubble_member_add_by_email",
    "bubble_member_remove",
    "bubble_memberships_end_for_user",
    "bubble_owner_reassign",
    "bubble_ownership_transfer",
    "bubble_rename",
    "conference_admit",
    "conference_end",
    "conference_join",
    "conference_start",
    "conversation_email_request",
    "message_delete_last",
    "message_post",
    "require_can_download",
]
