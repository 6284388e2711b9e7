"""PBX system pages (SPEC §3.8) under /systems/<company>/, by the rights of SPEC §3.3:
"create equipment" adds sites, systems and extension numbers; "manage systems" associates
extensions with members."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from companies import policies as company_policies
from companies.scoping import company_page
from rainbow_portal.exceptions import ApplicationError

from . import selectors, services
from .forms import AssociateForm, ExtensionForm, SiteForm, SystemForm
from .policies import can_view_systems
from .web import flash_form_errors


@login_required
@require_GET
def home(request):
    companies = [
        c
        for c in selectors.companies_for_actor(actor=request.user)
        if can_view_systems(actor=request.user, company=c)
    ]
    if len(companies) == 1:
        return redirect("systems:company", slug=companies[0].slug)
    return render(request, "systems/home.html", {"companies": companies})


@company_page(
    right={"GET": can_view_systems, "POST": company_policies.can_create_equipment},
    methods=("GET", "POST"),
)
def company(request, company):
    can_create = company_policies.can_create_equipment(actor=request.user, company=company)
    sites = selectors.site_options(company=company)
    if request.method == "POST":
        if request.POST.get("form") == "site":
            form = SiteForm(request.POST, prefix="site")
            if form.is_valid():
                try:
                    services.site_create(company=company, actor=request.user, **form.cleaned_data)
                except ApplicationError as exc:
                    messages.error(request, exc.message)
                else:
                    messages.success(
                        request,
                        _("Site “%(cleaned_data_name)s” added.")
                        % {"cleaned_data_name": form.cleaned_data["name"]},
                    )
            else:
                flash_form_errors(request, form)
        else:
            form = SystemForm(request.POST, sites=sites, prefix="system")
            if form.is_valid():
                try:
                    services.system_create(actor=request.user, **form.cleaned_data)
                except ApplicationError as exc:
                    messages.error(request, exc.message)
                else:
                    messages.success(
                        request,
                        _("System “%(cleaned_data_name)s” added.")
                        % {"cleaned_data_name": form.cleaned_data["name"]},
                    )
            else:
                flash_form_errors(request, form)
        return redirect("systems:company", slug=company.slug)
    return render(
        request,
        "systems/company.html",
        {
            "company": company,
            "sites": selectors.site_list(company=company),
            "can_create": can_create,
            "site_form": SiteForm(prefix="site"),
            "system_form": SystemForm(sites=sites, prefix="system"),
        },
    )


@company_page(
    right={"GET": can_view_systems, "POST": company_policies.can_create_equipment},
    methods=("GET", "POST"),
    objects={"system": ("pk", selectors.system_get)},
)
def system(request, company, system):
    can_create = company_policies.can_create_equipment(actor=request.user, company=company)
    if request.method == "POST":
        form = ExtensionForm(request.POST)
        if form.is_valid():
            try:
                services.extension_create(
                    system=system, number=form.cleaned_data["number"], actor=request.user
                )
            except ApplicationError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    _("Extension %(cleaned_data_number)s added.")
                    % {"cleaned_data_number": form.cleaned_data["number"]},
                )
        else:
            flash_form_errors(request, form)
        return redirect("systems:system", slug=company.slug, pk=system.pk)
    extensions = list(selectors.extension_list(system=system))
    members = list(selectors.company_members(company=company))
    return render(
        request,
        "systems/system.html",
        {
            "company": company,
            "system": system,
            "extensions": extensions,
            "members": members,
            "can_create": can_create,
            "can_manage": company_policies.can_manage_systems(actor=request.user, company=company),
            "extension_form": ExtensionForm(),
        },
    )


@company_page(
    right=company_policies.can_manage_systems,
    methods=("POST",),
    objects={
        "system": ("pk", selectors.system_get),
        "extension": ("extension_pk", selectors.extension_get),
    },
)
def associate(request, company, system, extension):
    form = AssociateForm(request.POST, company=company)
    if form.is_valid():
        user = form.cleaned_data["user"]
        try:
            services.extension_associate(extension=extension, user=user, actor=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                f"Extension {extension.number} "
                + (f"associated with {user.get_full_name() or user.email}." if user else "freed."),
            )
    else:
        flash_form_errors(request, form)
    return redirect("systems:system", slug=company.slug, pk=system.pk)
