"""The Django admin for accounts' own security models (the user pages are
companies/user_admin.py, which needs the companies layer)."""

from django.contrib import admin, messages

from .models import PersonalToken
from .security.services.tokens import token_revoke


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

    @admin.action(description="Revoke the selected tokens", permissions=["view"])
    def revoke(self, request, queryset):
        count = sum(token_revoke(token=t, actor=request.user, reason="operator") for t in queryset)
        self.message_user(request, f"{count} token(s) revoked.", messages.SUCCESS)
