from django.urls import path

from . import views

app_name = "bubbles"

bubble = "<int:pk>/"

urlpatterns = [
    path("", views.bubble_list, name="list"),
    path("guest/<str:token>/", views.guest_join, name="guest-join"),
    path("company/<slug:slug>/", views.company_bubbles, name="company"),
    path("company/<slug:slug>/<int:pk>/", views.company_bubble, name="company-bubble"),
    path(bubble, views.bubble_detail, name="detail"),
    path(bubble + "rename/", views.bubble_rename, name="rename"),
    path(bubble + "accept/", views.bubble_accept, name="accept"),
    path(bubble + "leave/", views.bubble_leave, name="leave"),
    path(bubble + "archive/", views.bubble_archive, name="archive"),
    path(bubble + "delete/", views.bubble_delete, name="delete"),
    path(bubble + "members/", views.member_add, name="member-add"),
    path(
        bubble + "members/<int:member_id>/<str:action>/",
        views.member_action,
        name="member-action",
    ),
    path(bubble + "guests/", views.guest_invite, name="guest-invite"),
    path(bubble + "messages/", views.message_post, name="message-post"),
    path(
        bubble + "messages/<uuid:message_id>/delete/",
        views.message_delete,
        name="message-delete",
    ),
    path(bubble + "files/", views.file_upload, name="file-upload"),
    path(bubble + "files/<uuid:file_id>/", views.file_download, name="file-download"),
    path(bubble + "email/", views.conversation_email, name="conversation-email"),
    path(bubble + "conference/", views.conference, name="conference"),
    path(bubble + "conference/state/", views.conference_state, name="conference-state"),
    path(bubble + "conference/start/", views.conference_start, name="conference-start"),
    path(bubble + "conference/join/", views.conference_join, name="conference-join"),
    path(bubble + "conference/end/", views.conference_end, name="conference-end"),
    path(
        bubble + "conference/admit/<int:entry_id>/",
        views.conference_admit,
        name="conference-admit",
    ),
]
