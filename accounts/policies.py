"""Who may do what on accounts, beyond a company's rights (those are companies.policies)."""

from django.contrib.auth.models import Permission
from django.db.models import Q
from django.utils.translation import gettext as _

from activity.policies import OPERATIONS_APP, OPERATIONS_CODENAME


def is_platform_actor(actor) -> bool:
    """The scheduled system (`actor=None`) or a platform superadmin (SPEC §1): the only ones
    who create organizations, grant visibility, or change platform status and permissions."""
    return actor is None or bool(getattr(actor, "is_superuser", False))


def is_superadmin(actor) -> bool:
    """A signed-in, active platform superadmin (SPEC §1): the operator endpoints' right."""
    return bool(
        getattr(actor, "is_authenticated", False) and actor.is_active and actor.is_superuser
    )


# SPEC §3.2, §7.5, §10.4: an account that reaches the admin or the activity log is taken over
# by whoever sets its login email, its password or its status; only a superadmin does that.
PRIVILEGED_ACCOUNT_FIELDS = frozenset({"email", "is_active", "password"})


def is_privileged_account(user) -> bool:
    """Staff, a superadmin, or a holder of `activity.operations` (directly or through a
    group), whether active or not: a deactivated holder reactivated under a new address would
    be as much a takeover."""
    if user.is_staff or user.is_superuser:
        return True
    return (
        Permission.objects.filter(
            codename=OPERATIONS_CODENAME, content_type__app_label=OPERATIONS_APP
        )
        .filter(Q(user=user) | Q(group__user=user))
        .exists()
    )


def account_admin_refusal(*, actor, user, fields) -> str | None:
    """Why `actor` may not change `fields` of `user` in the admin, or None (deny by default
    for privileged accounts: only a superadmin, or the scheduled system)."""
    guarded = sorted(set(fields) & PRIVILEGED_ACCOUNT_FIELDS)
    if not guarded or is_platform_actor(actor) or not is_privileged_account(user):
        return None
    return _(
        "Only a superadmin changes the login email, password or status of a staff, "
        "superadmin or operations account: %(join)s."
    ) % {"join": ", ".join(guarded)}


# Changelist lookups that would read a secret out by the result count (password hashes, token
# hashes, sealed values, key material): refused on every admin page, whatever the ModelAdmin.
SECRET_LOOKUP_NAMES = frozenset({"password", "session_key", "wrapped_key", "key"})
SECRET_LOOKUP_SUFFIXES = ("_hash",)
SECRET_LOOKUP_PARTS = ("sealed", "secret")


def is_secret_lookup(lookup: str) -> bool:
    """Whether an admin query parameter (`secret_hash__startswith`, `user__password`) touches
    a secret field at any step of its path."""
    for part in lookup.lower().split("__"):
        if (
            part in SECRET_LOOKUP_NAMES
            or part.endswith(SECRET_LOOKUP_SUFFIXES)
            or any(word in part for word in SECRET_LOOKUP_PARTS)
        ):
            return True
    return False
