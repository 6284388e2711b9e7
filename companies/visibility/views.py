"""Pages: directory search, company page, profile, member visibility and simulator, company
visibility (mutual requests, network setting). Thin: selectors, policies, services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from companies.visibility.network_selectors import (
    invitation_outstanding,
    is_contact,
    network_settings_get,
    network_states,
    presence_for,
)
from companies.visibility.network_services import network_settings_set
from core.redirects import requested_next
from rainbow_portal.exceptions import ApplicationError

from .. import policies, scoping
from ..policies import can_manage_company
from ..selectors import company_get_for_visibility_page
from . import explain, rules, search, selectors, services
from .forms import (
    CompanyModeForm,
    NetworkSettingsForm,
    OverrideForm,
    SimulateForm,
    VisibilityRequestForm,
)


@login_required
@require_GET
def directory(request):
    query = request.GET.get("q", "")
    page, error = None, None
    if query.strip() or "page" in request.GET:
        try:
            page = search.directory_search(
                viewer=request.user, query=query, page=request.GET.get("page", 1)
            )
        except search.QueryError as exc:
            error = str(exc)
    return render(
        request,
        "companies/directory.html",
        {
            "query": query[: search.MAX_QUERY + 50],
            "page": page,
            "rows": _rows(request.user, page),
            "error": error,
        },
    )


def _rows(viewer, page) -> list[tuple]:
    """Each hit with where it stands in the viewer's network, so that a contact or someone
    already invited is not offered "Invite" again."""
    if page is None:
        return []
    states = network_states(viewer=viewer, user_ids=[hit.id for hit in page.hits])
    return [(hit, states.get(hit.id)) for hit in page.hits]


@scoping.viewer_page(objects={"company": ("slug", selectors.company_page_get_for_viewer)})
def company_page(request, company):
    try:
        page = search.directory_search(
            viewer=request.user, query=None, company_id=company.pk, page=request.GET.get("page", 1)
        )
    except search.QueryError as exc:
        messages.error(request, str(exc))
        return redirect("companies:company-page", slug=company.slug)
    return render(
        request,
        "companies/company_page.html",
        {
            "company": company,
            "page": page,
            "rows": _rows(request.user, page),
            "may_manage": can_manage_company(actor=request.user, company=company),
        },
    )


@scoping.viewer_page(objects={"target": ("pk", selectors.person_get_for_viewer)})
def person(request, target):
    v, t = rules.person(request.user), rules.person(target)
    world = rules.DbWorld()
    pending = invitation_outstanding(inviter=request.user, invitee=target)
    context = {
        "target": target,
        "is_me": target.pk == request.user.pk,
        "is_contact": is_contact(owner=request.user, contact=target),
        "presence": presence_for(viewer=request.user, target=target),
        "can_invite": rules.can_invite_in_app(v, t, world),
        "can_invite_by_email": rules.can_invite_by_email(v, t, world),
        "company_visible": rules.can_find_company(v, target.company, world).allowed,
        "may_manage": can_manage_company(actor=request.user, company=target.company),
        "pending": pending,
    }
    return render(request, "companies/person.html", context)


@scoping.company_page(
    right=policies.can_view_member_visibility,
    methods=("GET", "POST"),
    objects={"member": ("pk", selectors.member_get)},
    company_selector=company_get_for_visibility_page,
)
def member_visibility(request, company, member):
    may_edit = policies.can_manage_company(actor=request.user, company=company)
    form = OverrideForm(
        request.POST
        if request.method == "POST" and "visibility_override" in request.POST
        else None,
        company_mode=company.visibility,
        current=member.visibility_override,
        initial={"visibility_override": member.visibility_override},
    )
    if form.is_bound:
        if not may_edit:
            raise PermissionDenied(_("Only the company's admins change a member's visibility."))
        if form.is_valid():
            try:
                services.user_visibility_override_set(
                    user=member,
                    override=form.cleaned_data["visibility_override"],
                    actor=request.user,
                )
            except ApplicationError as exc:
                form.add_error("visibility_override", exc.message)
            else:
                messages.success(request, _("Visibility saved."))
                return redirect(requested_next(request) or request.path)
    sim_form = SimulateForm(request.GET if "other" in request.GET else None)
    simulation, other = None, None
    if sim_form.is_bound and sim_form.is_valid():
        other = selectors.simulation_counterpart_get(
            viewer=request.user, email=sim_form.cleaned_data["other"]
        )
        if other is None or other.pk == member.pk:
            sim_form.add_error("other", _("No such person that you can see."))
        else:
            simulation = explain.simulation_rows(
                selectors.simulate(member=member, other=other), member=member, other=other
            )
    return render(
        request,
        "companies/member_visibility.html",
        {
            "company": company,
            "member": member,
            "form": form,
            "may_edit": may_edit,
            "sim_form": sim_form,
            "simulation": simulation,
            "other": other,
            "statements": selectors.who_statements(member=member),
        },
    )


@scoping.company_page(right=policies.can_manage_company, methods=("GET", "POST"))
def company_visibility(request, company):
    """The company's mode (SPEC §4.1, its own admins), grants and mutual-visibility requests
    (SPEC §4.6) and the network setting (SPEC §5.1): the settings hub's Visibility page."""
    may_set_mode = policies.can_manage_security(actor=request.user, company=company)
    mode_form = CompanyModeForm(company=company, initial={"visibility": company.visibility})
    setting = network_settings_get(company=company)
    request_form = VisibilityRequestForm(request.POST if "company_name" in request.POST else None)
    settings_form = NetworkSettingsForm(
        request.POST if "settings" in request.POST else None,
        initial={
            "auto_accept_within_company": setting is None or setting.auto_accept_within_company
        },
    )
    if request_form.is_bound and request_form.is_valid():
        other = selectors.request_counterpart_get(
            company=company, name=request_form.cleaned_data["company_name"]
        )
        try:
            if other is None:
                raise ApplicationError(services.NO_SUCH_COMPANY)
            services.visibility_request_create(
                from_company=company, to_company=other, actor=request.user
            )
        except ApplicationError as exc:
            request_form.add_error("company_name", exc.message)
        else:
            messages.success(request, _("Request sent to %(name)s.") % {"name": other.name})
            return redirect(request.path)
    if settings_form.is_bound and settings_form.is_valid():
        network_settings_set(
            company=company,
            auto_accept_within_company=settings_form.cleaned_data["auto_accept_within_company"],
            actor=request.user,
        )
        messages.success(request, _("Network setting saved."))
        return redirect(request.path)
    context = {
        "company": company,
        "request_form": request_form,
        "settings_form": settings_form,
        "incoming": selectors.visibility_requests_incoming(company=company),
        "outgoing": selectors.visibility_requests_outgoing(company=company),
        "mode_form": mode_form,
        "may_set_mode": may_set_mode,
        # Companies whose members this company's members find, and those that find its own.
        "grants_sees": company.visibility_received.select_related("company").order_by(
            "company__name"
        ),
        "grants_seen_by": company.visibility_grants.select_related("visible_by").order_by(
            "visible_by__name"
        ),
    }
    return render(request, "companies/company_visibility.html", context)


@scoping.company_page(
    right=policies.can_manage_security,  # SPEC §3.3: the company's own admins answer
    methods=("POST",),
    objects={"vr": ("pk", selectors.visibility_request_get)},
)
def visibility_request_answer(request, company, vr, action):
    service = {
        "accept": services.visibility_request_accept,
        "decline": services.visibility_request_decline,
    }.get(action)
    if service is None:
        raise Http404("No such action.")
    try:
        service(request=vr, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Request accepted.") if action == "accept" else _("Request declined.")
        )
    return redirect("companies:company-visibility", slug=company.slug)
