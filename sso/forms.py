"""Input shape for the identity-provider pages; the rules live in the services."""

from django import forms
from django.utils.translation import gettext_lazy

from core.validation import validate_name

from .models import IdentityProvider

PEM_HELP = "Paste one or more PEM certificates; several at once during a certificate rollover."


class SamlProviderForm(forms.Form):
    name = forms.CharField(max_length=100, validators=[validate_name])
    enabled = forms.BooleanField(required=False)
    enforces_mfa = forms.BooleanField(
        required=False,
        label=gettext_lazy("The provider enforces multi-factor sign-in"),
        help_text=gettext_lazy(
            "When checked, people who sign in through it are not asked "
            "for the portal's second factor as well."
        ),
    )
    saml_metadata_url = forms.URLField(
        required=False, max_length=1000, label=gettext_lazy("Metadata URL"), assume_scheme="https"
    )
    saml_metadata_xml = forms.CharField(
        required=False,
        max_length=1024 * 1024,
        label=gettext_lazy("Or paste the metadata XML"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    saml_entity_id = forms.CharField(
        required=False, max_length=500, label=gettext_lazy("Or: IdP entity ID")
    )
    saml_sso_url = forms.URLField(
        required=False,
        max_length=1000,
        label=gettext_lazy("IdP single sign-on URL"),
        assume_scheme="https",
    )
    saml_slo_url = forms.URLField(
        required=False,
        max_length=1000,
        label=gettext_lazy("IdP single logout URL"),
        assume_scheme="https",
    )
    saml_certificates = forms.CharField(
        required=False,
        label=gettext_lazy("IdP signing certificates"),
        help_text=PEM_HELP,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    saml_allow_idp_initiated = forms.BooleanField(
        required=False,
        label=gettext_lazy("Accept sign-ins started at the provider (IdP-initiated)"),
        help_text=gettext_lazy(
            "Off is safer: the portal then accepts only answers to its own requests."
        ),
    )


class OidcProviderForm(forms.Form):
    name = forms.CharField(max_length=100, validators=[validate_name])
    enabled = forms.BooleanField(required=False)
    enforces_mfa = SamlProviderForm.base_fields["enforces_mfa"]
    oidc_discovery_url = forms.URLField(
        max_length=1000,
        label=gettext_lazy("Discovery URL"),
        assume_scheme="https",
        help_text=gettext_lazy("Ends with /.well-known/openid-configuration."),
    )
    oidc_client_id = forms.CharField(max_length=255, label=gettext_lazy("Client ID"))
    client_secret = forms.CharField(
        required=False,
        max_length=1000,
        label=gettext_lazy("Client secret"),
        strip=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=gettext_lazy(
            "Stored encrypted and never shown again. Leave empty to keep the current one."
        ),
    )
    oidc_scopes = forms.CharField(
        max_length=200, initial="openid email profile", label=gettext_lazy("Scopes")
    )
    oidc_email_claim = forms.CharField(
        max_length=100, initial="email", label=gettext_lazy("Email claim")
    )


FORMS = {IdentityProvider.Kind.SAML: SamlProviderForm, IdentityProvider.Kind.OIDC: OidcProviderForm}


class SsoSettingsForm(forms.Form):
    require_sso = forms.BooleanField(
        required=False,
        label=gettext_lazy("Members must sign in through the company's identity provider"),
    )
    jit_provisioning = forms.BooleanField(
        required=False,
        label=gettext_lazy(
            "Create an account at first sign-in (only for the company's own email domains)"
        ),
    )
    break_glass_users = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        label=gettext_lazy("Admins who keep email and password (break-glass)"),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, admins=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["break_glass_users"].queryset = admins
