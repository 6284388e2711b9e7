"""What the account-security services share: limits, messages, digests and the outcome type.

Failures that must leave a trace (a wrong password, a wrong code) are committed before the
error reaches the person: those services return an outcome instead of raising inside their
transaction, and the public wrapper raises `ApplicationError` after the commit.
"""

from dataclasses import dataclass
from datetime import timedelta

from rainbow_portal.crypto import keyed_digest

from ...models import (
    User,
    UserSecurity,
)
from .. import ratelimit

LOCK_AFTER_FAILURES = 5  # SPEC §7.3
LOCK_DURATION = timedelta(minutes=60)
RESET_CODE_LIFETIME = timedelta(minutes=15)  # SPEC §7.2
RESET_CODE_ATTEMPTS = 5
# Each code brings RESET_CODE_ATTEMPTS guesses, so codes per account are capped too.
RESET_REQUESTS_PER_ACCOUNT = 5
RESET_REQUEST_WINDOW = timedelta(hours=1)
VERIFY_PASSWORD_ATTEMPTS = 5
VERIFICATION_LIFETIME = timedelta(hours=48)
RECOVERY_CODE_COUNT = 10

SESSION_TWO_FACTOR_PENDING = "two_factor_pending"
SESSION_LAST_ACTIVITY = "last_activity"
# The identity provider a session was signed in through (SPEC §7.6); absent for a password
# session. Set by session_start alone, so no leftover of an unfinished SSO start counts.
SESSION_IDENTITY_PROVIDER = "signed_in_by_idp"

INVALID_LOGIN = "The email or password is not correct."
LOCKED = (
    "This account is locked for 60 minutes after 5 failed sign-ins. "
    "Reset your password to unlock it now."
)
UNVERIFIED = "Confirm your email address first: follow the link we emailed you."
IP_THROTTLED = "Too many attempts from your network. Wait 15 minutes and try again."
WRONG_RESET_CODE = (
    "This code is not correct. A code works for 15 minutes and 5 attempts; "
    "after that, ask for a new one."
)
WRONG_TOTP = "This code is not correct or was already used. Wait for the next code."
RESET_REQUESTS_CAPPED = (
    "Too many codes were asked for this address in the last hour, so no new code is sent. "
    "Use the latest code you received if it is less than 15 minutes old, or try again later."
)
# bandit B105 accepted: a message shown to a person, not a password.
WRONG_SIGNUP_PASSWORD = (  # nosec B105
    "This is not the password chosen at sign-up. If you do not know it, set a new password "
    "instead (link below)."
)
VERIFY_ATTEMPTS_USED = (
    "This confirmation link no longer works after 5 wrong passwords. Set a new password "
    "instead: the code we email proves the address is yours and confirms it."
)


def _digest(value: str, *, purpose: str) -> str:
    # Keyed by DIGEST_KEY, one derived key per purpose (D10c.1); SECRET_KEY plays no part.
    return keyed_digest(purpose, value)


def _security_for_update(user) -> UserSecurity:
    UserSecurity.objects.get_or_create(user=user)
    return UserSecurity.objects.select_for_update().get(user=user)


def _ip_throttled(bucket: str, ip: str, limit: int) -> bool:
    return bool(ip) and ratelimit.count(bucket, ip) >= limit


@dataclass
class Outcome:
    user: User | None = None
    error: str = ""


def user_verified_set(*, user, verified: bool) -> None:
    """SPEC §7.1: the one writer of whether an account's address is verified, and of its
    copy on the user row that the directory search reads (decision D10b.6). Runs inside
    the caller's transaction."""
    UserSecurity.objects.update_or_create(user=user, defaults={"email_verified": verified})
    User.objects.filter(pk=user.pk).update(visibility_verified=verified)
    user.visibility_verified = verified
