"""Sign-in, sessions and their limits, the security headers and external sign-in."""

from .. import envconfig as env
from .base import DEBUG

# --- Authentication ------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# ModelBackend with a one-query session user (accounts/backends.py, issue 15).
AUTHENTICATION_BACKENDS = ["accounts.backends.PortalBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"
# SPEC §7.4: Argon2id first; PBKDF2-SHA256 hashes still verify and are upgraded at next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "accounts.security.password_policy.SpecPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

SESSION_COOKIE_AGE = env.get_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_COOKIE_HTTPONLY = True
# SPEC §7: a session idle this long is ended (seconds); lockout and code rules per §7.2–7.3.
SESSION_IDLE_TIMEOUT = env.get_int("SESSION_IDLE_TIMEOUT", 30 * 60)
OTP_TOTP_ISSUER = "Rainbow Portal"
# Per-IP limits on sign-in failures, reset-code requests and sign-ups (counted in the cache).
LOGIN_IP_FAILURE_LIMIT = env.get_int("LOGIN_IP_FAILURE_LIMIT", 30)
ACCOUNT_IP_REQUEST_LIMIT = env.get_int("ACCOUNT_IP_REQUEST_LIMIT", 20)
ACCOUNT_IP_WINDOW = env.get_int("ACCOUNT_IP_WINDOW", 15 * 60)
# SPEC §7.9: every action that sends email, limited per user, per company and per address
# (accounts.security.ratelimit.email_action_limit): {action: {scope: (emails, seconds)}}.
# Reset codes have their own per-address cap (accounts.security.services, SPEC §7.2).
_HOUR, _DAY = 3600, 86400
EMAIL_ACTION_LIMITS = {
    "signup": {"address": (5, _HOUR)},
    "network_invitation": {"user": (20, _HOUR), "company": (500, _HOUR), "address": (10, _DAY)},
    "company_invitation": {"user": (200, _HOUR), "company": (200, _HOUR), "address": (5, _DAY)},
    "visibility_request": {"user": (10, _HOUR), "company": (20, _HOUR)},
    "guest_invitation": {"user": (50, _HOUR), "company": (500, _HOUR), "address": (5, _DAY)},
    # "Email me this conversation" (SPEC §6.6, §9.3) goes to the asker's own address.
    "conversation_export": {"user": (10, _HOUR), "company": (200, _HOUR), "address": (20, _DAY)},
}
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# --- Security (SPEC §9.3) ----------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.get_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]

CSRF_FAILURE_VIEW = "core.views.csrf_failure"

# External sign-in (SPEC §7.6, sso/). Clock skew for SAML validity windows and OIDC token
# times; loopback fetches of metadata/discovery are for the test suite's local IdPs only.
SSO_CLOCK_SKEW_SECONDS = env.get_int("SSO_CLOCK_SKEW_SECONDS", 120)
SSO_ALLOW_LOOPBACK_FETCH = False
SSO_FETCH_PUBLIC = True
