"""Template questions that only the companies layer can answer, for pages of the apps below it
(accounts' security page asks whether its user manages their own company)."""

from django import template

from ..policies import can_manage_security

register = template.Library()


@register.filter
def manages_own_company(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        # SPEC §3.3: the security settings' holders (own admins), not "manage company".
        and can_manage_security(actor=user, company=user.company)
    )


@register.filter
def manages_security(user, company) -> bool:
    """The settings hub shows Security and File sharing to the company's own admins only."""
    return bool(company is not None and can_manage_security(actor=user, company=company))
