"""A company's profile, members and file sharing (company admins, SPEC §3)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.security import selectors as security_selectors
from core.confirm import confirm_page
from core.dashboard import member_panels
from rainbow_portal.exceptions import ApplicationError

from ... import policies
from ...models import FileSharingMode, Role
from ...scoping import company_page
from ...selectors import domain_list, user_roles
from ...services import company_update, member_role_grant, member_role_remove
from ...visibility import explain
from ...visibility import selectors as visibility_selectors
from ...visibility.forms import OverrideForm, SimulateForm
from .. import forms, selectors, services
from .common import MEMBERS_PER_PAGE, _fail


@login_required
def manage(request):
    """The signed-in admin's own company page (nav entry "My company")."""
    policies.require_can_manage_company(actor=request.user, company=request.user.company)
    return redirect("companies:profile", slug=request.user.company.slug)


@company_page(right=policies.can_manage_company, methods=("GET", "POST"))
def profile(request, company):
    form = forms.CompanyProfileForm(request.POST or None, initial={"name": company.name})
    if request.method == "POST" and form.is_valid():
        try:
            company_update(company=company, name=form.cleaned_data["name"], actor=request.user)
        except ApplicationError as exc:
            form.add_error("name", exc.message)
        else:
            messages.success(request, _("Company profile saved."))
            return redirect("companies:profile", slug=company.slug)
    context = {
        "company": company,
        "form": form,
        "domains": domain_list(company=company),
        "file_sharing_enabled": selectors.company_file_sharing_enabled(company=company),
        "may_manage_security": policies.can_manage_security(actor=request.user, company=company),
        "partner_offers": selectors.partner_invitation_list(customer=company),
        "counts": {
            "members": company.members.count(),
            "invitations": selectors.open_invitation_count(company=company),
            "join_requests": selectors.join_request_list(company=company).count(),
        },
    }
    return render(request, "companies/profile.html", context)


# SPEC §3.3: file sharing is a security setting: the company's own admins'.
@company_page(right=policies.can_manage_security, methods=("GET", "POST"))
def company_file_sharing(request, company):
    enabled = selectors.company_file_sharing_enabled(company=company)
    form = forms.CompanyFileSharingForm(
        request.POST if request.method == "POST" else None,
        initial={"enabled": "1" if enabled else "0"},
    )
    if form.is_bound and form.is_valid():
        services.company_file_sharing_set(
            company=company, enabled=form.cleaned_data["enabled"], actor=request.user
        )
        messages.success(request, _("File-sharing setting saved."))
        return redirect("companies:file-sharing", slug=company.slug)
    return render(
        request,
        "companies/file_sharing.html",
        {
            "company": company,
            "form": form,
            "enabled": enabled,
            "overrides": selectors.member_file_sharing_overrides(company=company),
        },
        status=400 if form.errors else 200,
    )


@company_page(right=policies.can_manage_company, methods=("GET",))
def members(request, company):
    filters = forms.MemberFilterForm(request.GET or None)
    valid = filters.is_valid() or not filters.is_bound
    if valid:
        data = filters.cleaned_data if filters.is_bound else {}
        queryset = selectors.member_list(
            company=company,
            search=data.get("q", ""),
            role=data.get("role", ""),
            status=data.get("status", ""),
        )
    else:
        # A refused filter lists nobody rather than silently listing everybody.
        queryset = []
    page = Paginator(queryset, MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "companies/members.html",
        {
            "company": company,
            "filters": filters,
            "page": page,
            "query": query.urlencode() if valid else "",
        },
        status=200 if valid else 400,
    )


def _role_choices(company):
    return [
        (r, Role(r).label)
        for r in Role.values
        if policies.role_fits_company(role=r, company=company)
    ]


