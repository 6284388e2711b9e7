"""Who may do what on a company (SPEC §3). Plain functions reading `rights.RIGHTS`.

`can_<verb>(...) -> bool` answers; `require_<verb>(...)` raises PermissionDenied (403).
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts.policies import is_platform_actor as is_platform_actor

from . import rights
from .models import ADMIN_ROLES, Company, Region, Role, SubscriptionDelegation
from .selectors import user_roles


def holds_admin_role(user) -> bool:
    """SPEC §3.1's admin roles (company admin and the three partner roles): the two-factor
    policy `admins` (SPEC §7.5) asks this through accounts.security.selectors."""
    return bool(user_roles(user=user) & ADMIN_ROLES)


def admin_roles_held(user) -> frozenset:
    """The admin roles the user holds now: a personal API token keeps those it was made with
    and is revoked once one is lost (SPEC §7.8, asked through accounts.security.services.tokens)."""
    return frozenset(user_roles(user=user) & ADMIN_ROLES)


def crosses_china_boundary(a: Company, b: Company) -> bool:
    """SPEC §2.3: China companies are never visible to, searchable by, or invitable from any
    other region, whatever any other rule says."""
    return (a.region == Region.CHINA) != (b.region == Region.CHINA)


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


def can_view_member_visibility(*, actor, company: Company) -> bool:
    """A member's visibility page: the company's admins (who may change it) and operations
    staff (who only simulate, SPEC §4)."""
    return bool(getattr(actor, "is_operations", False)) or can_manage_company(
        actor=actor, company=company
    )


def require_can_manage_company(*, actor, company: Company) -> None:
    require_right(actor=actor, company=company, action=rights.MANAGE_COMPANY)


# SPEC §3.3: the admin role of each company kind, acting on its own company only.
OWN_ADMIN_ROLES = frozenset({Role.COMPANY_ADMIN, Role.BP_ADMIN})


def can_manage_security(*, actor, company: Company) -> bool:
    """SPEC §3.3: a company's security settings (two-factor policy, password minimum,
    profile locks, identity providers, file sharing, mutual-visibility requests) belong to
    its own admins — company_admin, or bp_admin for the partner's own company — and to
    superadmins; never to the partner's roles on an end customer."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if actor.is_superuser:
        return True
    if actor.company_id != company.pk:
        return False
    return bool(effective_roles(actor=actor) & OWN_ADMIN_ROLES)


def require_can_manage_security(*, actor, company: Company) -> None:
    """The service-side twin: `actor=None` is the system (demo data, scheduled jobs)."""
    if actor is not None and not can_manage_security(actor=actor, company=company):
        raise PermissionDenied("Only the company's own admins change its security settings.")


# --- Roles (SPEC §3.2) and the partner portal (SPEC §3.3) --------------------------------


def role_fits_company(*, role: str, company: Company) -> bool:
    """Partner roles exist only in a business partner; company_admin only elsewhere (§3.1)."""
    if company.is_business_partner:
        return role in rights.PARTNER_ROLES
    return role == Role.COMPANY_ADMIN


def role_change_refusal(*, actor, member, role: str) -> str | None:
    """Why the actor may not grant or remove `role` on `member`, or None when they may.
    SPEC §3.2: only a holder of the role (a superadmin: any role), never on oneself."""
    if role not in Role.values:
        return f"“{role}” is not a company role."
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return "Sign in to change roles."
    if actor.pk == member.pk:
        return _("Nobody changes their own roles: ask another holder of the role.")  # SPEC §3.2
    label = Role(role).label
    if not role_fits_company(role=role, company=member.company):
        return _("The role %(role)s does not exist in a company of this kind.") % {  # SPEC §3.1
            "role": label
        }
    if actor.is_superuser:
        return None
    if actor.company_id != member.company_id or role not in effective_roles(actor=actor):
        return _(
            "Only someone who holds the role %(role)s can grant or remove it."
        ) % {  # SPEC §3.2
            "role": label
        }
    return None


def is_partner_member(*, actor) -> bool:
    """A bp_admin, bp_finance or bp_operation of a business partner: the partner portal."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    return actor.company.is_business_partner and bool(effective_roles(actor=actor))


def can_create_customer(*, actor) -> bool:
    """Creating a customer and inviting its first admin is managing that customer, so it
    needs the "manage company" right on end customers (SPEC §3.3: bp_operation, bp_finance)."""
    if not is_partner_member(actor=actor):
        return False
    return any(
        rights.cell(role, rights.MANAGE_COMPANY, rights.CUSTOMER) is True
        for role in effective_roles(actor=actor)
    )


def require_partner_member(*, actor) -> None:
    if not is_partner_member(actor=actor):
        raise PermissionDenied("The partner pages are for a business partner's members.")


def require_can_create_customer(*, actor) -> None:
    if not can_create_customer(actor=actor):
        raise PermissionDenied("Your partner role does not allow managing customers.")


# --- Services check their own policy (issue 10): `actor=None` is the system -----------------


def require_actor_right(*, actor, company: Company, action: str) -> None:
    """A service's own check of SPEC §3's tables, so that a new caller cannot forget it.
    `actor=None` is the scheduled system, demo data and data imports."""
    if actor is not None:
        require_right(actor=actor, company=company, action=action)


def require_platform_actor(*, actor, what: str) -> None:
    """SPEC §1, §2.5, §2.7: only a superadmin (or the system) does `what`."""
    if not is_platform_actor(actor):
        raise PermissionDenied(f"Only a platform superadmin {what}.")


def require_own_admin(*, actor, company: Company, what: str) -> None:
    """The company's own admins (company_admin; bp_admin in a partner) or a superadmin."""
    if actor is not None and not can_manage_security(actor=actor, company=company):
        raise PermissionDenied(f"Only the company's own admins {what}.")
