"""Password sign-in and lockout (SPEC §7.3), and an operator's unlock."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import activity
from rainbow_portal.exceptions import ApplicationError

from ...models import (
    User,
    normalize_email,
)
from .. import ratelimit
from .common import (
    INVALID_LOGIN,
    IP_THROTTLED,
    LOCKED,
    UNVERIFIED,
    Outcome,
    _ip_throttled,
    _security_for_update,
)
from .lockout import account_failure, failures_clear, unknown_address_failure

# --- Sign-in and lockout (SPEC §7.3) ---------------------------------------------------------


def login_attempt(*, email: str, password: str, ip: str = "") -> User:
    """Check a password sign-in. Returns the user, or raises ApplicationError with a message
    that never says whether the email has an account (except to someone who knows its
    password)."""
    outcome = _login_attempt(email=normalize_email(email), password=password, ip=ip)
    if outcome.error:
        raise ApplicationError(outcome.error, code="login_refused")
    return outcome.user


@transaction.atomic
def _login_attempt(*, email: str, password: str, ip: str) -> Outcome:
    if _ip_throttled("login-ip", ip, settings.LOGIN_IP_FAILURE_LIMIT):
        activity.record(event="user.login.throttled", ip=ip)
        return Outcome(error=IP_THROTTLED)
    user = User.objects.filter(email=email).first() if email else None
    now = timezone.now()
    if user is None:
        # Same work and same answers as for a real account, lock included: no enumeration.
        User().set_password(password)
        if ip:
            ratelimit.hit("login-ip", ip, window=settings.ACCOUNT_IP_WINDOW)
        locked = unknown_address_failure(email, now)
        activity.record(event="user.login.failed", ip=ip, data={"reason": "unknown_email"})
        return Outcome(error=LOCKED if locked else INVALID_LOGIN)

    security = _security_for_update(user)
    # A closed account (is_active off, SPEC §8.2) with its right password is refused with
    # its own message below, and is not a failure: the person knows the password, so they
    # learn nothing by it, and five attempts must not leave a restored account locked.
    password_ok = user.check_password(password)
    if not password_ok:
        locked = account_failure(user=user, security=security, now=now, ip=ip, reason="password")
        return Outcome(error=LOCKED if locked else INVALID_LOGIN)
    if security.locked_until and security.locked_until > now:
        # The right password during the lock: refused, and the lock is left as it is.
        activity.record(
            event="user.login.failed",
            actor=None,
            company=user.company_id,
            target=user,
            ip=ip,
            data={"reason": "locked", "lock_restarted": False},
        )
        return Outcome(error=LOCKED)
    if not user.is_active:
        activity.record(
            event="user.login.failed",
            company=user.company_id,
            target=user,
            ip=ip,
            data={"reason": "closed"},
        )
        return Outcome(
            error=_(
                "This account is closed, so it cannot sign in. Your company's administrator "
                "can restore it during the thirty days after its closure; if you created the "
                "account yourself, follow the link we emailed you when it was closed."
            )
        )

    if not security.email_verified:
        activity.record(
            event="user.login.failed",
            company=user.company_id,
            target=user,
            ip=ip,
            data={"reason": "unverified"},
        )
        return Outcome(error=UNVERIFIED)
    if security.failed_logins or security.recent_failures or security.locked_until:
        failures_clear(security)
    return Outcome(user=user)


@transaction.atomic
def account_unlock(*, user: User, actor) -> bool:
    """An operator lifts a sign-in lock (SPEC §7.3) without resetting the password. Returns
    whether the account was locked; an account that was not is left as it is, unrecorded."""
    security = _security_for_update(user)
    was_locked = bool(security.locked_until and security.locked_until > timezone.now())
    if not was_locked and not security.failed_logins:
        return False
    failures_clear(security)
    transaction.on_commit(lambda: ratelimit.clear("login-email", user.email))
    activity.record(
        event="user.unlocked",
        actor=actor,
        company=user.company_id,
        target=user,
        data={"was_locked": was_locked},
    )
    return was_locked
