"""Writes for a company's identity-provider configuration (SPEC §7.6). Each service checks
its own policy, validates, saves and writes one activity record."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import activity
from companies.selectors import user_roles
from rainbow_portal.exceptions import ApplicationError

from .. import fetch, oidc, saml
from ..models import (
    CompanySsoSettings,
    ConnectionTest,
    IdentityProvider,
    SamlRequest,
    SeenAssertion,
)
from ..policies import (
    OWN_ADMIN_ROLES,
    company_may_use_sso,
    require_can_manage_identity_providers,
)

SAML_FIELDS = (
    "saml_entity_id",
    "saml_sso_url",
    "saml_slo_url",
    "saml_certificates",
    "saml_metadata_url",
    "saml_allow_idp_initiated",
)
OIDC_FIELDS = ("oidc_discovery_url", "oidc_client_id", "oidc_scopes", "oidc_email_claim")
COMMON_FIELDS = ("name", "enabled", "enforces_mfa")
EDITABLE = {
    IdentityProvider.Kind.SAML: COMMON_FIELDS + SAML_FIELDS,
    IdentityProvider.Kind.OIDC: COMMON_FIELDS + OIDC_FIELDS,
}


def _refuse(field: str, message: str):
    raise ApplicationError(message, fields={field: [message]})


def _refuse_default_company(company) -> None:
    # No field named: the page shows it above the form, the API as the error's message.
    if not company_may_use_sso(company=company):
        raise ApplicationError(
            _(
                "The default company holds standalone users, who belong to no company: they "
                "sign in with their own email and password, never through an identity "
                "provider."
            ),
            code="default_company",
        )


def _apply_saml_metadata(provider: IdentityProvider, xml: str) -> None:
    try:
        meta = saml.parse_idp_metadata(xml)
    except saml.MetadataError as exc:
        _refuse("saml_metadata_xml", str(exc))
    provider.saml_entity_id = meta.entity_id
    provider.saml_sso_url = meta.sso_url
    provider.saml_slo_url = meta.slo_url
    provider.saml_certificates = meta.certificates_pem


def _fetch_saml_metadata(provider: IdentityProvider) -> None:
    try:
        status, body, _headers = fetch.get(provider.saml_metadata_url)
    except fetch.FetchError as exc:
        _refuse("saml_metadata_url", str(exc))
    if status != 200:
        _refuse("saml_metadata_url", f"The metadata URL answered {status}.")
    _apply_saml_metadata(provider, body.decode("utf-8", errors="replace"))


def _apply_discovery(provider: IdentityProvider) -> None:
    try:
        document = oidc.discover(provider.oidc_discovery_url)
        jwks = oidc.fetch_jwks(document["jwks_uri"])
    except oidc.OidcError as exc:
        _refuse("oidc_discovery_url", exc.detail)
    provider.oidc_issuer = document["issuer"]
    provider.oidc_authorization_endpoint = document["authorization_endpoint"]
    provider.oidc_token_endpoint = document["token_endpoint"]
    provider.oidc_userinfo_endpoint = document.get("userinfo_endpoint") or ""
    provider.oidc_jwks_uri = document["jwks_uri"]
    provider.oidc_jwks = jwks


def _validate(provider: IdentityProvider, *, metadata_xml: str = "") -> None:
    """Shape and protocol checks; fetches metadata/discovery when a URL is given."""
    if provider.kind == IdentityProvider.Kind.SAML:
        if metadata_xml.strip():
            _apply_saml_metadata(provider, metadata_xml)
        elif provider.saml_metadata_url:
            refusal = fetch.url_refusal(provider.saml_metadata_url)
            if refusal:
                _refuse("saml_metadata_url", refusal)
            _fetch_saml_metadata(provider)
        if not provider.saml_entity_id:
            _refuse("saml_entity_id", "Give the IdP's metadata, or its entity ID.")
        if not provider.saml_sso_url:
            _refuse("saml_sso_url", "Give the IdP's metadata, or its single sign-on URL.")
        for field in ("saml_sso_url", "saml_slo_url"):
            value = getattr(provider, field)
            if value and not value.startswith("https://") and not fetch._loopback_allowed():
                _refuse(field, "The URL must start with https://.")
        if provider.saml_certificates and not saml.certificates(provider.saml_certificates):
            _refuse("saml_certificates", "No PEM certificate could be read from this text.")
        if not saml.certificates(provider.saml_certificates):
            _refuse("saml_certificates", "Give at least one signing certificate of the IdP.")
    else:
        if not provider.oidc_discovery_url:
            _refuse("oidc_discovery_url", "Give the provider's discovery URL.")
        refusal = fetch.url_refusal(provider.oidc_discovery_url)
        if refusal:
            _refuse("oidc_discovery_url", refusal)
        if not provider.oidc_client_id:
            _refuse("oidc_client_id", "Give the client ID the provider issued.")
        if "openid" not in provider.oidc_scopes.split():
            _refuse("oidc_scopes", "The scopes must include openid.")
        _apply_discovery(provider)
    clash = IdentityProvider.objects.filter(
        company=provider.company_id, name__iexact=provider.name
    ).exclude(pk=provider.pk)
    if clash.exists():
        _refuse("name", "Another provider of this company already has this name.")
    try:
        provider.full_clean(exclude=["company"], validate_constraints=False)
    except ValidationError as exc:
        raise ApplicationError(
            _("Check the highlighted fields."), fields=exc.message_dict
        ) from None


@transaction.atomic
def identity_provider_create(
    *, company, kind: str, actor, metadata_xml: str = "", client_secret: str = "", **fields
) -> IdentityProvider:
    require_can_manage_identity_providers(actor=actor, company=company)
    _refuse_default_company(company)
    if kind not in IdentityProvider.Kind.values:
        _refuse("kind", "Choose SAML v2 or OpenID Connect.")
    unknown = set(fields) - set(EDITABLE[kind])
    if unknown:
        raise ApplicationError("Unknown fields: " + ", ".join(sorted(unknown)))
    provider = IdentityProvider(company=company, kind=kind, **fields)
    if kind == IdentityProvider.Kind.OIDC:
        if not client_secret:
            _refuse("client_secret", "Give the client secret the provider issued.")
        provider.oidc_client_secret_sealed = oidc.seal_client_secret(provider, client_secret)
    _validate(provider, metadata_xml=metadata_xml)
    provider.metadata_fetched_at = timezone.now()
    provider.metadata_status = "Read when the provider was added."
    if not IdentityProvider.objects.filter(company=company, is_default=True).exists():
        provider.is_default = True
    provider.save()
    activity.record(
        event="sso.provider.created",
        actor=actor,
        company=company,
        target=provider,
        data={"kind": kind, "enabled": provider.enabled},
    )
    return provider


@transaction.atomic
def identity_provider_update(
    *, provider: IdentityProvider, actor, metadata_xml: str = "", client_secret: str = "", **fields
) -> IdentityProvider:
    require_can_manage_identity_providers(actor=actor, company=provider.company)
    # One made on the default company before this refusal existed can only be deleted.
    _refuse_default_company(provider.company)
    provider = IdentityProvider.objects.select_for_update().get(pk=provider.pk)
    unknown = set(fields) - set(EDITABLE[provider.kind])
    if unknown:
        raise ApplicationError("Unknown fields: " + ", ".join(sorted(unknown)))
    changed = sorted(k for k, v in fields.items() if getattr(provider, k) != v)
    for key, value in fields.items():
        setattr(provider, key, value)
    if client_secret:
        provider.oidc_client_secret_sealed = oidc.seal_client_secret(provider, client_secret)
        changed.append("client_secret")
    if metadata_xml.strip():
        changed.append("metadata")
    _validate(provider, metadata_xml=metadata_xml)
    provider.save()
    activity.record(
        event="sso.provider.updated",
        actor=actor,
        company=provider.company,
        target=provider,
        data={"fields": changed},
    )
    return provider


@transaction.atomic
def identity_provider_set_default(*, provider: IdentityProvider, actor) -> IdentityProvider:
    require_can_manage_identity_providers(actor=actor, company=provider.company)
    IdentityProvider.objects.filter(company=provider.company, is_default=True).exclude(
        pk=provider.pk
    ).update(is_default=False)
    IdentityProvider.objects.filter(pk=provider.pk).update(is_default=True)
    provider.is_default = True
    activity.record(
        event="sso.provider.updated",
        actor=actor,
        company=provider.company,
        target=provider,
        data={"fields": ["is_default"]},
    )
    return provider


@transaction.atomic
def identity_provider_delete(*, provider: IdentityProvider, actor) -> None:
    require_can_manage_identity_providers(actor=actor, company=provider.company)
    company = provider.company
    was_default = provider.is_default
    activity.record(
        event="sso.provider.deleted",
        actor=actor,
        company=company,
        target=provider,
        data={"kind": provider.kind},
    )
    provider.delete()
    if was_default:
        successor = IdentityProvider.objects.filter(company=company).order_by("created_at").first()
        if successor:
            IdentityProvider.objects.filter(pk=successor.pk).update(is_default=True)


def identity_provider_refresh(*, provider_id, actor=None) -> IdentityProvider | None:
    """Fetch the metadata (SAML) or discovery + keys (OIDC) again; the outcome is kept on
    the row and shown on the Security page. Used by the beat job (actor None)."""
    provider = IdentityProvider.objects.filter(pk=provider_id).select_related("company").first()
    if provider is None:
        return None
    fresh = IdentityProvider.objects.get(pk=provider.pk)
    try:
        if provider.kind == IdentityProvider.Kind.SAML:
            if not provider.saml_metadata_url:
                return provider
            _fetch_saml_metadata(fresh)
        else:
            _apply_discovery(fresh)
    except ApplicationError as exc:
        with transaction.atomic():
            IdentityProvider.objects.filter(pk=provider.pk).update(
                metadata_fetched_at=timezone.now(), metadata_status=f"Failed: {exc.message}"[:300]
            )
            activity.record(
                event="sso.metadata.failed",
                actor=actor,
                company=provider.company,
                target=provider,
                data={"reason": exc.message[:200]},
            )
        return provider
    with transaction.atomic():
        fresh.metadata_fetched_at = timezone.now()
        fresh.metadata_status = "Fetched and read."
        fresh.save()
        activity.record(
            event="sso.metadata.refreshed",
            actor=actor,
            company=provider.company,
            target=provider,
        )
    return fresh


@transaction.atomic
def company_sso_settings_set(
    *, company, actor, require_sso: bool, jit_provisioning: bool, break_glass_users=()
) -> CompanySsoSettings:
    require_can_manage_identity_providers(actor=actor, company=company)
    _refuse_default_company(company)
    # A break-glass user must be one of the company's own admins: the person who can undo a
    # broken IdP configuration.
    users = list(break_glass_users)
    for user in users:
        if user.company_id != company.pk or not (user_roles(user=user) & OWN_ADMIN_ROLES):
            _refuse("break_glass_users", f"{user.email} is not an admin of this company.")
    if require_sso and not users:
        _refuse(
            "break_glass_users",
            "Name at least one admin who keeps email and password, in case the provider fails.",
        )
    if require_sso and not IdentityProvider.objects.filter(company=company, enabled=True).exists():
        _refuse("require_sso", "Enable an identity provider before requiring it.")
    row, _created = CompanySsoSettings.objects.select_for_update().get_or_create(company=company)
    row.require_sso = require_sso
    row.jit_provisioning = jit_provisioning
    row.save()
    row.break_glass_users.set(users)
    activity.record(
        event="sso.settings.updated",
        actor=actor,
        company=company,
        data={
            "require_sso": require_sso,
            "jit_provisioning": jit_provisioning,
            "break_glass_count": len(users),
        },
    )
    return row


def expired_state_purge() -> int:
    """Forget AuthnRequests past their lifetime and assertions past NotOnOrAfter + skew (the
    replay cache only needs an ID while the assertion could still be accepted), and
    connection tests older than a day."""
    now = timezone.now()
    removed, _count = SeenAssertion.objects.filter(expires_at__lt=now).delete()
    gone, _count = SamlRequest.objects.filter(expires_at__lt=now).delete()
    # A connection test shows what an IdP asserted about a person: kept a day, for the admin.
    tests, _count = ConnectionTest.objects.filter(created_at__lt=now - timedelta(days=1)).delete()
    return removed + gone + tests
