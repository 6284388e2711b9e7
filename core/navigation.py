"""Navigation by role: one table of (label, url name, who sees it).

An entry whose URL does not exist yet is left out, so a capability shows up in the menu by
adding its URL name here.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from companies.models import Role
from companies.policies import is_partner_member
from companies.selectors import user_roles


def _signed_in(user) -> bool:
    return user.is_authenticated


def _company_admin(user) -> bool:
    return Role.COMPANY_ADMIN in user_roles(user=user) or Role.BP_ADMIN in user_roles(user=user)


def _partner(user) -> bool:
    return is_partner_member(actor=user)


def _subscriptions(user) -> bool:
    return user.is_authenticated and bool(
        user_roles(user=user)
        & {Role.COMPANY_ADMIN, Role.BP_ADMIN, Role.BP_FINANCE, Role.BP_OPERATION}
    )


def _systems(user) -> bool:
    # bp_finance alone has no system right (SPEC §3.3).
    return user.is_authenticated and bool(
        user_roles(user=user) & {Role.COMPANY_ADMIN, Role.BP_ADMIN, Role.BP_OPERATION}
    )


def _standalone(user) -> bool:
    return user.is_authenticated and user.company.is_default and not user.is_staff


def _operations(user) -> bool:
    return user.is_authenticated and user.is_operations


def _superadmin(user) -> bool:
    return user.is_authenticated and user.is_superuser


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    visible: Callable


NAV = [
    NavItem("Dashboard", "core:dashboard", _signed_in),
    NavItem("Directory", "companies:directory", _signed_in),
    NavItem("Network", "accounts:network", _signed_in),
    NavItem("Bubbles", "bubbles:list", _signed_in),
    NavItem("My company", "companies:manage", _company_admin),
    NavItem("Partner", "companies:partner", _partner),
    NavItem("Subscriptions", "subscriptions:home", _subscriptions),
    NavItem("Systems", "systems:home", _systems),
    NavItem("Join a company", "companies:join-start", _standalone),
    NavItem("Activity log", "activity:list", _operations),
    NavItem("Administration", "admin:index", _superadmin),
    NavItem("API", "api-docs", _signed_in),
    NavItem("Profile", "accounts:profile", _signed_in),
]


def items_for(user) -> list[dict]:
    out = []
    for item in NAV:
        if not item.visible(user):
            continue
        try:
            out.append({"label": item.label, "url": reverse(item.url_name)})
        except NoReverseMatch:
            continue
    return out
