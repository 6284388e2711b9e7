"""Who may do what on a company (SPEC §3). Plain functions reading `rights.RIGHTS`.

`can_<verb>(...) -> bool` answers; `require_<verb>(...)` raises PermissionDenied (403).
"""

from django.core.exceptions import PermissionDenied

from . import rights
from .models import Company, Role, SubscriptionDelegation
from .selectors import user_roles


def scope_of(*, actor, company: Company) -> str | None:
    """OWN, CUSTOMER, or None when the company is unrelated to the actor."""
    if company.pk == actor.company_id:
        return rights.OWN
    if company.business_partner_id is not None and company.business_partner_id == actor.company_id:
        return rights.CUSTOMER
    return None


def effective_roles(*, actor) -> frozenset[str]:
    """Roles that count for the actor's company kind: partner roles only in a business
    partner, company_admin only in an end customer (or the default company)."""
    roles = user_roles(user=actor)
    if actor.company.is_business_partner:
        return roles & rights.PARTNER_ROLES
    return roles & {Role.COMPANY_ADMIN}


def has_right(*, actor, company: Company, action: str) -> bool:
    if action not in rights.ACTIONS:
        raise ValueError(f"Unknown action {action!r}.")
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if actor.is_superuser:
        return True
    scope = scope_of(actor=actor, company=company)
    if scope is None:
        return False
    for role in effective_roles(actor=actor):
        verdict = rights.cell(role, action, scope)
        if verdict is True:
            return True
        if verdict == rights.DELEGATED and (
            company.subscription_delegation != SubscriptionDelegation.NONE
        ):
            return True
    return False


def require_right(*, actor, company: Company, action: str) -> None:
    if not has_right(actor=actor, company=company, action=action):
        raise PermissionDenied("Your role does not allow this on this company.")


def can_manage_company(*, actor, company: Company) -> bool:
    return has_right(actor=actor, company=company, action=rights.MANAGE_COMPANY)


def can_create_equipment(*, actor, company: Company) -> bool:
    return has_right(actor=actor, company=company, action=rights.CREATE_EQUIPMENT)


def can_manage_systems(*, actor, company: Company) -> bool:
    return has_right(actor=actor, company=company, action=rights.MANAGE_SYSTEMS)


def can_create_subscription(*, actor, company: Company) -> bool:
    return has_right(actor=actor, company=company, action=rights.CREATE_SUBSCRIPTION)


def can_manage_subscriptions(*, actor, company: Company) -> bool:
    return has_right(actor=actor, company=company, action=rights.MANAGE_SUBSCRIPTIONS)


def can_allocate_licenses(*, actor, company: Company) -> bool:
    return has_right(actor=actor, company=company, action=rights.ALLOCATE_LICENSES)


def can_view_invoices(*, actor, company: Company) -> bool:
    return has_right(actor=actor, company=company, action=rights.VIEW_INVOICES)


def subscription_increase_only(*, actor, company: Company) -> bool:
    """True when the actor may manage the company's subscriptions only through the partner's
    "increase only" delegation (SPEC §3.4): a decrease must then be refused."""
    if actor.is_superuser or not can_manage_subscriptions(actor=actor, company=company):
        return False
    scope = scope_of(actor=actor, company=company)
    for role in effective_roles(actor=actor):
        if rights.cell(role, rights.MANAGE_SUBSCRIPTIONS, scope) is True:
            return False
    return company.subscription_delegation == SubscriptionDelegation.INCREASE_ONLY


def require_can_manage_company(*, actor, company: Company) -> None:
    require_right(actor=actor, company=company, action=rights.MANAGE_COMPANY)
