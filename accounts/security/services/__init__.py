"""Writes for authentication and account security (SPEC §7.1–7.5, §7.7), one module per
concern. Self-registration is companies.membership.signup (it places the user by SPEC §2.5)."""

from .common import (
    INVALID_LOGIN,
    IP_THROTTLED,
    LOCK_AFTER_FAILURES,
    LOCK_DURATION,
    LOCKED,
    RECOVERY_CODE_COUNT,
    RESET_CODE_ATTEMPTS,
    RESET_CODE_LIFETIME,
    RESET_REQUEST_WINDOW,
    RESET_REQUESTS_CAPPED,
    RESET_REQUESTS_PER_ACCOUNT,
    SESSION_LAST_ACTIVITY,
    SESSION_TWO_FACTOR_PENDING,
    UNVERIFIED,
    VERIFICATION_LIFETIME,
    VERIFY_ATTEMPTS_USED,
    VERIFY_PASSWORD_ATTEMPTS,
    WRONG_RESET_CODE,
    WRONG_SIGNUP_PASSWORD,
    WRONG_TOTP,
    Outcome,
)
from .company_policy import (
    company_security_policy_set,
    user_profile_lock_set,
)
from .passwords import (
    password_change,
    password_reset_confirm,
    password_reset_request,
)
from .sessions import (
    session_end,
    session_start,
    session_touch,
    sessions_end,
)
from .signin import (
    account_unlock,
    login_attempt,
)
from .two_factor import (
    recovery_codes_regenerate,
    two_factor_disable,
    two_factor_setup_confirm,
    two_factor_setup_start,
    two_factor_verify,
)
from .verification import (
    email_verification_refusal,
    email_verify,
    verification_send,
)

__all__ = [
    "INVALID_LOGIN",
    "IP_THROTTLED",
    "LOCKED",
    "LOCK_AFTER_FAILURES",
    "LOCK_DURATION",
    "RECOVERY_CODE_COUNT",
    "RESET_CODE_ATTEMPTS",
    "RESET_CODE_LIFETIME",
    "RESET_REQUESTS_CAPPED",
    "RESET_REQUESTS_PER_ACCOUNT",
    "RESET_REQUEST_WINDOW",
    "SESSION_LAST_ACTIVITY",
    "SESSION_TWO_FACTOR_PENDING",
    "UNVERIFIED",
    "VERIFICATION_LIFETIME",
    "VERIFY_ATTEMPTS_USED",
    "VERIFY_PASSWORD_ATTEMPTS",
    "WRONG_RESET_CODE",
    "WRONG_SIGNUP_PASSWORD",
    "WRONG_TOTP",
    "Outcome",
    "account_unlock",
    "company_security_policy_set",
    "email_verification_refusal",
    "email_verify",
    "login_attempt",
    "password_change",
    "password_reset_confirm",
    "password_reset_request",
    "recovery_codes_regenerate",
    "session_end",
    "session_start",
    "session_touch",
    "sessions_end",
    "two_factor_disable",
    "two_factor_setup_confirm",
    "two_factor_setup_start",
    "two_factor_verify",
    "user_profile_lock_set",
    "verification_send",
]
