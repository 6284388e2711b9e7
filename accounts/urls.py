from django.urls import path

from . import language, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
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
    path("security/tokens/revoke/", views.api_token_revoke_view, name="api-token-revoke"),
    path("profile/", views.profile_view, name="profile"),
    path("language/", language.language_set_view, name="language-set"),
]
