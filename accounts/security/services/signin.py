"""Password sign-in and lockout (SPEC §7.3), and an operator's unlock."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

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
    LOCK_AFTER_FAILURES,
    LOCK_DURATION,
    LOCKED,
    UNVERIFIED,
    Outcome,
    _ip_throttled,
    _security_for_update,
)

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
        window = int(LOCK_DURATION.total_seconds())
        failures = ratelimit.hit("login-email", email, window=window)
        if failures > LOCK_AFTER_FAILURES:  # restarted like a real lock
            ratelimit.restart("login-email", email, at_least=failures, window=window)
        activity.record(event="user.login.failed", ip=ip, data={"reason": "unknown_email"})
        return Outcome(error=LOCKED if failures >= LOCK_AFTER_FAILURES else INVALID_LOGIN)

    security = _security_for_update(user)
    password_ok = user.check_password(password) and user.is_active
    if security.locked_until and security.locked_until > now:
        if not password_ok:
            # SPEC §7.3: a failed attempt during the lock restarts it.
            security.locked_until = now + LOCK_DURATION
            security.save(update_fields=["locked_until"])
            if ip:
                ratelimit.hit("login-ip", ip, window=settings.ACCOUNT_IP_WINDOW)
        activity.record(
            event="user.login.failed",
            actor=None,
            company=user.company_id,
            target=user,
            ip=ip,
            data={"reason": "locked", "lock_restarted": not password_ok},
        )
        return Outcome(error=LOCKED)
    lock_ran_out = security.locked_until is not None
    if lock_ran_out:  # a fresh count
        security.locked_until = None
        security.failed_logins = 0

    if not password_ok:
        security.failed_logins += 1
        locked = security.failed_logins >= LOCK_AFTER_FAILURES
        if locked:
            security.locked_until = now + LOCK_DURATION
        security.save(update_fields=["failed_logins", "locked_until"])
        if ip:
            ratelimit.hit("login-ip", ip, window=settings.ACCOUNT_IP_WINDOW)
        activity.record(
            event="user.login.failed",
            company=user.company_id,
            target=user,
            ip=ip,
            data={"reason": "password", "failures": security.failed_logins},
        )
        if locked:
            activity.record(
                event="user.locked",
                company=user.company_id,
                target=user,
                ip=ip,
                data={"minutes": int(LOCK_DURATION.total_seconds() // 60)},
            )
            return Outcome(error=LOCKED)
        return Outcome(error=INVALID_LOGIN)

    if not security.email_verified:
        activity.record(
            event="user.login.failed",
            company=user.company_id,
            target=user,
            ip=ip,
            data={"reason": "unverified"},
        )
        return Outcome(error=UNVERIFIED)
    if security.failed_logins or lock_ran_out:
        security.failed_logins = 0
        security.save(update_fields=["failed_logins", "locked_until"])
    return Outcome(user=user)


@transaction.atomic
def account_unlock(*, user: User, actor) -> bool:
    """An operator lifts a sign-in lock (SPEC §7.3) without resetting the password. Returns
    whether the account was locked; an account that was not is left as it is, unrecorded."""
    security = _security_for_update(user)
    was_locked = bool(security.locked_until and security.locked_until > timezone.now())
    if not was_locked and not security.failed_logins:
        return False
    security.failed_logins = 0
    security.locked_until = None
    security.save(update_fields=["failed_logins", "locked_until"])
    transaction.on_commit(lambda: ratelimit.clear("login-email", user.email))
    activity.record(
        event="user.unlocked",
        actor=actor,
        company=user.company_id,
        target=user,
        data={"was_locked": was_locked},
    )
    return was_locked
