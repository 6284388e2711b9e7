"""API throttles (SPEC §7.9): per token and per user, counted in the shared cache (Redis in
production, which start-up insists on), so every worker sees the same counts. Anonymous
calls never reach a throttle (DRF authenticates and checks permissions first: they are
answered 401 at once).

Rates come from settings.API_THROTTLE_RATES, read per request so that tests and operators
can change them without re-importing DRF's settings."""

import logging

from django.conf import settings
from redis.exceptions import RedisError
from rest_framework.throttling import SimpleRateThrottle

logger = logging.getLogger(__name__)


class _SettingsRateThrottle(SimpleRateThrottle):
    def get_rate(self):
        return settings.API_THROTTLE_RATES[self.scope]

    def allow_request(self, request, view):
        # Redis down (D15b.4): the API's fair-use limits are not counted rather than the
        # whole API refused; sign-in and email limits fail closed (ratelimit.py).
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
