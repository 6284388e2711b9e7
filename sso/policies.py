"""Who may configure a company's identity providers (SPEC §3.3: a company's security
settings belong to its own admins and to superadmins, not to its partner's roles)."""

from django.core.exceptions import PermissionDenied

from companies.models import Role
from companies.policies import can_manage_security

OWN_ADMIN_ROLES = frozenset({Role.COMPANY_ADMIN, Role.BP_ADMIN})
# SPEC §7.6 "a designated break-glass admin": being on the list is the designation, these
# roles (held now, in the listing company) are the "admin".
BREAK_GLASS_ROLES = OWN_ADMIN_ROLES


def can_manage_identity_providers(*, actor, company) -> bool:
    """One of the company's security settings (SPEC §3.3, §7.6): the same right."""
    return actor is None or can_manage_security(actor=actor, company=company)


def require_can_manage_identity_providers(*, actor, company) -> None:
    if not can_manage_identity_providers(actor=actor, company=company):
        raise PermissionDenied("Only the company's own admins manage its sign-in providers.")


def company_may_use_sso(*, company) -> bool:
    """SPEC §2.2: the default company is not a company for its standalone users, so no IdP
    speaks for them — one would sign in as any of them by asserting their address."""
    return not company.is_default


def is_break_glass_admin(*, user, settings_row) -> bool:
    """Listed by the company *and* holding its admin role now: the list is not re-checked
    when a role is removed or the user leaves and comes back, so both facts are read with
    the row, for this user (selectors.sso_settings_for_user). A row read otherwise answers
    no: deny unless the facts say yes."""
    if user.company_id != settings_row.company_id:
        return False
    if getattr(settings_row, "facts_for_user_id", None) != user.pk:
        return False
    return settings_row.user_listed and settings_row.user_holds_role


def may_use_password(*, user, settings_row) -> bool:
    """SPEC §7.6: with SSO required, email + password stays for the break-glass admins."""
    if settings_row is None or not settings_row.require_sso:
        return True
    if user.is_superuser:
        return True
    return is_break_glass_admin(user=user, settings_row=settings_row)
