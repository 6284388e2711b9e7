"""The bubble operations under /api/v1/bubbles/, on the same selectors, policies and services
as the pages. Errors use the shared format; a bubble the caller is not in is a 404."""

from django.urls import path

from .bubbles import (
    bubble_accept,
    bubble_archive,
    bubble_detail,
    bubble_leave,
    bubble_list,
    guest_invite,
    member_action,
    member_detail,
    member_list,
)
from .company import company_bubble_owner, company_bubbles
from .conference import conference, conference_action, conference_admit
from .conversation import (
    conversation_email,
    file_download,
    file_upload,
    message_detail,
    message_list,
)

b = "bubbles/<int:pk>/"
urlpatterns = [
    path("bubbles/", bubble_list, name="bubbles"),
    path("bubbles/company/<slug:slug>/", company_bubbles, name="company-bubbles"),
    path(
        "bubbles/company/<slug:slug>/<int:pk>/owner/",
        company_bubble_owner,
        name="company-bubble-owner",
    ),
    path(b, bubble_detail, name="bubble"),
    path(b + "archive/", bubble_archive, name="bubble-archive"),
    path(b + "accept/", bubble_accept, name="bubble-accept"),
    path(b + "leave/", bubble_leave, name="bubble-leave"),
    path(b + "members/", member_list, name="bubble-members"),
    path(b + "members/<int:member_id>/", member_detail, name="bubble-member"),
    path(b + "members/<int:member_id>/<str:action>/", member_action, name="bubble-member-action"),
    path(b + "guests/", guest_invite, name="bubble-guests"),
    path(b + "messages/", message_list, name="bubble-messages"),
    path(b + "messages/<uuid:message_id>/", message_detail, name="bubble-message"),
    path(b + "conversation-email/", conversation_email, name="bubble-conversation-email"),
    path(b + "files/", file_upload, name="bubble-files"),
    path(b + "files/<uuid:file_id>/", file_download, name="bubble-file"),
    path(b + "conference/", conference, name="bubble-conference"),
    path(b + "conference/admit/<int:entry_id>/", conference_admit, name="bubble-conference-admit"),
    path(b + "conference/<str:action>/", conference_action, name="bubble-conference-action"),
]
