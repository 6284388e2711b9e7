"""Operators add, fix and remove companies' identity providers in the Django admin; every
change goes through the services (their checks, one activity record each), never a raw save.
A refused change shows the service's message and nothing is saved."""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy

from rainbow_portal.exceptions import ApplicationError

from .models import ConnectionTest, IdentityProvider
from .services import config

DISCOVERED = (
    "metadata_fetched_at",
    "metadata_status",
    "oidc_issuer",
    "oidc_authorization_endpoint",
    "oidc_token_endpoint",
    "oidc_userinfo_endpoint",
    "oidc_jwks_uri",
)


class IdentityProviderAdminForm(forms.ModelForm):
    # Not model fields: the metadata is read into the row, the secret is sealed.
    metadata_xml = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("SAML: paste the IdP's metadata instead of typing the fields."),
    )
    client_secret = forms.CharField(
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=gettext_lazy("OIDC: stored encrypted, never shown. Empty keeps the current one."),
    )

    class Meta:
        model = IdentityProvider
        fields = [
            "company",
            "kind",
            "name",
            "enabled",
            "enforces_mfa",
            "saml_entity_id",
            "saml_sso_url",
            "saml_slo_url",
            "saml_certificates",
            "saml_metadata_url",
            "saml_allow_idp_initiated",
            "oidc_discovery_url",
            "oidc_client_id",
            "oidc_scopes",
            "oidc_email_claim",
        ]


class _Refused(Exception):
    pass


@admin.register(IdentityProvider)
class IdentityProviderAdmin(admin.ModelAdmin):
    form = IdentityProviderAdminForm
    list_display = ("name", "company", "kind", "enabled", "is_default", "metadata_status")
    list_filter = ("kind", "enabled")
    search_fields = ("name", "company__name")
    actions = ["refresh_metadata"]

    def get_readonly_fields(self, request, obj=None):
        # Company and kind are chosen when the provider is added, then fixed.
        return DISCOVERED if obj is None else ("company", "kind", *DISCOVERED)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        kind = obj.kind
        fields = {
            name: data[name]
            for name in (form.changed_data if change else data)
            if name in config.EDITABLE[kind]
        }
        extra = {
            "metadata_xml": data.get("metadata_xml", ""),
            "client_secret": data.get("client_secret", ""),
        }
        try:
            if change:
                saved = config.identity_provider_update(
                    provider=IdentityProvider.objects.get(pk=obj.pk),
                    actor=request.user,
                    **extra,
                    **fields,
                )
            else:
                saved = config.identity_provider_create(
                    company=data["company"], kind=kind, actor=request.user, **extra, **fields
                )
        except ApplicationError as exc:
            details = " ".join(e for errors in exc.fields.values() for e in errors)
            raise _Refused(f"{exc.message} {details}".strip()) from None
        for field in IdentityProvider._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except _Refused as refused:
            self.message_user(request, str(refused), level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

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
