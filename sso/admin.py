"""Operators see and fix companies' identity providers in the Django admin; every change goes
through the services (one activity record each), never a raw save."""

from django.contrib import admin, messages

from rainbow_portal.exceptions import ApplicationError

from .models import ConnectionTest, IdentityProvider
from .services import config


@admin.register(IdentityProvider)
class IdentityProviderAdmin(admin.ModelAdmin):
    list_display = ("name", "company", "kind", "enabled", "is_default", "metadata_status")
    list_filter = ("kind", "enabled")
    search_fields = ("name", "company__name")
    readonly_fields = (
        "company",
        "kind",
        "is_default",
        "metadata_fetched_at",
        "metadata_status",
        "oidc_issuer",
        "oidc_authorization_endpoint",
        "oidc_token_endpoint",
        "oidc_userinfo_endpoint",
        "oidc_jwks_uri",
    )
    exclude = ("oidc_jwks", "oidc_client_secret_sealed")
    actions = ["refresh_metadata"]

    def has_add_permission(self, request):  # added by the company admin, or the API
        return False

    def save_model(self, request, obj, form, change):
        fields = {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if name in config.EDITABLE[obj.kind]
        }
        try:
            config.identity_provider_update(
                provider=IdentityProvider.objects.get(pk=obj.pk), actor=request.user, **fields
            )
        except ApplicationError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)

    def delete_model(self, request, obj):
        config.identity_provider_delete(provider=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            config.identity_provider_delete(provider=obj, actor=request.user)

    @admin.action(description="Fetch the metadata / discovery again")
    def refresh_metadata(self, request, queryset):
        for provider in queryset:
            fresh = config.identity_provider_refresh(provider_id=provider.pk, actor=request.user)
            self.message_user(request, f"{provider.name}: {fresh.metadata_status}")


@admin.register(ConnectionTest)
class ConnectionTestAdmin(admin.ModelAdmin):
    list_display = ("provider", "actor", "created_at", "ok", "reason")
    readonly_fields = [f.name for f in ConnectionTest._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
