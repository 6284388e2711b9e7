"""The Django admin behind the portal's own sign-in (lockout, SPEC §7.3) and behind OTP
(SPEC §7.5: superadmins always use two-factor)."""

from functools import wraps

from django.contrib.admin.exceptions import DisallowedModelAdminLookup
from django.http import QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp.admin import OTPAdminSite

from .policies import is_secret_lookup

# The admin keeps a changelist's filters in this parameter on the change and delete pages.
PRESERVED_FILTERS = "_changelist_filters"


def refuse_secret_lookups(query: QueryDict) -> None:
    """Django's ModelAdmin.lookup_allowed accepts any lookup on the model's own fields, so a
    `?secret_hash__startswith=` would read a hash out by the result count: refused as Django
    refuses a disallowed lookup (400), for every ModelAdmin of the site."""
    for key in query:
        if is_secret_lookup(key):
            raise DisallowedModelAdminLookup(f"Filtering by {key} not allowed")
    if PRESERVED_FILTERS in query:
        for value in query.getlist(PRESERVED_FILTERS):
            refuse_secret_lookups(QueryDict(value))


class PortalAdminSite(OTPAdminSite):
    def admin_view(self, view, cacheable=False):
        guarded = super().admin_view(view, cacheable)

        @wraps(guarded)
        def inner(request, *args, **kwargs):
            refuse_secret_lookups(request.GET)
            return guarded(request, *args, **kwargs)

        return inner

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
