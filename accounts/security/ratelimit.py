"""Fixed-window counters in the Django cache (Redis in CI and production, locmem locally)."""

import functools
import logging
import time
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _
from redis.exceptions import RedisError

from rainbow_portal.crypto import keyed_digest
from rainbow_portal.exceptions import ApplicationError, ServiceUnavailable

logger = logging.getLogger(__name__)


# Redis down (D15b.4): what needs a count fails closed, with a message; nothing is done
# unprotected. Clearing a counter is best effort (it expires by itself).
UNAVAILABLE = _(
    "This is paused for a few minutes: the service that protects accounts against password "
    "guessing and abuse is not answering. Please try again shortly."
)


def _guarded(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except RedisError as exc:
            logger.error("Rate-limit cache unavailable: %s", exc)
            raise ServiceUnavailable(str(UNAVAILABLE)) from exc

    return wrapper


def _key(bucket: str, value: str) -> str:
    # Hashed so that neither IPs nor emails sit readable in the cache; the digest version is
    # in the key, so a counter restarts once when the digest changes (D10c.1).
    digest = keyed_digest(f"ratelimit:{bucket}", value).replace(":", "")
    return f"rl:{bucket}:{digest[:42]}"


@_guarded
def count(bucket: str, value: str) -> int:
    return int(cache.get(_key(bucket, value)) or 0)


@_guarded
def hit(bucket: str, value: str, *, window: int, amount: int = 1) -> int:
    """Add `amount` to the counter and return the new count."""
    key = _key(bucket, value)
    if cache.add(key, amount, timeout=window):
        return amount
    try:
        return cache.incr(key, amount)
    except ValueError:  # expired between add and incr
        cache.set(key, amount, timeout=window)
        return amount


def clear(bucket: str, value: str) -> None:
    try:
        cache.delete(_key(bucket, value))
    except RedisError as exc:
        logger.warning("Rate-limit counter not cleared (cache unavailable): %s", exc)


@_guarded
def state_get(bucket: str, value: str):
    """A small value kept under the hashed key (the sign-in lock clock of unknown addresses)."""
    return cache.get(_key(bucket, value))


@_guarded
def state_set(bucket: str, value: str, state, *, timeout: int) -> None:
    cache.set(_key(bucket, value), state, timeout=timeout)


# --- Actions that send email (SPEC §7.9) -------------------------------------------------------


class RateLimited(ApplicationError):
    """A limit said "not now". The API answers 429 with Retry-After; pages show the message,
    which says when to try again."""

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message, code="rate_limited")
        self.retry_after = max(1, int(retry_after))


def _wait_words(seconds: int) -> str:
    if seconds < 90:
        return "in a minute"
    minutes = -(-seconds // 60)
    if minutes < 90:
        return f"in {minutes} minutes"
    hours = -(-minutes // 60)
    return f"in {hours} hours"


def retry_message(seconds: int) -> str:
    return f"Too many emails were sent this way recently. Try again {_wait_words(seconds)}."


def _windowed(bucket: str, window: int, now: float) -> tuple[str, int]:
    # Fixed windows counted from the epoch: the key names its window, so "retry after" is
    # known without asking the cache for a TTL (same answer on Redis and locmem).
    index = int(now // window)
    return f"{bucket}:{window}:{index}", int((index + 1) * window - now)


def email_action_limit(
    *,
    action: str,
    user=None,
    company=None,
    address: str = "",
    addresses: Iterable[str] = (),
    emails: int | None = None,
) -> None:
    """Count the emails of `action` against settings.EMAIL_ACTION_LIMITS (per user, per
    company, per address; each optional) and raise RateLimited, counting nothing, when any
    limit would be passed. Call it inside the service, before sending.

    `user` and `company` are instances or ids. A batch names its recipients in `addresses`
    (each counted once per address; the user and company count them all); `emails`
    overrides the number counted for the user and the company."""
    limits = settings.EMAIL_ACTION_LIMITS.get(action)
    if limits is None:
        raise KeyError(f"No email limits are configured for the action {action!r}.")
    recipients = [a.strip().lower() for a in ([address] if address else []) + list(addresses)]
    recipients = [a for a in dict.fromkeys(recipients) if a]
    total = emails if emails is not None else max(1, len(recipients))
    subjects = [("user", getattr(user, "pk", user), total)]
    subjects.append(("company", getattr(company, "pk", company), total))
    subjects += [("address", a, 1) for a in recipients]
    now = time.time()
    checks = []
    for scope, value, amount in subjects:
        if value in (None, "") or scope not in limits:
            continue
        allowed, window = limits[scope]
        bucket, retry_after = _windowed(f"mail:{action}:{scope}", window, now)
        if count(bucket, str(value)) + amount > allowed:
            raise RateLimited(retry_message(retry_after), retry_after=retry_after)
        checks.append((bucket, str(value), window, amount))
    # Checked, then counted: two requests at the same instant may pass a limit by one batch.
    for bucket, value, window, amount in checks:
        hit(bucket, value, window=window, amount=amount)
