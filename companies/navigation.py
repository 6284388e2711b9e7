"""The companies app's menu entries (collected by core.navigation)."""

from .models import Role
from .policies import is_partner_member
from .selectors import user_roles


def signed_in(user) -> bool:
    return user.is_authenticated


def company_admin(user) -> bool:
    return Role.COMPANY_ADMIN in user_roles(user=user) or Role.BP_ADMIN in user_roles(user=user)


def partner(user) -> bool:
    return is_partner_member(actor=user)


def standalone(user) -> bool:
    return user.is_authenticated and user.company.is_default and not user.is_staff


NAVIGATION = [
    (20, "Directory", "companies:directory", signed_in),
    (30, "Network", "companies:network", signed_in),
    (50, "My company", "companies:manage", company_admin),
    (60, "Partner", "companies:partner", partner),
    (90, "Join a company", "companies:join-start", standalone),
]
