"""A company admin's security settings and profile locks (SPEC §7.1, §7.5, §7.7)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import forms as account_forms
from accounts.security import selectors as security_selectors
from accounts.security import services as security_services
from core.forms import apply_error
from core.redirects import requested_next
from rainbow_portal.exceptions import ApplicationError

from ..membership.selectors import member_get
from ..policies import can_manage_security
from ..scoping import company_page


# SPEC §3.3: security settings are the company's own admins', not its partner's.
@company_page(right=can_manage_security, methods=("GET", "POST"))
def company_security_view(request, company):
    policy = security_selectors.company_policy(company=company)
    initial = {
        "password_min_length": policy.password_min_length,
        "two_factor": policy.two_factor,
        "lock_profiles": policy.lock_profiles,
    }
    form = account_forms.CompanySecurityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            security_services.company_security_policy_set(
                company=company, actor=request.user, **form.cleaned_data
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Security settings saved."))
            return redirect("companies:company-security", slug=company.slug)
    return render(
        request,
        "companies/security.html",
        {
            "company": company,
            "form": form,
            "members": security_selectors.company_member_locks(company=company),
        },
    )


@company_page(
    right=can_manage_security,
    methods=("POST",),
    objects={"member": ("user_id", member_get)},
)
def member_profile_lock_view(request, company, member):
    form = account_forms.ProfileLockForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to lock or to unlock the profile."))
        return redirect("companies:company-security", slug=company.slug)
    locked = form.cleaned_data["locked"]
    try:
        security_services.user_profile_lock_set(user=member, locked=locked, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        text = (
            _("The profile of %(email)s is locked.")
            if locked
            else _("The profile of %(email)s is unlocked.")
        )
        messages.success(request, text % {"email": member.email})
    return redirect(
        requested_next(request) or reverse("companies:company-security", args=[company.slug])
    )
