"""What the membership pages share."""

from django.contrib import messages

from rainbow_portal.exceptions import ApplicationError

from ... import policies
from ...selectors import company_get_for_actor

MEMBERS_PER_PAGE = 50


def _managed_company(request, slug):
    company = company_get_for_actor(actor=request.user, slug=slug)
    policies.require_can_manage_company(actor=request.user, company=company)
    return company


def _fail(request, exc: ApplicationError):
    messages.error(request, exc.message)
