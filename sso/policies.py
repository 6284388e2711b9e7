"""Who may configure a company's identity providers (SPEC §3.3: a company's security
settings belong to its own admins and to superadmins, not to its partner's roles)."""

from django.core.exceptions import PermissionDenied

from companies.models import Role
from companies.policies import can_manage_security

OWN_ADMIN_ROLES = frozenset({Role.COMPANY_ADMIN, Role.BP_ADMIN})


def can_manage_identity_providers(*, actor, company) -> bool:
    """One of the company's security settings (SPEC §3.3, §7.6): the same right."""
    return actor is None or can_manage_security(actor=actor, company=company)


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
