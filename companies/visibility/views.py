"""Pages: directory search, company page, profile, member visibility and simulator, company
visibility (mutual requests, network setting). Thin: selectors, policies, services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Contact, Invitation, NetworkSettings, User
from companies.visibility.network_selectors import network_states, presence_for
from companies.visibility.network_services import network_settings_set
from rainbow_portal.exceptions import ApplicationError

from ..models import Company, VisibilityRequest
from ..policies import can_manage_company
from ..selectors import company_get_for_actor
from . import rules, search, selectors, services
from .forms import NetworkSettingsForm, OverrideForm, SimulateForm, VisibilityRequestForm


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


@login_required
@require_GET
def company_page(request, slug):
    company = selectors.company_page_get_for_viewer(viewer=request.user, slug=slug)
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


@login_required
@require_GET
def person(request, pk):
    target = selectors.person_get_for_viewer(viewer=request.user, pk=pk)
    v, t = rules.person(request.user), rules.person(target)
    world = rules.DbWorld()
    pending = Invitation.objects.filter(
        inviter=request.user,
        invitee=target,
        status__in=[Invitation.Status.PENDING, Invitation.Status.DECLINED],
    ).exists()
    context = {
        "target": target,
        "is_me": target.pk == request.user.pk,
        "is_contact": Contact.objects.filter(owner=request.user, contact=target).exists(),
        "presence": presence_for(viewer=request.user, target=target),
        "can_invite": rules.can_invite_in_app(v, t, world),
        "company_visible": rules.can_find_company(v, target.company, world).allowed,
        "may_manage": can_manage_company(actor=request.user, company=target.company),
        "pending": pending,
    }
    return render(request, "companies/person.html", context)


def _member_page_company(request, slug):
    """Company admins manage their members; operations staff may simulate on any company."""
    if request.user.is_operations and not request.user.is_superuser:
        company = Company.objects.filter(slug=slug).first()
        if company is None:
            raise Http404("No such company.")
        return company, False
    company = company_get_for_actor(actor=request.user, slug=slug)
    if not can_manage_company(actor=request.user, company=company):
        raise PermissionDenied("Only the company's admins manage members' visibility.")
    return company, True


@login_required
@require_http_methods(["GET", "POST"])
def member_visibility(request, slug, pk):
    company, may_edit = _member_page_company(request, slug)
    member = selectors.member_get(company=company, pk=pk)
    form = OverrideForm(
        request.POST
        if request.method == "POST" and "visibility_override" in request.POST
        else None,
        company_mode=company.visibility,
        initial={"visibility_override": member.visibility_override},
    )
    if form.is_bound:
        if not may_edit:
            raise PermissionDenied("Only the company's admins change a member's visibility.")
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
                messages.success(request, "Visibility saved.")
                return redirect(request.path)
    sim_form = SimulateForm(request.GET if "other" in request.GET else None)
    simulation, other = None, None
    if sim_form.is_bound and sim_form.is_valid():
        other = (
            User.objects.select_related("company")
            .filter(email__iexact=sim_form.cleaned_data["other"])
            .first()
        )
        # A company admin simulates only with people they can find themselves, so the
        # simulator reveals nobody (operations staff see everyone).
        if (
            other is not None
            and not request.user.is_operations
            and other.company_id != request.user.company_id
            and not rules.can_find(rules.person(request.user), rules.person(other), rules.DbWorld())
        ):
            other = None
        if other is None or other.pk == member.pk:
            sim_form.add_error("other", "No such person that you can see.")
        else:
            simulation = selectors.simulate(member=member, other=other)
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


@login_required
@require_http_methods(["GET", "POST"])
def company_visibility(request, slug):
    """Mutual-visibility requests (SPEC §4.6) and the network setting (SPEC §5.1)."""
    company = company_get_for_actor(actor=request.user, slug=slug)
    if not can_manage_company(actor=request.user, company=company):
        raise PermissionDenied("Only the company's admins manage its visibility.")
    setting = NetworkSettings.objects.filter(company=company).first()
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
                raise ApplicationError("No company has this exact name.")
            services.visibility_request_create(
                from_company=company, to_company=other, actor=request.user
            )
        except ApplicationError as exc:
            request_form.add_error("company_name", exc.message)
        else:
            messages.success(request, f"Request sent to {other.name}.")
            return redirect(request.path)
    if settings_form.is_bound and settings_form.is_valid():
        network_settings_set(
            company=company,
            auto_accept_within_company=settings_form.cleaned_data["auto_accept_within_company"],
            actor=request.user,
        )
        messages.success(request, "Network setting saved.")
        return redirect(request.path)
    context = {
        "company": company,
        "request_form": request_form,
        "settings_form": settings_form,
        "incoming": VisibilityRequest.objects.filter(to_company=company, status="pending")
        .select_related("from_company")
        .order_by("-created_at"),
        "outgoing": VisibilityRequest.objects.filter(from_company=company)
        .select_related("to_company")
        .order_by("-created_at")[:50],
        "grants_in": company.visibility_received.select_related("company").order_by(
            "company__name"
        ),
    }
    return render(request, "companies/company_visibility.html", context)


@login_required
@require_POST
def visibility_request_answer(request, slug, pk, action):
    company = company_get_for_actor(actor=request.user, slug=slug)
    if not can_manage_company(actor=request.user, company=company):
        raise PermissionDenied("Only the company's admins answer visibility requests.")
    vr = VisibilityRequest.objects.filter(pk=pk, to_company=company).first()
    if vr is None:
        raise Http404("No such request.")
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
        messages.success(request, f"Request {action}ed.".replace("eed", "ed"))
    return redirect("companies:company-visibility", slug=company.slug)
