"""The Django admin for accounts' own security models (the user pages are
companies/user_admin.py, which needs the companies layer)."""

from django.contrib import admin, messages
from django.contrib.auth import admin as auth_admin  # noqa: F401  (registers Group first)
from django.contrib.auth.models import Group
from django_otp.plugins.otp_totp import admin as otp_totp_admin  # noqa: F401  (likewise)
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import PersonalToken
from .security.services.tokens import token_revoke

# Registered by autodiscovery, written around the services: django-otp's device pages (delete
# anyone's authenticator, show the sealed seed, a QR page that cannot read it: SPEC §7.5) and
# Django's group pages (a staff member could add any permission to their own group, SPEC §3.2;
# permissions are granted per user by a superadmin, through `user_admin_update`). Both modules
# are imported above, so they have registered by now, whatever the app order.
for model in (TOTPDevice, Group):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(PersonalToken)
class PersonalTokenAdmin(admin.ModelAdmin):
    """Personal API tokens (SPEC §7.8), read only: never the secret (only its hash exists),
    with one action, revoke, through the service (one activity record per token)."""

    list_display = ["name", "user", "scope", "created_at", "expires_at", "last_used_at", "status"]
    list_filter = ["scope"]
    search_fields = ["user__email", "name"]
    list_select_related = ["user"]
    exclude = ["secret_hash", "prefix"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_revoke_permission(self, request):
        # An action that changes state needs the change permission, not only the view one;
        # the change form itself stays closed (has_change_permission above).
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    @admin.action(description="Revoke the selected tokens", permissions=["revoke"])
    def revoke(self, request, queryset):
        count = sum(token_revoke(token=t, actor=request.user, reason="operator") for t in queryset)
        self.message_user(request, f"{count} token(s) revoked.", messages.SUCCESS)
