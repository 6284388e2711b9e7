"""Thin views: shape-check input with a form, call a service, show its message. One module per
page family; accounts/urls.py names them from here."""

from .profile import profile_view
from .security_page import (
    api_token_create_view,
    api_token_revoke_view,
    recovery_codes_view,
    security_view,
    sessions_end_all_view,
    two_factor_disable_view,
    two_factor_setup_view,
    two_factor_verify_view,
)
from .signin import (
    login_view,
    logout_view,
    password_change_view,
    password_reset_view,
    password_update_view,
    verify_email_view,
)

__all__ = [
    "api_token_create_view",
    "api_token_revoke_view",
    "login_view",
    "logout_view",
    "password_change_view",
    "password_reset_view",
    "password_update_view",
    "profile_view",
    "recovery_codes_view",
    "security_view",
    "sessions_end_all_view",
    "two_factor_disable_view",
    "two_factor_setup_view",
    "two_factor_verify_view",
    "verify_email_view",
]
