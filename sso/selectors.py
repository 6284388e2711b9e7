"""Reads for external sign-in. Company-scoped: a provider is found only with its company."""

from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from accounts.models import User
from companies.models import RoleAssignment

from .models import CompanySsoSettings, ConnectionTest, IdentityProvider


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].strip().lower()


def provider_for_email(*, email: str) -> IdentityProvider | None:
    """SPEC §7.6: routing by the address's domain alone, one query whatever the address:
    the enabled default provider of the company owning the domain (else any enabled one)."""
    domain = email_domain(email)
    if not domain:
        return None
    return (
        IdentityProvider.objects.select_related("company")
        # SPEC §2.2: the default company's people never go to an IdP (sso.policies).
        .filter(enabled=True, company__is_default=False, company__domains__domain__iexact=domain)
        .order_by("-is_default", "created_at")
        .first()
    )


def provider_list(*, company) -> list[IdentityProvider]:
    return list(IdentityProvider.objects.filter(company=company).order_by("name"))


def provider_get(*, company, provider_id) -> IdentityProvider:
    """A provider of this company; another company's id answers 404 like a missing one."""
    try:
        return IdentityProvider.objects.select_related("company").get(
            company=company, pk=provider_id
        )
    except (IdentityProvider.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such identity provider.") from exc


def provider_by_id(*, provider_id) -> IdentityProvider:
    """For the protocol endpoints (ACS, callback), which the IdP reaches by the provider's
    random id; disabled providers, and any left on the default company, answer 404."""
    try:
        return IdentityProvider.objects.select_related("company").get(
            pk=provider_id, enabled=True, company__is_default=False
        )
    except (IdentityProvider.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such identity provider.") from exc


def sso_settings(*, company) -> CompanySsoSettings | None:
    # A row left on the default company (saved before D17s.1 refused it) is never in force:
    # it would refuse every standalone user a password while no IdP may sign them in.
    return CompanySsoSettings.objects.filter(company=company, company__is_default=False).first()


def sso_settings_for_user(*, user, roles) -> CompanySsoSettings | None:
    """The user's company's settings with the break-glass facts about this user (on the list;
    holding one of `roles` now) read in the same query: asked on every page of a password
    session (accounts middleware), so one query whatever the answer."""
    if not user.company_id:
        return None
    listed = CompanySsoSettings.break_glass_users.through.objects.filter(
        companyssosettings_id=OuterRef("pk"), user_id=user.pk
    )
    row = (
        CompanySsoSettings.objects.filter(company=user.company_id, company__is_default=False)
        .annotate(
            user_listed=Exists(listed),
            user_holds_role=Exists(
                RoleAssignment.objects.filter(user_id=user.pk, role__in=list(roles))
            ),
        )
        .first()
    )
    if row is not None:
        row.facts_for_user_id = user.pk
    return row


def connection_test_get(*, viewer, test_id) -> ConnectionTest:
    """Only the admin who ran the test sees what the IdP asserted."""
    try:
        return ConnectionTest.objects.select_related("provider__company").get(
            pk=test_id, actor=viewer
        )
    except (ConnectionTest.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such test.") from exc


def due_for_metadata_refresh() -> list[str]:
    return list(
        IdentityProvider.objects.filter(
            Q(kind=IdentityProvider.Kind.SAML) & ~Q(saml_metadata_url="")
            | Q(kind=IdentityProvider.Kind.OIDC) & ~Q(oidc_discovery_url="")
        ).values_list("pk", flat=True)
    )


def provider_any_by_id(*, provider_id) -> IdentityProvider:
    """Enabled or not: the SP metadata is needed to configure the IdP before enabling it."""
    try:
        return IdentityProvider.objects.select_related("company").get(pk=provider_id)
    except (IdentityProvider.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such identity provider.") from exc


def company_members_by_ids(*, company, ids) -> list[User]:
    return list(User.objects.filter(company=company, pk__in=list(ids)))
