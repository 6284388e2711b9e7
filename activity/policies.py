"""Who reads the activity log (SPEC §10.4): operations staff only."""

from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Q

OPERATIONS_APP, OPERATIONS_CODENAME = "activity", "operations"


def operations_prime(user, held: bool) -> None:
    """Put the answer of a query that read it with the user where holds_operations looks
    (accounts.security.user_rows: the session and token lookups)."""
    user._operations_cache = held


def holds_operations(user) -> bool:
    """The `activity.operations` permission, held directly or through a group. Being a
    superadmin is not enough (SPEC §10.4), so Django's "a superuser has every permission"
    shortcut is not used here."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    # One query, cached on the user for the request (the menu and the page share it), instead
    # of Django's permission cache, which costs two (the user's and the groups' permissions).
    cached = getattr(user, "_operations_cache", None)
    if cached is None:
        cached = (
            Permission.objects.filter(
                codename=OPERATIONS_CODENAME, content_type__app_label=OPERATIONS_APP
            )
            .filter(Q(user=user) | Q(group__user=user))
            .exists()
        )
        user._operations_cache = cached
    return cached


def require_operations(user) -> None:
    if not holds_operations(user):
        raise PermissionDenied("The activity log is for operations staff.")
