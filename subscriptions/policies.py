"""Who may see and do what with subscriptions and systems. The rights themselves are the
tables of companies.rights (SPEC §3.3–3.5); these functions only combine them per page."""

from companies import policies as company_policies
from companies.models import Company, Role


def can_view_subscriptions(*, actor, company: Company) -> bool:
    return any(
        check(actor=actor, company=company)
        for check in (
            company_policies.can_create_subscription,
            company_policies.can_manage_subscriptions,
            company_policies.can_allocate_licenses,
            company_policies.can_view_invoices,
        )
    )


def can_view_systems(*, actor, company: Company) -> bool:
    return company_policies.can_create_equipment(
        actor=actor, company=company
    ) or company_policies.can_manage_systems(actor=actor, company=company)


def can_set_delegation(*, actor, company: Company) -> bool:
    """SPEC §3.4: the partner's Finance member lets a customer's admins update their
    subscriptions. Only on an end customer of the actor's own partner company."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if actor.is_superuser:
        return company.business_partner_id is not None
    return (
        company.business_partner_id is not None
        and company.business_partner_id == actor.company_id
        and Role.BP_FINANCE in company_policies.effective_roles(actor=actor)
    )


def can_view_consumption(*, actor, company: Company) -> bool:
    """SPEC §3.5: a partner's customer consumption is for its Finance members (and a
    superadmin)."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if not company.is_business_partner:
        return False
    if actor.is_superuser:
        return True
    return company.pk == actor.company_id and Role.BP_FINANCE in (
        company_policies.effective_roles(actor=actor)
    )


def can_edit_billing(*, actor, company: Company) -> bool:
    """Who keeps a company's billing details (issue 14): whoever sees its invoices (its
    partner's Finance, a superadmin) and its own company admins."""
    if company_policies.can_view_invoices(actor=actor, company=company):
        return True
    return (
        getattr(actor, "is_authenticated", False)
        and actor.is_active
        and actor.company_id == company.pk
        and Role.COMPANY_ADMIN in company_policies.effective_roles(actor=actor)
        and company_policies.can_manage_company(actor=actor, company=company)
    )
