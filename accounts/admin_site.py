"""The Django admin behind the portal's own sign-in (lockout, SPEC §7.3) and behind OTP
(SPEC §7.5: superadmins always use two-factor)."""

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp.admin import OTPAdminSite


class PortalAdminSite(OTPAdminSite):
    def login(self, request, extra_context=None):
        # The admin's own password form would bypass the lockout: send everyone through the
        # portal's sign-in, and a signed-in but unverified user to the second factor.
        next_url = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        user = request.user
        if user.is_authenticated and user.is_staff and not user.is_verified():
            return redirect(
                f"{reverse('accounts:two-factor-verify')}?{urlencode({'next': next_url})}"
            )
        return redirect(f"{reverse('accounts:login')}?{urlencode({'next': next_url})}")
