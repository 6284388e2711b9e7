"""API throttles (SPEC §7.9): per token and per user, counted in the shared cache (Redis in
production, which start-up insists on), so every worker sees the same counts. Anonymous
calls never reach a throttle (DRF authenticates and checks permissions first: they are
answered 401 at once).

Rates come from settings.API_THROTTLE_RATES, read per request so that tests and operators
can change them without re-importing DRF's settings."""

import logging
import os
import time

from django.conf import settings
from redis.exceptions import RedisError
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

logger = logging.getLogger(__name__)

# DRF's sliding window (a call is allowed while fewer than `limit` calls fell in the last
# `duration` seconds) kept as a sorted set of call times per key, and both of SPEC §7.9's
# windows (the token's and the user's) checked and counted in one script, so one Redis round
# trip per API call (issue 15). A call is counted only when both windows allow it. Returns
# the seconds to wait when refused (as a string: Redis turns a Lua number into an integer).
# KEYS: one per window; ARGV: now, this call's member, then duration and limit per window.
WINDOWS = """
local now = tonumber(ARGV[1])
local wait = nil
for i, key in ipairs(KEYS) do
  local duration = tonumber(ARGV[1 + 2 * i])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - duration)
  if redis.call('ZCARD', key) >= tonumber(ARGV[2 + 2 * i]) then
    local oldest = tonumber(redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')[2])
    local left = duration - (now - oldest)
    if wait == nil or left > wait then wait = left end
  end
end
if wait ~= nil then return tostring(wait) end
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, ARGV[2])
  redis.call('EXPIRE', key, math.ceil(tonumber(ARGV[1 + 2 * i])))
end
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

        script = _scripts[url] = redis.Redis.from_url(url).register_script(WINDOWS)
    return script


class ApiThrottle(BaseThrottle):
    """Every API call: the limit per token (SPEC §7.8's tokens, so that a script cannot use
    a user's whole allowance) and the limit per user, whichever way they authenticated.
    Without Redis (development) the two are DRF's cache-based throttles below."""

    timer = time.time

    def allow_request(self, request, view):
        self._wait = None
        script = _window_script()
        if script is None:
            return self._allow_without_redis(request, view)
        user = request.user
        if not user or not user.is_authenticated:
            return True
        windows = [
            (f"throttle-window:{{user:{user.pk}}}:user", settings.API_THROTTLE_RATES["user"])
        ]
        token_id = getattr(request.auth, "throttle_id", None)
        if token_id is not None:
            windows.append(
                (
                    f"throttle-window:{{user:{user.pk}}}:token:{token_id}",
                    settings.API_THROTTLE_RATES["token"],
                )
            )
        now = self.timer()
        args = [now, f"{now}:{os.urandom(6).hex()}"]
        for _key, rate in windows:
            limit, duration = SimpleRateThrottle.parse_rate(None, rate)
            args += [duration, limit]
        try:
            wait = script(keys=[key for key, _rate in windows], args=args)
        except RedisError as exc:
            # Redis down (D15b.4): the API's fair-use limits are not counted rather than the
            # whole API refused; sign-in and email limits fail closed (ratelimit.py).
            logger.warning("API throttle not counted (cache unavailable): %s", exc)
            return True
        if wait is None:
            return True
        self._wait = max(float(wait), 1)
        return False

    def _allow_without_redis(self, request, view):
        for throttle_class in (TokenThrottle, UserThrottle):
            throttle = throttle_class()
            if not throttle.allow_request(request, view):
                self._wait = throttle.wait()
                return False
        return True

    def wait(self):
        return self._wait


class _SettingsRateThrottle(SimpleRateThrottle):
    """DRF's cache-based sliding window, for a cache that is not Redis."""

    def get_rate(self):
        return settings.API_THROTTLE_RATES[self.scope]

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except RedisError as exc:
            logger.warning("API throttle not counted (cache unavailable): %s", exc)
            return True


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
