"""The company itself: its creation, visibility mode, organization and business partner, and
the changes a superadmin or its admins make to it (SPEC §2, §4.1)."""

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

import activity
from rainbow_portal.exceptions import ApplicationError

from ..models import (
    Company,
    Region,
    VisibilityMode,
)
from ..policies import (
    crosses_china_boundary,
    require_actor_right,
    require_own_admin,
    require_platform_actor,
)
from ..rights import MANAGE_COMPANY
from ..visibility.services import sync_company_members

RESERVED_SLUGS = frozenset({"manage", "join", "join-requests", "new", "directory"})


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70] or "company"
    slug, n = base, 2
    # Words that are pages under /companies/ rather than a company's slug.
    while slug in RESERVED_SLUGS or Company.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


CHINA_PARTNER = (
    "A China company and a company outside China cannot be partner and customer: no link "
    "crosses the China boundary."
)
CHINA_ORGANIZATION = (
    "An organization holds either China companies or companies outside China, never both."
)


def china_link_refusal(*, company: Company, partner=None, organization=None) -> str | None:
    """SPEC §2.3: no business partner and no organization across the China boundary."""
    if partner is not None and crosses_china_boundary(company, partner):
        return CHINA_PARTNER
    if organization is not None and getattr(organization, "pk", None) is not None:
        others = Company.objects.filter(organization=organization).exclude(pk=company.pk)
        if company.region == Region.CHINA:
            others = others.exclude(region=Region.CHINA)
        else:
            others = others.filter(region=Region.CHINA)
        if others.exists():
            return CHINA_ORGANIZATION
    return None


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
    refusal = china_link_refusal(
        company=Company(region=region), partner=business_partner, organization=organization
    )
    if refusal:
        raise ApplicationError(refusal, code="china_boundary")
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
def company_visibility_set(*, company: Company, visibility: str, actor) -> Company:
    """Change a company's visibility mode (SPEC §4.1). The one place that writes it, so that
    everything derived from it is kept in step here. The company's own admins set it."""
    require_own_admin(actor=actor, company=company, what="set its visibility mode")
    if visibility not in VisibilityMode.values:
        raise ApplicationError(f"“{visibility}” is not a visibility mode.")
    # Back to public stays possible: it repairs a mode set before this rule.
    if company.is_default and visibility not in (company.visibility, VisibilityMode.PUBLIC):
        # SPEC §2.2: the default company is not a circle; its standalone users count as
        # belonging to no company and each chooses public or private for themselves.
        raise ApplicationError(
            _(
                "The default company has no visibility mode of its own: each standalone user "
                "chooses public or private for themselves."
            ),
            code="default_company",
        )
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
    require_platform_actor(actor=actor, what="attaches companies to organizations")
    if company.organization_id == getattr(organization, "pk", None):
        return company
    if company.is_default and organization is not None:
        # SPEC §2.2: not a circle. Detaching stays possible (it repairs an earlier attach).
        message = _("The default company cannot join an organization.")
        raise ApplicationError(message, code="default_company", fields={"organization": [message]})
    if organization is None and company.visibility == VisibilityMode.ORGANIZATION:
        raise ApplicationError(
            "This company is in organization mode: choose another visibility mode first."
        )
    refusal = china_link_refusal(company=company, organization=organization)
    if refusal:
        raise ApplicationError(refusal, code="china_boundary", fields={"organization": [refusal]})
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


# --- Superadmin and company-admin changes to a company (SPEC §2, §3.2) -------------------

IMMUTABLE_FIELDS = {"region": "region", "is_hds": "HDS flag"}
UPDATABLE_FIELDS = ("name", "status", "kind")


def company_check_immutable(*, company: Company, changes: dict) -> None:
    """Region and HDS are chosen at creation and never change (SPEC §2.3)."""
    for field, label in IMMUTABLE_FIELDS.items():
        if field in changes and changes[field] != getattr(company, field):
            raise ApplicationError(
                f"The {label} of a company is chosen at creation and cannot be changed.",
                code="immutable",
                fields={field: [f"The {label} cannot be changed."]},
            )


