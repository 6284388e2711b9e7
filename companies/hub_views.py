"""Settings-hub pages that write through `companies.services` (which the visibility package
sits below): the company's own visibility mode (SPEC §4.1: its own admins set it)."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from rainbow_portal.exceptions import ApplicationError

from . import policies
from .scoping import company_page
from .services import company_visibility_set
from .visibility.forms import CompanyModeForm


@company_page(right=policies.can_manage_security, methods=("POST",))
def company_visibility_mode(request, company):
    """The form is a choice list on the Visibility page: a refusal (a tampered value, or
    organization mode without an organization) comes back there as a message."""
    form = CompanyModeForm(request.POST, company=company)
    if not form.is_valid():
        messages.error(request, _("Choose one of the visibility modes offered."))
    else:
        try:
            company_visibility_set(
                company=company, visibility=form.cleaned_data["visibility"], actor=request.user
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Company visibility saved."))
    return redirect("companies:company-visibility", slug=company.slug)
