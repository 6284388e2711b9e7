"""Fixed-window counters in the Django cache (Redis in CI and production, locmem locally)."""

from django.core.cache import cache

from rainbow_portal.crypto import keyed_digest


def _key(bucket: str, value: str) -> str:
    # Hashed so that neither IPs nor emails sit readable in the cache; the digest version is
    # in the key, so a counter restarts once when the digest changes (D10c.1).
    digest = keyed_digest(f"ratelimit:{bucket}", value).replace(":", "")
    return f"rl:{bucket}:{digest[:42]}"


def count(bucket: str, value: str) -> int:
    return int(cache.get(_key(bucket, value)) or 0)


def hit(bucket: str, value: str, *, window: int) -> int:
    """Add one to the counter and return the new count."""
    key = _key(bucket, value)
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        return 1


def restart(bucket: str, value: str, *, at_least: int, window: int) -> None:
    """Keep the counter at `at_least` and give it a fresh window (a lock restarted)."""
    cache.set(_key(bucket, value), max(at_least, count(bucket, value)), timeout=window)


def clear(bucket: str, value: str) -> None:
    cache.delete(_key(bucket, value))
