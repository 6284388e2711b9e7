"""Bubble pages for participants (users and guests) and for company admins, by concern. Thin:
resolve the bubble and the viewer's membership (404 when they have none), call a service,
show the outcome; a refused rule is a message on the page, never a 500."""

from .company import company_bubble, company_bubbles
from .conference import (
    conference,
    conference_admit,
    conference_end,
    conference_join,
    conference_start,
    conference_state,
)
from .conversation import (
    conversation_email,
    file_download,
    file_response,
    file_upload,
    message_delete,
    message_post,
)
from .guests import guest_join
from .members import guest_invite, member_action, member_add
from .pages import (
    bubble_accept,
    bubble_archive,
    bubble_delete,
    bubble_detail,
    bubble_leave,
    bubble_list,
    bubble_rename,
)

__all__ = [
    "bubble_accept",
    "bubble_archive",
    "bubble_delete",
    "bubble_detail",
    "bubble_leave",
    "bubble_list",
    "bubble_rename",
    "company_bubble",
    "company_bubbles",
    "conference",
    "conference_admit",
    "conference_end",
    "conference_join",
    "conference_start",
    "conference_state",
    "conversation_email",
    "file_download",
    "file_response",
    "file_upload",
    "guest_invite",
    "guest_join",
    "member_action",
    "member_add",
    "message_delete",
    "message_post",
]