@transaction.atomic
def company_update(*, company: Company, actor, **changes) -> Company:
    """Change a company's name, status or kind. Visibility, organization and partner have
    their own services; region and HDS are refused. The name is "manage company" (SPEC §3.3);
    status and kind are a superadmin's."""
    if set(changes) - {"name", "region", "is_hds"}:
        require_platform_actor(actor=actor, what="changes a company's status or kind")
    require_actor_right(actor=actor, company=company, action=MANAGE_COMPANY)
    company_check_immutable(company=company, changes=changes)
    changes = {k: v for k, v in changes.items() if k not in IMMUTABLE_FIELDS}
    unknown = set(changes) - set(UPDATABLE_FIELDS)
    if unknown:
        raise ApplicationError(
            f"These fields cannot be changed here: {', '.join(sorted(unknown))}."
        )
    if "name" in changes:
        changes["name"] = " ".join(str(changes["name"]).split())
    changed = {k: v for k, v in changes.items() if getattr(company, k) != v}
    if not changed:
        return company
    if company.is_default and "name" in changed:
        # SPEC §2.2
        raise ApplicationError(_("The default company Rainbow keeps its name."))
    if company.is_default and "kind" in changed:
        raise ApplicationError("The default company stays an end customer.")
    if "name" in changed and (
        Company.objects.filter(name__iexact=changed["name"]).exclude(pk=company.pk).exists()
    ):
        raise ApplicationError(
            f"A company named “{changed['name']}” already exists.", fields={"name": ["Taken."]}
        )
    if "kind" in changed:
        if changed["kind"] == Company.Kind.BUSINESS_PARTNER and company.business_partner_id:
            raise ApplicationError("A company with a business partner cannot become a partner.")
        if changed["kind"] == Company.Kind.END_CUSTOMER and company.customers.exists():
            raise ApplicationError("This partner still has customers: unlink them first.")
    for key, value in changed.items():
        setattr(company, key, value)
    company.full_clean()
    company.save(update_fields=list(changed))
    activity.record(
        event="company.updated",
        actor=actor,
        company=company,
        target=company,
        data={"fields": sorted(changed)},
    )
    return company


@transaction.atomic
def company_partner_set(
    *, company: Company, partner: Company | None, actor, offer_accepted: bool = False
) -> Company:
    """Link an end customer to its business partner, or unlink it (SPEC §2.8): a superadmin,
    or the customer's own admin accepting the partner's offer (`offer_accepted`, passed only
    by `partner_invitation_decide`, which holds the pending offer under lock)."""
    if offer_accepted and partner is not None:
        require_own_admin(actor=actor, company=company, what="accept a partner's offer")
    else:
        require_platform_actor(actor=actor, what="links a customer to its business partner")
    if company.business_partner_id == getattr(partner, "pk", None):
        return company
    if company.is_default:
        # SPEC §2.2
        raise ApplicationError(
            _("The default company Rainbow holds standalone users: it has no business partner.")
        )
    if partner is not None:
        if company.is_business_partner:
            raise ApplicationError("Only an end-customer company can have a business partner.")
        if not partner.is_business_partner:
            raise ApplicationError(f"“{partner.name}” is not a business-partner company.")
        refusal = china_link_refusal(company=company, partner=partner)
        if refusal:
            raise ApplicationError(
                refusal, code="china_boundary", fields={"business_partner": [refusal]}
            )
    previous = company.business_partner_id
    company.business_partner = partner
    company.full_clean()
    company.save(update_fields=["business_partner"])
    activity.record(
        event="company.partner.changed",
        actor=actor,
        company=company,
        target=company,
        data={"from": previous, "to": getattr(partner, "pk", None)},
    )
    return company
