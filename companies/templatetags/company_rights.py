"""Template questions that only the companies layer can answer, for pages of the apps below it
(accounts' security page asks whether its user manages their own company)."""

from django import template

from ..policies import can_manage_company

register = template.Library()


@register.filter
def manages_own_company(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and can_manage_company(actor=user, company=user.company)
    )
