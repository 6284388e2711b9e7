"""A company's email domains, and the company a self-registering user is placed in
(SPEC §2.5)."""

from django.core.validators import validate_domain_name
from django.db import transaction

import activity
from rainbow_portal.exceptions import ApplicationError

from ..mail_domains import is_public_mail_domain
from ..models import Company, CompanyDomain
from ..policies import require_platform_actor
from ..selectors import company_for_email_domain, company_for_pending_invitation, default_company


def company_for_signup(*, email: str) -> Company:
    """Where a self-registering user is placed (SPEC §2.5): a domain match, else the default
    company. Step 1 (the invitation the user followed) is the invitation sign-up page's own
    flow; step 3 (another pending invitation) is answered here, and the caller then calls
    `companies.membership.services.invitation_claim_pending(user=)` once the user exists."""
    return (
        company_for_email_domain(email=email)
        or company_for_pending_invitation(email=email)
        or default_company()
    )


def _normalize_domain(domain: str) -> str:
    return (domain or "").strip().lower().lstrip("@").rstrip(".")


def domain_refusal(*, company: Company, domain: str) -> str | None:
    """Why this domain cannot be given to the company, or None (SPEC §2.5)."""
    domain = _normalize_domain(domain)
    try:
        validate_domain_name(domain)
    except Exception:
        return f"“{domain}” is not a domain name."
    if "." not in domain:
        return f"“{domain}” is not a domain name."
    if company.is_default:
        return "The default company owns no domain: its members are standalone."
    if is_public_mail_domain(domain):
        return (
            f"{domain} is a public email service: anyone can get an address there, so it "
            "cannot identify a company. Give the company a domain it owns."
        )
    owner = CompanyDomain.objects.select_related("company").filter(domain__iexact=domain).first()
    if owner is not None:
        where = "this company" if owner.company_id == company.pk else f"“{owner.company.name}”"
        return f"The domain {domain} already belongs to {where}: a domain belongs to one company."
    return None


@transaction.atomic
def domain_add(*, company: Company, domain: str, actor):
    """Give a company an email domain; a domain belongs to at most one company (SPEC §2.5).
    Superadmin only."""
    require_platform_actor(actor=actor, what="adds a company's email domains")
    domain = _normalize_domain(domain)
    reason = domain_refusal(company=company, domain=domain)
    if reason:
        raise ApplicationError(reason, code="domain_refused", fields={"domain": [reason]})
    row = CompanyDomain.objects.create(company=company, domain=domain)
    activity.record(
        event="company.domain.added",
        actor=actor,
        company=company,
        target=company,
        data={"domain": domain},
    )
    return row


@transaction.atomic
def domain_remove(*, domain, actor) -> None:
    require_platform_actor(actor=actor, what="removes a company's email domains")  # SPEC §2.5
    company = domain.company
    name = domain.domain
    domain.delete()
    activity.record(
        event="company.domain.removed",
        actor=actor,
        company=company,
        target=company,
        data={"domain": name},
    )
