from django.db import transaction
from django.utils.text import slugify

import activity
from rainbow_portal.exceptions import ApplicationError

from .models import Company, Role, RoleAssignment, VisibilityMode
from .visibility.inputs import sync_company_members


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70] or "company"
    slug, n = base, 2
    while Company.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def company_create(
    *,
    name: str,
    region: str,
    actor,
    kind: str = Company.Kind.END_CUSTOMER,
    is_hds: bool = False,
    visibility: str = VisibilityMode.PUBLIC,
    organization=None,
    business_partner=None,
) -> Company:
    name = " ".join(name.split())
    if Company.objects.filter(name__iexact=name).exists():
        raise ApplicationError(
            f"A company named “{name}” already exists.", fields={"name": ["Taken."]}
        )
    company = Company(
        name=name,
        slug=_unique_slug(name),
        kind=kind,
        region=region,
        is_hds=is_hds,
        visibility=visibility,
        organization=organization,
        business_partner=business_partner,
    )
    company.full_clean()
    company.save()
    activity.record(
        event="company.created",
        actor=actor,
        company=company,
        target=company,
        data={"kind": kind, "region": region, "is_hds": is_hds},
    )
    return company


@transaction.atomic
def role_grant(*, user, role: str, actor) -> RoleAssignment:
    if role not in Role.values:
        raise ApplicationError(f"“{role}” is not a company role.")
    assignment, created = RoleAssignment.objects.get_or_create(user=user, role=role)
    if created:
        activity.record(
            event="role.granted",
            actor=actor,
            company=user.company_id,
            target=user,
            data={"role": role},
        )
    return assignment


@transaction.atomic
def company_visibility_set(*, company: Company, visibility: str, actor) -> Company:
    """Change a company's visibility mode (SPEC §4.1). The one place that writes it, so that
    everything derived from it is kept in step here."""
    if visibility not in VisibilityMode.values:
        raise ApplicationError(f"“{visibility}” is not a visibility mode.")
    if visibility == VisibilityMode.ORGANIZATION and company.organization_id is None:
        raise ApplicationError(
            "Organization mode is only for a company in an organization.",
            fields={"visibility": ["Attach the company to an organization first."]},
        )
    if company.visibility == visibility:
        return company
    previous = company.visibility
    company.visibility = visibility
    company.save(update_fields=["visibility"])
    sync_company_members(company)
    activity.record(
        event="company.visibility.changed",
        actor=actor,
        company=company,
        target=company,
        data={"from": previous, "to": visibility},
    )
    return company


@transaction.atomic
def company_organization_set(*, company: Company, organization, actor) -> Company:
    """Attach a company to an organization, or detach it (None). Superadmin only (SPEC §2.7)."""
    if company.organization_id == getattr(organization, "pk", None):
        return company
    if organization is None and company.visibility == VisibilityMode.ORGANIZATION:
        raise ApplicationError(
            "This company is in organization mode: choose another visibility mode first."
        )
    previous = company.organization_id
    company.organization = organization
    company.save(update_fields=["organization"])
    sync_company_members(company)
    activity.record(
        event="company.organization.changed",
        actor=actor,
        company=company,
        target=company,
        data={"from": previous, "to": getattr(organization, "pk", None)},
    )
    return company


def company_for_signup(*, email: str) -> Company:
    """Where a self-registering user is placed (SPEC §2.5): a domain match, else the default
    company. Invitations (steps 1 and 3 of §2.5) are resolved before this by the invitation
    flow, which places the user in the inviting company."""
    from .selectors import company_for_email_domain, default_company

    return company_for_email_domain(email=email) or default_company()
