"""Who may close or restore an account (SPEC §8.1–8.2), and who reads the activity log and
runs the retention pages (SPEC §10.4).

"The partner, by delegation" (decision D12.1) reads the rights table that already exists:
a business partner's member may close (and restore) an end customer's user exactly when
the table gives that member the "manage company" right on the customer (SPEC §3.3: today
bp_operation and bp_finance; bp_admin has no right on customers, so it is "a partner without
delegation"). A company's own admins are `company_admin` (end customer) or `bp_admin`
(the partner's own company). Superadmins may close or restore anyone. Standalone users close
their own account; nobody but a superadmin closes it for them.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from activity.policies import holds_operations
from companies import rights
from companies.models import Role
from companies.policies import can_manage_company, effective_roles, scope_of

SELF = "self"
COMPANY_ADMIN = "company_admin"
PARTNER = "partner"
SUPERADMIN = "superadmin"

OWN_ADMIN_ROLES = {Role.COMPANY_ADMIN, Role.BP_ADMIN}


def _active(actor) -> bool:
    return bool(getattr(actor, "is_authenticated", False) and actor.is_active)


def related_to(*, actor, user) -> bool:
    """Whether the actor may even learn that the account exists through these pages: the
    user themself, a member of the same (non-default) company, its partner's members, or a
    superadmin. Anyone else gets the 404 of a missing account."""
    if not getattr(actor, "is_authenticated", False):
        return False
    if actor.is_superuser or actor.pk == user.pk:
        return True
    if user.company.is_default:
        return False
    return scope_of(actor=actor, company=user.company) is not None


def closer_kind(*, actor, user) -> str | None:
    """How the actor may close (or restore) `user`, or None when they may not."""
    if not _active(actor) and not (actor is not None and actor.pk == user.pk):
        return None
    if actor.is_superuser and actor.pk != user.pk:
        return SUPERADMIN
    if actor.pk == user.pk:
        return SELF if user.company.is_default else None
    if user.company.is_default:
        return None
    scope = scope_of(actor=actor, company=user.company)
    if scope == rights.OWN:
        return COMPANY_ADMIN if effective_roles(actor=actor) & OWN_ADMIN_ROLES else None
    if scope == rights.CUSTOMER and can_manage_company(actor=actor, company=user.company):
        return PARTNER
    return None


def closure_refusal(*, actor, user) -> str | None:
    if closer_kind(actor=actor, user=user) is not None:
        return None
    if actor is not None and actor.pk == user.pk:
        return _(
            "Your account belongs to your company: only its administrator can close it. Ask them."
        )
    if scope_of(actor=actor, company=user.company) == rights.CUSTOMER:
        return _(
            "Your partner role does not manage this customer's members, so it cannot close "
            "their accounts."
        )
    return _("Only the company's administrator can close this account.")


def require_can_close(*, actor, user) -> str:
    if not related_to(actor=actor, user=user):
        raise Http404("No such account.")
    refusal = closure_refusal(actor=actor, user=user)
    if refusal:
        raise PermissionDenied(refusal)
    return closer_kind(actor=actor, user=user)


def require_can_restore(*, actor, user) -> str:
    """An admin restores (SPEC §8.2); a standalone user restores through the emailed link
    only (that path does not ask this policy)."""
    if not related_to(actor=actor, user=user):
        raise Http404("No such account.")
    kind = closer_kind(actor=actor, user=user)
    if kind in {COMPANY_ADMIN, PARTNER, SUPERADMIN}:
        return kind
    raise PermissionDenied("Only the company's administrator can restore this account.")


def is_operations(actor) -> bool:
    """SPEC §10.4: the explicit `operations` permission (being a superadmin is not enough):
    the one rule of activity.policies."""
    return holds_operations(actor)


def require_operations(actor) -> None:
    """Company admins, partners, and everyone without the permission: the same 404 as a
    missing page (the operations pages are not even acknowledged)."""
    if not is_operations(actor):
        raise Http404("No such page.")


def can_run_retention(actor) -> bool:
    """The retention dashboard and legal holds: operators (superadmins or operations)."""
    return _active(actor) and (actor.is_superuser or is_operations(actor))


def require_can_run_retention(actor) -> None:
    if not can_run_retention(actor):
        raise Http404("No such page.")
