"""The subscription pages: offers, seats, status, delegation, licenses, consumption."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from companies import policies as company_policies
from companies.scoping import company_page
from core.confirm import confirm_page
from rainbow_portal.exceptions import ApplicationError

from .. import charts, selectors, services
from ..dates import last_months
from ..forms import (
    DelegationForm,
    LicenseAssignForm,
    SeatsForm,
    StatusForm,
    SubscriptionCreateForm,
)
from ..policies import (
    can_edit_billing,
    can_set_delegation,
    can_view_consumption,
    can_view_subscriptions,
)
from ..web import flash_form_errors


def _rights(actor, company) -> dict:
    return {
        "can_create": company_policies.can_create_subscription(actor=actor, company=company),
        "can_manage": company_policies.can_manage_subscriptions(actor=actor, company=company),
        "can_allocate": company_policies.can_allocate_licenses(actor=actor, company=company),
        "can_invoices": company_policies.can_view_invoices(actor=actor, company=company),
        "increase_only": company_policies.subscription_increase_only(actor=actor, company=company),
        "can_delegate": can_set_delegation(actor=actor, company=company),
        "can_edit_billing": can_edit_billing(actor=actor, company=company),
    }


@login_required
@require_GET
def home(request):
    companies = [
        c
        for c in selectors.companies_for_actor(actor=request.user)
        if can_view_subscriptions(actor=request.user, company=c)
    ]
    own = request.user.company
    show_consumption = can_view_consumption(actor=request.user, company=own)
    if len(companies) == 1 and not show_consumption:
        return redirect("subscriptions:company", slug=companies[0].slug)
    return render(
        request,
        "subscriptions/home.html",
        {"companies": companies, "consumption_partner": own if show_consumption else None},
    )


@company_page(
    right={"GET": can_view_subscriptions, "POST": company_policies.can_create_subscription},
    methods=("GET", "POST"),
)
def company(request, company):
    rights = _rights(request.user, company)
    form = SubscriptionCreateForm()
    if request.method == "POST":
        form = SubscriptionCreateForm(request.POST)
        if form.is_valid():
            try:
                services.subscription_create(
                    company=company, actor=request.user, **form.cleaned_data
                )
            except ApplicationError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Subscription created."))
                return redirect("subscriptions:company", slug=company.slug)
        else:
            flash_form_errors(request, form)
    context = {
        "company": company,
        "subscriptions": selectors.subscription_list(company=company),
        "essential": selectors.essential_offer(),
        "form": form,
        "delegation_form": DelegationForm(initial={"delegation": company.subscription_delegation}),
        **rights,
    }
    return render(
        request, "subscriptions/company.html", context, status=400 if form.errors else 200
    )


@company_page(
    right=company_policies.can_manage_subscriptions,
    methods=("POST",),
    objects={"subscription": ("pk", selectors.subscription_get)},
)
def seats(request, company, subscription):
    form = SeatsForm(request.POST)
    if form.is_valid():
        try:
            services.subscription_seats_set(
                subscription=subscription, seats=form.cleaned_data["seats"], actor=request.user
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("Seats set to %(cleaned_data_seats)s.")
                % {"cleaned_data_seats": form.cleaned_data["seats"]},
            )
    else:
        flash_form_errors(request, form)
    return redirect("subscriptions:company", slug=company.slug)


STATUS_ACTIONS = {
    "suspend": (services.subscription_suspend, "Subscription suspended."),
    "resume": (services.subscription_resume, "Subscription active again."),
    "terminate": (services.subscription_terminate, "Subscription terminated; licenses freed."),
}


def _status_confirmation(request, company, subscription, action: str):
    """Suspend and terminate ask first, on a page that works without JavaScript (issue 14)."""
    back = reverse("subscriptions:company", args=[company.slug])
    names = {"offer": subscription.offer.name, "seats": subscription.seats}
    if action == "terminate":
        return confirm_page(
            request,
            title=_("Terminate %(offer)s (%(seats)s seats)?") % names,
            consequences=[
                _("The subscription ends today and every license it gives is freed."),
                _("Its members fall back to Essential."),
                _("A prepaid term is not refunded; a monthly one is billed for this month."),
            ],
            irreversible=_(
                "A terminated subscription cannot be resumed: you would create a new one."
            ),
            button=_("Terminate the subscription"),
            cancel_url=back,
            fields={"action": "terminate"},
        )
    return confirm_page(
        request,
        title=_("Suspend %(offer)s (%(seats)s seats)?") % names,
        consequences=[
            _("No new license can be assigned from it while it is suspended."),
            _("You can resume it later from the subscriptions page."),
        ],
        button=_("Suspend the subscription"),
        cancel_url=back,
        fields={"action": "suspend"},
        danger=False,
    )


@company_page(
    right=company_policies.can_manage_subscriptions,
    methods=("GET", "POST"),
    objects={"subscription": ("pk", selectors.subscription_get)},
)
def status(request, company, subscription):
    if request.method == "GET":
        action = request.GET.get("action")
        if action in ("terminate", "suspend"):
            return _status_confirmation(request, company, subscription, action)
        return redirect("subscriptions:company", slug=company.slug)
    form = StatusForm(request.POST)
    if form.is_valid():
        service, done = STATUS_ACTIONS[form.cleaned_data["action"]]
        try:
            service(subscription=subscription, actor=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, done)
    else:
        flash_form_errors(request, form)
    return redirect("subscriptions:company", slug=company.slug)


@company_page(right=can_set_delegation, methods=("POST",))
def delegation(request, company):
    form = DelegationForm(request.POST)
    if form.is_valid():
        try:
            services.subscription_delegation_set(
                company=company, delegation=form.cleaned_data["delegation"], actor=request.user
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Delegation saved."))
    else:
        flash_form_errors(request, form)
    return redirect("subscriptions:company", slug=company.slug)


@company_page(
    right=company_policies.can_allocate_licenses,
    methods=("GET", "POST"),
    objects={"subscription": ("pk", selectors.subscription_get)},
)
def licenses(request, company, subscription):
    if request.method == "POST":
        form = LicenseAssignForm(request.POST, company=company)
        if form.is_valid():
            users = list(form.cleaned_data["users"])
            try:
                services.licenses_assign_bulk(
                    subscription=subscription, users=users, actor=request.user
                )
            except ApplicationError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("%(len)s license(s) assigned.") % {"len": len(users)})
                return redirect("subscriptions:licenses", slug=company.slug, pk=subscription.pk)
        else:
            flash_form_errors(request, form)
        return redirect("subscriptions:licenses", slug=company.slug, pk=subscription.pk)
    members = list(selectors.members_for_licensing(subscription=subscription))
    return render(
        request,
        "subscriptions/licenses.html",
        {
            "company": company,
            "subscription": subscription,
            "members": members,
            "free": subscription.seats - subscription.assigned,
        },
    )


@company_page(
    right=company_policies.can_allocate_licenses,
    methods=("GET", "POST"),
    objects={
        "subscription": ("pk", selectors.subscription_get),
        "license_": ("license_pk", selectors.license_get),
    },
)
def license_release(request, company, subscription, license_):
    if request.method == "GET":
        who = license_.user.get_full_name() or license_.user.email
        return confirm_page(
            request,
            title=_("Release %(who)s's %(offer)s license?")
            % {"who": who, "offer": subscription.offer.name},
            consequences=[
                _("%(who)s loses %(offer)s at once and keeps Essential.")
                % {"who": who, "offer": subscription.offer.name},
                _("The seat becomes free for someone else."),
            ],
            button=_("Release the license"),
            cancel_url=reverse("subscriptions:licenses", args=[company.slug, subscription.pk]),
        )
    try:
        services.license_release(license_=license_, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("License released."))
    return redirect("subscriptions:licenses", slug=company.slug, pk=subscription.pk)


@company_page(right=can_view_consumption)
def consumption(request, company):
    partner = company
    rows = selectors.consumption(partner=partner, today=timezone.now().date())
    months = last_months(timezone.now().date(), 12)
    for row in rows:
        row["chart"] = charts.line_chart(row["bought"], row["assigned"], months)
        row["table"] = list(zip(months, row["bought"], row["assigned"], strict=True))
    return render(
        request,
        "subscriptions/consumption.html",
        {"rows": rows, "months": months, "partner": partner},
    )
