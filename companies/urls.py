from django.urls import path

from . import hub_views
from .membership import signup_views
from .membership.urls import urlpatterns as membership_urlpatterns
from .security import views as security_views
from .visibility import network_views
from .visibility import views as visibility_views

app_name = "companies"

# Visibility first: "companies/directory/" must not be read as the company slug "directory"
# (the slug is reserved too).
visibility_urlpatterns = [
    path("companies/directory/", visibility_views.directory, name="directory"),
    path("companies/directory/people/<int:pk>/", visibility_views.person, name="person"),
    path("companies/directory/<slug:slug>/", visibility_views.company_page, name="company-page"),
    path(
        "companies/<slug:slug>/members/<int:pk>/visibility/",
        visibility_views.member_visibility,
        name="member-visibility",
    ),
    path(
        "companies/<slug:slug>/visibility/",
        visibility_views.company_visibility,
        name="company-visibility",
    ),
    path(
        "companies/<slug:slug>/visibility/mode/",
        hub_views.company_visibility_mode,
        name="company-visibility-mode",
    ),
    path(
        "companies/<slug:slug>/visibility/requests/<int:pk>/<str:action>/",
        visibility_views.visibility_request_answer,
        name="visibility-request-answer",
    ),
]

# The user's network (issue 4), beside the visibility rules it applies; its pages keep their
# /accounts/network/ addresses.
network_urlpatterns = [
    path("accounts/network/", network_views.network, name="network"),
    path("accounts/network/invite/<int:pk>/", network_views.invite, name="network-invite"),
    path("accounts/network/invite-email/", network_views.invite_email, name="network-invite-email"),
    path(
        "accounts/network/invitations/<int:pk>/<str:action>/",
        network_views.invitation_action,
        name="network-invitation",
    ),
    path(
        "accounts/network/contacts/<int:pk>/remove/",
        network_views.contact_remove,
        name="network-contact-remove",
    ),
    path(
        "accounts/network/contacts/<int:pk>/favorite/",
        network_views.contact_favorite,
        name="network-contact-favorite",
    ),
    path("accounts/network/presence/", network_views.presence, name="network-presence"),
    path("accounts/profile/visibility/", network_views.own_visibility, name="own-visibility"),
]

# Pages that moved here from accounts (issue 9) keep their /accounts/ addresses.
account_urlpatterns = [
    path("accounts/signup/", signup_views.signup_view, name="signup"),
    path("accounts/signup/done/", signup_views.signup_done_view, name="signup-done"),
    path(
        "accounts/companies/<slug:slug>/security/",
        security_views.company_security_view,
        name="company-security",
    ),
    path(
        "accounts/companies/<slug:slug>/members/<int:user_id>/profile-lock/",
        security_views.member_profile_lock_view,
        name="member-profile-lock",
    ),
]

urlpatterns = [
    *visibility_urlpatterns,
    *membership_urlpatterns,
    *network_urlpatterns,
    *account_urlpatterns,
]
