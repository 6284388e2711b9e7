"""The accounts app's menu entries (collected by core.navigation)."""


def signed_in(user) -> bool:
    return user.is_authenticated


def superadmin(user) -> bool:
    return user.is_authenticated and user.is_superuser


NAVIGATION = [
    (110, "Administration", "admin:index", superadmin),
    (130, "Profile", "accounts:profile", signed_in),
]
