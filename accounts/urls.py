from django.urls import path

from . import views
from .network import views as network_views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("signup/", views.signup_view, name="signup"),
    path("signup/done/", views.signup_done_view, name="signup-done"),
    path("verify/<str:token>/", views.verify_email_view, name="verify-email"),
    path("password/reset/", views.password_reset_view, name="password-reset"),
    path("password/update/", views.password_update_view, name="password-update"),
    path("password/change/", views.password_change_view, name="password-change"),
    path("two-factor/setup/", views.two_factor_setup_view, name="two-factor-setup"),
    path("two-factor/verify/", views.two_factor_verify_view, name="two-factor-verify"),
    path("two-factor/disable/", views.two_factor_disable_view, name="two-factor-disable"),
    path("two-factor/recovery-codes/", views.recovery_codes_view, name="recovery-codes"),
    path("security/", views.security_view, name="security"),
    path("security/sign-out-everywhere/", views.sessions_end_all_view, name="sessions-end-all"),
    path("security/tokens/", views.api_token_create_view, name="api-token-create"),
    path("security/tokens/<int:pk>/revoke/", views.api_token_revoke_view, name="api-token-revoke"),
    path("profile/", views.profile_view, name="profile"),
    path(
        "companies/<slug:slug>/security/",
        views.company_security_view,
        name="company-security",
    ),
    path(
        "companies/<slug:slug>/members/<int:user_id>/profile-lock/",
        views.member_profile_lock_view,
        name="member-profile-lock",
    ),
    # The user's network (issue 4)
    path("network/", network_views.network, name="network"),
    path("network/invite/<int:pk>/", network_views.invite, name="network-invite"),
    path("network/invite-email/", network_views.invite_email, name="network-invite-email"),
    path(
        "network/invitations/<int:pk>/<str:action>/",
        network_views.invitation_action,
        name="network-invitation",
    ),
    path(
        "network/contacts/<int:pk>/remove/",
        network_views.contact_remove,
        name="network-contact-remove",
    ),
    path(
        "network/contacts/<int:pk>/favorite/",
        network_views.contact_favorite,
        name="network-contact-favorite",
    ),
    path("network/presence/", network_views.presence, name="network-presence"),
]
