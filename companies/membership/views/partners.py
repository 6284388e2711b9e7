"""The partner portal and partner offers (SPEC §2.8, §3.3)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from rainbow_portal.exceptions import ApplicationError

from ... import policies
from ...scoping import company_page
from .. import forms, selectors, services
from .common import _fail


# SPEC §2.8: the customer's own admin answers a partner's offer.
@company_page(
    right=policies.can_manage_security,
    methods=("POST",),
    objects={"offer": ("invitation_id", selectors.partner_invitation_get)},
)
def partner_offer_decide(request, company, offer):
    form = forms.DecisionForm(request.POST)
    if form.is_valid():
        accept = form.cleaned_data["decision"] == "accept"
        try:
            services.partner_invitation_decide(invitation=offer, accept=accept, actor=request.user)
            messages.success(
                request,
                f"{offer.partner.name} is now your partner." if accept else "Offer declined.",
            )
        except ApplicationError as exc:
            _fail(request, exc)
    return redirect("companies:profile", slug=company.slug)


@login_required
def partner(request):
    policies.require_partner_member(actor=request.user)
    partner_company = request.user.company
    return render(
        request,
        "companies/partner.html",
        {
            "partner": partner_company,
            "customers": selectors.customer_list(partner=partner_company),
            "offers": selectors.partner_offers_sent(partner=partner_company),
            "can_create": policies.can_create_customer(actor=request.user),
            "can_manage_own": policies.can_manage_company(
                actor=request.user, company=partner_company
            ),
            "offer_form": forms.PartnerOfferForm(),
            "partner_roles": selectors.partner_roles_explained(user=request.user),
        },
    )


@login_required
def customer_create(request):
    policies.require_can_create_customer(actor=request.user)
    form = forms.CustomerCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.customer_create(
                partner=request.user.company, actor=request.user, **form.cleaned_data
            )
        except ApplicationError as exc:
            field = (
                "admin_email"
                if "emails" in exc.fields
                else "name"
                if "name" in exc.fields
                else None
            )
            form.add_error(field, exc.message)
        else:
            messages.success(
                request,
                f"{customer.name} is created; its admin was invited at "
                f"{form.cleaned_data['admin_email']}.",
            )
            return redirect("companies:partner")
    return render(request, "companies/customer_create.html", {"form": form})


@login_required
@require_POST
def partner_offer_create(request):
    policies.require_can_create_customer(actor=request.user)
    form = forms.PartnerOfferForm(request.POST)
    if form.is_valid():
        try:
            offer = services.partner_invitation_create(
                partner=request.user.company,
                customer_name=form.cleaned_data["customer_name"],
                actor=request.user,
            )
            messages.success(request, f"Offer sent to {offer.customer.name}'s admins.")
        except ApplicationError as exc:
            _fail(request, exc)
    return redirect("companies:partner")
