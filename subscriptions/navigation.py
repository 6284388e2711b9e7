"""The subscriptions app's menu entries (collected by core.navigation)."""

from companies.models import Role
from companies.selectors import user_roles


def subscriptions(user) -> bool:
    return user.is_authenticated and bool(
        user_roles(user=user)
        & {Role.COMPANY_ADMIN, Role.BP_ADMIN, Role.BP_FINANCE, Role.BP_OPERATION}
    )


def systems(user) -> bool:
    # bp_finance alone has no system right (SPEC §3.3).
    return user.is_authenticated and bool(
        user_roles(user=user) & {Role.COMPANY_ADMIN, Role.BP_ADMIN, Role.BP_OPERATION}
    )


NAVIGATION = [
    (70, "Subscriptions", "subscriptions:home", subscriptions),
    (80, "Systems", "systems:home", systems),
]
