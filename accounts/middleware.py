"""Session rules that apply to every request: idle timeout, a password session its company's
"SSO required" rule now refuses (SPEC §7.6), and the second factor that must come before
anything else (SPEC §7.5)."""

from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.redirects import with_next
from rainbow_portal.exceptions import error_body

from .security import external, services
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
        # Asked on every request, not only at sign-in: the rule may come to apply to a session
        # already open (SSO switched on, break-glass role lost, joined such a company). One
        # small query; a session an IdP signed in answers for itself and costs none.
        if not request.session.get(services.SESSION_IDENTITY_PROVIDER) and (
            external.password_refusal(user=user)
        ):
            return self._sso_required(request)
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

    def _sso_required(self, request):
        services.session_end(request=request, reason="sso_required")
        message = _(
            "You were signed out because your company requires signing in through its "
            "identity provider. Enter your email address and choose “Continue” to sign in "
            "there."
        )
        if request.path.startswith("/api/"):
            return JsonResponse(error_body("sso_required", message), status=401)
        messages.info(request, message)
        return redirect(with_next(reverse("accounts:login"), request.get_full_path()))

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
