"""The sign-in lock clock of SPEC §7.3, one for a real account and an unknown address:
failures older than 60 minutes no longer count, the fifth within 60 minutes locks for 60
minutes, a failure during the lock restarts it. Sign-in and the password-change page count
on it alike."""

from datetime import UTC, datetime

from django.conf import settings

import activity

from ...models import User, UserSecurity
from .. import ratelimit
from .common import LOCK_AFTER_FAILURES, LOCK_DURATION


def failure_counted(failures: list, locked_until, now) -> tuple[list, object, bool]:
    """One failed password on the lock clock of SPEC §7.3, the same for a real account and
    an unknown address: failures older than 60 minutes no longer count, the fifth within 60
    minutes locks, a failure during the lock restarts it. `failures` are epoch seconds;
    `locked_until` a datetime or None. Returns (failures, locked_until, locked)."""
    if locked_until is not None and locked_until > now:
        return failures, now + LOCK_DURATION, True
    if locked_until is not None:  # the lock ran out: a fresh count
        failures = []
    stamp = now.timestamp()
    window = LOCK_DURATION.total_seconds()
    recent = [t for t in failures if stamp - t < window][-(LOCK_AFTER_FAILURES - 1) :]
    recent.append(stamp)
    if len(recent) >= LOCK_AFTER_FAILURES:
        return recent, now + LOCK_DURATION, True
    return recent, None, False


def account_failure(*, user: User, security: UserSecurity, now, ip: str, reason: str) -> bool:
    """A wrong password of a real account, at sign-in or as the current password on the
    change page (SPEC §7.3: both count toward the same lock). True when it is locked."""
    was_locked = bool(security.locked_until and security.locked_until > now)
    failures, locked_until, locked = failure_counted(
        security.recent_failures, security.locked_until, now
    )
    security.recent_failures = failures
    security.failed_logins = len(failures)
    security.locked_until = locked_until
    security.save(update_fields=["recent_failures", "failed_logins", "locked_until"])
    if ip:
        ratelimit.hit("login-ip", ip, window=settings.ACCOUNT_IP_WINDOW)
    if was_locked:
        # SPEC §7.3: a failed attempt during the lock restarts it.
        activity.record(
            event="user.login.failed",
            company=user.company_id,
            target=user,
            ip=ip,
            data={"reason": "locked", "lock_restarted": True},
        )
        return True
    activity.record(
        event="user.login.failed",
        company=user.company_id,
        target=user,
        ip=ip,
        data={"reason": reason, "failures": security.failed_logins},
    )
    if locked:
        activity.record(
            event="user.locked",
            company=user.company_id,
            target=user,
            ip=ip,
            data={"minutes": int(LOCK_DURATION.total_seconds() // 60)},
        )
    return locked


def failures_clear(security: UserSecurity) -> None:
    security.failed_logins = 0
    security.recent_failures = []
    security.locked_until = None
    security.save(update_fields=["failed_logins", "recent_failures", "locked_until"])


def unknown_address_failure(email: str, now) -> bool:
    """Count a failure for an address without an account; True when it answers "locked".
    Kept in the shared cache, on the same clock as a real account's."""
    state = ratelimit.state_get("login-email", email) or {}
    until = state.get("locked_until")
    failures, locked_until, locked = failure_counted(
        state.get("failures", []),
        datetime.fromtimestamp(until, tz=UTC) if until else None,
        now,
    )
    ratelimit.state_set(
        "login-email",
        email,
        {"failures": failures, "locked_until": locked_until.timestamp() if locked_until else None},
        timeout=int(2 * LOCK_DURATION.total_seconds()),
    )
    return locked
