"""Session rules that apply to every request: idle timeout, and the second factor that must
come before anything else (SPEC §7.5)."""

from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.redirects import with_next
from rainbow_portal.exceptions import error_body

from .security import services
from .security.selectors import has_two_factor, two_factor_required

# Reachable while the second factor is pending: the two-factor pages and signing out.
TWO_FACTOR_OPEN_ROUTES = {
    "accounts:two-factor-verify",
    "accounts:two-factor-setup",
    "accounts:logout",
}


class AccountSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path.startswith("/static/"):
            return self.get_response(request)
        now = int(timezone.now().timestamp())
        last = request.session.get(services.SESSION_LAST_ACTIVITY)
        if last is not None and now - last > settings.SESSION_IDLE_TIMEOUT:
            services.session_end(request=request, reason="idle")
            messages.info(request, _("You were signed out after a period without activity."))
            return redirect(with_next(reverse("accounts:login"), request.get_full_path()))
        if last is None or now - last >= 60:  # one session write a minute, not per request
            request.session[services.SESSION_LAST_ACTIVITY] = now
            services.session_touch(request=request)
        if not user.is_verified() and (
            request.session.get(services.SESSION_TWO_FACTOR_PENDING)
            # Decided again on every request: a policy tightened, or an admin role granted,
            # after sign-in applies at once, whichever way the session was started.
            or two_factor_required(user=user)
        ):
            response = self._second_factor_first(request, user)
            if response is not None:
                return response
        return self.get_response(request)

    def _second_factor_first(self, request, user):
        try:
            route = resolve(request.path_info).view_name
        except Resolver404:
            route = ""
        if route in TWO_FACTOR_OPEN_ROUTES:
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(
                error_body("two_factor_required", "Finish signing in with your second factor."),
                status=403,
            )
        target = (
            "accounts:two-factor-verify"
            if has_two_factor(user=user)
            else ("accounts:two-factor-setup")
        )
        return redirect(with_next(reverse(target), request.get_full_path()))
