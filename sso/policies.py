"""Who may configure a company's identity providers (SPEC §3.3: a company's security
settings belong to its own admins and to superadmins, not to its partner's roles)."""

from django.core.exceptions import PermissionDenied

from companies.models import Role
from companies.policies import effective_roles, is_platform_actor

OWN_ADMIN_ROLES = frozenset({Role.COMPANY_ADMIN, Role.BP_ADMIN})


def can_manage_identity_providers(*, actor, company) -> bool:
    if actor is None:
        return True
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if is_platform_actor(actor):
        return True
    return actor.company_id == company.pk and bool(effective_roles(actor=actor) & OWN_ADMIN_ROLES)


def require_can_manage_identity_providers(*, actor, company) -> None:
    if not can_manage_identity_providers(actor=actor, company=company):
        raise PermissionDenied("Only the company's own admins manage its sign-in providers.")


def may_use_password(*, user, settings_row) -> bool:
    """SPEC §7.6: with SSO required, email + password stays for the break-glass admins."""
    if settings_row is None or not settings_row.require_sso:
        return True
    if user.is_superuser:
        return True
    return settings_row.break_glass_users.filter(pk=user.pk).exists()