@company_page(
    right=policies.can_manage_company,
    methods=("GET",),
    objects={"member": ("member_id", selectors.member_get)},
)
def member_detail(request, company, member):
    """One member gathered: roles, status, visibility and the "who finds them, and why"
    simulator, licenses, file sharing, profile lock and sessions."""
    held = user_roles(user=member)
    roles = []
    for value, label in _role_choices(company):
        reason = policies.role_change_refusal(actor=request.user, member=member, role=value)
        roles.append({"value": value, "label": label, "held": value in held, "refusal": reason})
    own_admin = policies.can_manage_security(actor=request.user, company=company)
    sim_form = SimulateForm(request.GET if "other" in request.GET else None)
    simulation, other = None, None
    if sim_form.is_bound and sim_form.is_valid():
        other = visibility_selectors.simulation_counterpart_get(
            viewer=request.user, email=sim_form.cleaned_data["other"]
        )
        if other is None or other.pk == member.pk:
            sim_form.add_error("other", _("No such person that you can see."))
        else:
            simulation = explain.simulation_rows(
                visibility_selectors.simulate(member=member, other=other),
                member=member,
                other=other,
            )
    security = security_selectors.user_security(user=member)
    return render(
        request,
        "companies/member_detail.html",
        {
            "company": company,
            "member": member,
            "roles": roles,
            "own_admin": own_admin,
            "security": security,
            "locked_now": bool(security.locked_until and security.locked_until > timezone.now()),
            "two_factor": security_selectors.has_two_factor(user=member),
            "sessions": security_selectors.user_session_list(user=member),
            "override_form": OverrideForm(
                company_mode=company.visibility,
                current=member.visibility_override,
                initial={"visibility_override": member.visibility_override},
            ),
            "statements": visibility_selectors.who_statements(member=member),
            "sim_form": sim_form,
            "simulation": simulation,
            "other": other,
            "file_sharing_form": forms.MemberFileSharingForm(
                initial={"mode": selectors.member_file_sharing_mode(user=member)}
            ),
            "file_sharing_modes": FileSharingMode,
            "effective_sharing": selectors.file_sharing_allowed(user=member),
            "panels": member_panels(request.user, member),
        },
    )


@company_page(
    right=policies.can_manage_company,
    methods=("GET", "POST"),
    objects={"member": ("member_id", selectors.member_get)},
)
def member_role(request, company, member):
    back = reverse("companies:member", args=[company.slug, member.pk])
    if request.method == "GET":
        # Removing a role asks first; anything else has nothing to confirm here.
        form = forms.RoleChangeForm(request.GET)
        if not form.is_valid() or form.cleaned_data["action"] != "remove":
            return redirect(back)
        label = Role(form.cleaned_data["role"]).label
        name = member.get_full_name() or member.email
        return confirm_page(
            request,
            title=_("Remove the role %(role)s from %(name)s?") % {"role": label, "name": name},
            consequences=[
                _("%(name)s loses at once every right the role %(role)s gives.")
                % {"name": name, "role": label},
                _("Their personal API tokens made with that role stop working."),
            ],
            irreversible=_("Someone who holds the role can grant it again later."),
            button=_("Remove the role"),
            cancel_url=back,
            fields={"role": form.cleaned_data["role"], "action": "remove"},
        )
    form = forms.RoleChangeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role and an action."))
    else:
        role, action = form.cleaned_data["role"], form.cleaned_data["action"]
        service = member_role_grant if action == "grant" else member_role_remove
        try:
            service(member=member, role=role, actor=request.user)
        except ApplicationError as exc:
            _fail(request, exc)
        else:
            text = (
                _("%(role)s granted to %(name)s.")
                if action == "grant"
                else _("%(role)s removed from %(name)s.")
            )
            messages.success(request, text % {"role": Role(role).label, "name": member})
    return redirect("companies:member", slug=company.slug, member_id=member.pk)


@company_page(
    right=policies.can_manage_security,
    methods=("POST",),
    objects={"member": ("member_id", selectors.member_get)},
)
def member_file_sharing(request, company, member):
    form = forms.MemberFileSharingForm(request.POST)
    if form.is_valid():
        services.member_file_sharing_set(
            member=member, mode=form.cleaned_data["mode"], actor=request.user
        )
        messages.success(request, _("File-sharing setting of %(name)s saved.") % {"name": member})
    else:
        messages.error(request, _("Choose a file-sharing setting."))
    return redirect("companies:member", slug=company.slug, member_id=member.pk)
