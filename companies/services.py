from django.db import transaction
from django.utils.text import slugify

import activity
from rainbow_portal.exceptions import ApplicationError

from .models import Company, Role, RoleAssignment, VisibilityMode


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
