"""What the membership endpoints share."""

from ... import policies
from ...selectors import company_get_for_actor


def _managed(request, slug):
    company = company_get_for_actor(actor=request.user, slug=slug)
    policies.require_can_manage_company(actor=request.user, company=company)
    return company
