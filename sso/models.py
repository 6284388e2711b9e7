"""Identity providers per company and the short-lived state of SSO sign-ins (SPEC §7.6)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from companies.models import Company
from core.validation import validate_name


class IdentityProvider(models.Model):
    """A company's SAML v2 or OpenID Connect identity provider. A company may have several;
    at most one is its default (the one email-first sign-in sends its people to)."""

    class Kind(models.TextChoices):
        SAML = "saml", _("SAML v2")
        OIDC = "oidc", _("OpenID Connect")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="identity_providers"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(max_length=100, validators=[validate_name])
    enabled = models.BooleanField(default=False)
    is_default = models.BooleanField(default=False)
    # When the IdP itself asks for a second factor, the portal's own (SPEC §7.5) is not asked
    # again after an SSO sign-in through it.
    enforces_mfa = models.BooleanField("the provider enforces multi-factor", default=False)

    # SAML v2 (python3-saml)
    saml_entity_id = models.CharField("IdP entity ID", max_length=500, blank=True)
    saml_sso_url = models.URLField("IdP single sign-on URL", max_length=1000, blank=True)
    saml_slo_url = models.URLField("IdP single logout URL", max_length=1000, blank=True)
    # One or more PEM certificates: several at once during a rollover (x509certMulti).
    saml_certificates = models.TextField("IdP signing certificates (PEM)", blank=True)
    saml_metadata_url = models.URLField("IdP metadata URL", max_length=1000, blank=True)
    saml_allow_idp_initiated = models.BooleanField(
        "accept sign-ins started at the provider", default=False
    )
    metadata_fetched_at = models.DateTimeField(null=True, blank=True, editable=False)
    metadata_status = models.CharField(max_length=300, blank=True, editable=False)

    # OpenID Connect (mozilla-django-oidc)
    oidc_discovery_url = models.URLField("discovery URL", max_length=1000, blank=True)
    oidc_client_id = models.CharField("client ID", max_length=255, blank=True)
    # Sealed with the project's AES-GCM helper, bound to this row; never shown again.
    oidc_client_secret_sealed = models.BinaryField(blank=True, default=b"", editable=False)
    oidc_scopes = models.CharField(max_length=200, default="openid email profile")
    oidc_email_claim = models.CharField("claim holding the email", max_length=100, default="email")
    # What discovery said, cached (refreshed with the metadata job).
    oidc_issuer = models.CharField(max_length=1000, blank=True, editable=False)
    oidc_authorization_endpoint = models.URLField(max_length=1000, blank=True, editable=False)
    oidc_token_endpoint = models.URLField(max_length=1000, blank=True, editable=False)
    oidc_userinfo_endpoint = models.URLField(max_length=1000, blank=True, editable=False)
    oidc_jwks_uri = models.URLField(max_length=1000, blank=True, editable=False)
    oidc_jwks = models.JSONField(default=dict, blank=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["company_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["company"], condition=Q(is_default=True), name="sso_one_default_idp"
            ),
            models.UniqueConstraint(fields=["company", "name"], name="sso_idp_name_unique"),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def has_client_secret(self) -> bool:
        return bool(self.oidc_client_secret_sealed)


class CompanySsoSettings(models.Model):
    """Whether a company's people must sign in through its IdP, whether an assertion may
    create an account, and who keeps email + password as the break-glass way in."""

    company = models.OneToOneField(Company, on_delete=models.CASCADE, related_name="sso_settings")
    require_sso = models.BooleanField("members must sign in through the provider", default=False)
    jit_provisioning = models.BooleanField(
        "create accounts on first sign-in (only for the company's own domains)", default=False
    )
    break_glass_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+"
    )

    def __str__(self):
        return f"SSO settings of {self.company}"


class SamlRequest(models.Model):
    """An AuthnRequest the portal issued: the ACS accepts a response only InResponseTo one
    of these, once, before it expires. Kept in the database, not the session, because the
    IdP's POST to the ACS is cross-site and carries no SameSite=Lax session cookie."""

    class Purpose(models.TextChoices):
        LOGIN = "login", _("Sign-in")
        TEST = "test", _("Connection test")

    id = models.CharField(primary_key=True, max_length=100)
    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="+")
    purpose = models.CharField(max_length=10, choices=Purpose.choices, default=Purpose.LOGIN)
    next_url = models.CharField(max_length=500, blank=True)
    connection_test = models.ForeignKey(
        "ConnectionTest", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # Keyed digest of the binding cookie of the browser that started the sign-in: only that
    # browser's POST is accepted (login CSRF). Blank on rows made before it existed.
    browser_digest = models.CharField(max_length=80, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    consumed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self):
        return f"AuthnRequest {self.pk}"


class SeenAssertion(models.Model):
    """The replay cache: an assertion ID is accepted once, and remembered until its
    NotOnOrAfter plus the clock skew (python3-saml leaves this to the caller)."""

    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="+")
    assertion_id = models.CharField(max_length=255)
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "assertion_id"], name="sso_assertion_once"),
        ]
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self):
        return f"Assertion {self.assertion_id}"


class ConnectionTest(models.Model):
    """What an admin's "test connection" round trip saw: the IdP's assertion, or the precise
    reason it was refused. Nobody is signed in by a test."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="tests")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    ok = models.BooleanField(default=False)
    reason = models.CharField(max_length=500, blank=True)
    asserted = models.JSONField(default=dict, blank=True)

    def __str__(self):
        return f"Test of {self.provider} ({'ok' if self.ok else 'refused'})"
