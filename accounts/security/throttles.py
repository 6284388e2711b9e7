"""API throttles (SPEC §7.9): per token and per user, counted in the shared cache (Redis in
production, which start-up insists on), so every worker sees the same counts. Anonymous
calls never reach a throttle (DRF authenticates and checks permissions first: they are
answered 401 at once).

Rates come from settings.API_THROTTLE_RATES, read per request so that tests and operators
can change them without re-importing DRF's settings."""

import logging
import os

from django.conf import settings
from redis.exceptions import RedisError
from rest_framework.throttling import SimpleRateThrottle

logger = logging.getLogger(__name__)

# DRF's sliding window (a call is allowed while fewer than `limit` calls fell in the last
# `duration` seconds) in one Redis round trip instead of a GET and a SET of the whole history
# (issue 15): a sorted set of call times per key. Returns the oldest call time when refused.
WINDOW = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  return redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2]
end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[2])))
return false
"""
_scripts: dict[str, object] = {}


def _window_script():
    """The script on the cache's Redis, or None when the cache is not Redis (development)."""
    url = settings.REDIS_URL
    backend = settings.CACHES["default"]["BACKEND"]
    if not url or not backend.endswith("RedisCache"):
        return None
    script = _scripts.get(url)
    if script is None:
        import redis

        script = _scripts[url] = redis.Redis.from_url(url).register_script(WINDOW)
    return script


class _SettingsRateThrottle(SimpleRateThrottle):
    def get_rate(self):
        return settings.API_THROTTLE_RATES[self.scope]

    def allow_request(self, request, view):
        script = _window_script()
        if script is None:
            # Redis down (D15b.4): the API's fair-use limits are not counted rather than the
            # whole API refused; sign-in and email limits fail closed (ratelimit.py).
            try:
                return super().allow_request(request, view)
            except RedisError as exc:
                logger.warning("API throttle not counted (cache unavailable): %s", exc)
                return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        try:
            oldest = script(
                keys=[f"throttle-window:{self.key}"],
                args=[
                    self.now,
                    self.duration,
                    self.num_requests,
                    f"{self.now}:{os.urandom(6).hex()}",
                ],
            )
        except RedisError as exc:
            logger.warning("API throttle not counted (cache unavailable): %s", exc)
            return True
        if oldest is None:
            return True
        self.history = [float(oldest)]
        return False

    def wait(self):
        if _window_script() is None:
            return super().wait()
        # Refused: the window frees a place when its oldest call leaves it.
        return max(self.duration - (self.now - self.history[-1]), 1)


class UserThrottle(_SettingsRateThrottle):
    """Every signed-in caller, whichever way it authenticated (session or token)."""

    scope = "user"

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class TokenThrottle(_SettingsRateThrottle):
    """One personal token (SPEC §7.8): a script cannot use a user's whole allowance."""

    scope = "token"

    def get_cache_key(self, request, view):
        token_id = getattr(request.auth, "throttle_id", None)
        if token_id is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": token_id}
