"""Company admin pages (/companies/<slug>/…), joining pages, and the partner portal.

Each view resolves the company with `company_get_for_actor` (404 for unrelated companies),
checks a policy (403), validates with a form and calls a service.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.redirects import with_next
from rainbow_portal.exceptions import ApplicationError

from .. import policies
from ..models import FileSharingMode, Role
from ..selectors import company_get_for_actor, user_roles
from ..services import company_update, member_role_grant, member_role_remove
from . import forms, selectors, services

MEMBERS_PER_PAGE = 50


def _managed_company(request, slug):
    company = company_get_for_actor(actor=request.user, slug=slug)
    policies.require_can_manage_company(actor=request.user, company=company)
    return company


def _fail(request, exc: ApplicationError):
    messages.error(request, exc.message)


@login_required
def manage(request):
    """The signed-in admin's own company page (nav entry "My company")."""
    policies.require_can_manage_company(actor=request.user, company=request.user.company)
    return redirect("companies:profile", slug=request.user.company.slug)


@login_required
def profile(request, slug):
    company = _managed_company(request, slug)
    form = forms.CompanyProfileForm(request.POST or None, initial={"name": company.name})
    if request.method == "POST" and form.is_valid():
        try:
            company_update(company=company, name=form.cleaned_data["name"], actor=request.user)
        except ApplicationError as exc:
            form.add_error("name", exc.message)
        else:
            messages.success(request, "Company profile saved.")
            return redirect("companies:profile", slug=company.slug)
    context = {
        "company": company,
        "form": form,
        "domains": company.domains.order_by("domain"),
        "file_sharing_enabled": selectors.company_file_sharing_enabled(company=company),
        "partner_offers": selectors.partner_invitation_list(customer=company),
        "counts": {
            "members": company.members.count(),
            "invitations": selectors.open_invitation_count(company=company),
            "join_requests": selectors.join_request_list(company=company).count(),
        },
    }
    return render(request, "companies/profile.html", context)


@login_required
@require_POST
def company_file_sharing(request, slug):
    company = _managed_company(request, slug)
    form = forms.CompanyFileSharingForm(request.POST)
    if form.is_valid():
        services.company_file_sharing_set(
            company=company, enabled=form.cleaned_data["enabled"], actor=request.user
        )
        messages.success(request, "File-sharing setting saved.")
    else:
        messages.error(request, "Choose enabled or disabled.")
    return redirect("companies:profile", slug=company.slug)


@login_required
def members(request, slug):
    company = _managed_company(request, slug)
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


@login_required
def member_detail(request, slug, member_id):
    company = _managed_company(request, slug)
    member = selectors.member_get(company=company, member_id=member_id)
    held = user_roles(user=member)
    roles = []
    for value, label in _role_choices(company):
        reason = policies.role_change_refusal(actor=request.user, member=member, role=value)
        roles.append({"value": value, "label": label, "held": value in held, "refusal": reason})
    return render(
        request,
        "companies/member_detail.html",
        {
            "company": company,
            "member": member,
            "roles": roles,
            "file_sharing_form": forms.MemberFileSharingForm(
                initial={"mode": selectors.member_file_sharing_mode(user=member)}
            ),
            "file_sharing_modes": FileSharingMode,
            "effective_sharing": selectors.file_sharing_allowed(user=member),
        },
    )


@login_required
@require_POST
def member_role(request, slug, member_id):
    company = _managed_company(request, slug)
    member = selectors.member_get(company=company, member_id=member_id)
    form = forms.RoleChangeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a role and an action.")
    else:
        role, action = form.cleaned_data["role"], form.cleaned_data["action"]
        service = member_role_grant if action == "grant" else member_role_remove
        try:
            service(member=member, role=role, actor=request.user)
        except ApplicationError as exc:
            _fail(request, exc)
        else:
            verb = "granted to" if action == "grant" else "removed from"
            messages.success(request, f"{Role(role).label} {verb} {member}.")
    return redirect("companies:member", slug=company.slug, member_id=member.pk)


@login_required
@require_POST
def member_file_sharing(request, slug, member_id):
    company = _managed_company(request, slug)
    member = selectors.member_get(company=company, member_id=member_id)
    form = forms.MemberFileSharingForm(request.POST)
    if form.is_valid():
        services.member_file_sharing_set(
            member=member, mode=form.cleaned_data["mode"], actor=request.user
        )
        messages.success(request, f"File-sharing setting of {member} saved.")
    else:
        messages.error(request, "Choose a file-sharing setting.")
    return redirect("companies:member", slug=company.slug, member_id=member.pk)


@login_required
def invitations(request, slug):
    company = _managed_company(request, slug)
    form = forms.InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sent = services.invitations_create(
                company=company, emails=form.cleaned_data["emails"], actor=request.user
            )
        except ApplicationError as exc:
            for problem in exc.fields.get("emails") or [exc.message]:
                form.add_error("emails", problem)
        else:
            messages.success(request, f"{len(sent)} invitation(s) sent.")
            return redirect("companies:invitations", slug=company.slug)
    return render(
        request,
        "companies/invitations.html",
        {
            "company": company,
            "form": form,
            "invitations": selectors.invitation_list(company=company),
        },
    )


@login_required
@require_POST
def invitation_resend(request, slug, invitation_id):
    company = _managed_company(request, slug)
    invitation = selectors.invitation_get(company=company, invitation_id=invitation_id)
    try:
        services.invitation_resend(invitation=invitation, actor=request.user)
        messages.success(request, f"Invitation sent again to {invitation.email}.")
    except ApplicationError as exc:
        _fail(request, exc)
    return redirect("companies:invitations", slug=company.slug)


@login_required
@require_POST
def invitation_cancel(request, slug, invitation_id):
    company = _managed_company(request, slug)
    invitation = selectors.invitation_get(company=company, invitation_id=invitation_id)
    try:
        services.invitation_cancel(invitation=invitation, actor=request.user)
        messages.success(request, f"Invitation to {invitation.email} canceled.")
    except ApplicationError as exc:
        _fail(request, exc)
    return redirect("companies:invitations", slug=company.slug)


@login_required
def join_requests(request, slug):
    company = _managed_company(request, slug)
    return render(
        request,
        "companies/join_requests.html",
        {"company": company, "requests": selectors.join_request_list(company=company)},
    )


@login_required
@require_POST
def join_request_decide(request, slug, request_id):
    company = _managed_company(request, slug)
    join_request = selectors.join_request_get(company=company, request_id=request_id)
    form = forms.DecisionForm(request.POST)
    if form.is_valid():
        accept = form.cleaned_data["decision"] == "accept"
        try:
            services.join_request_decide(
                join_request=join_request, accept=accept, actor=request.user
            )
            messages.success(request, "Request accepted." if accept else "Request declined.")
        except ApplicationError as exc:
            _fail(request, exc)
    return redirect("companies:join-requests", slug=company.slug)


JOIN_LINK_SHOWN = "companies.join_link_shown"


def _show_join_link_once(request, link) -> None:
    # Kept in the server-side session, not in a message cookie, and popped on the next page:
    # the full link is shown exactly once (D3.12).
    request.session[JOIN_LINK_SHOWN] = {
        "id": link.pk,
        "url": request.build_absolute_uri(reverse("companies:join", args=[link.token])),
    }


@login_required
def join_links(request, slug):
    company = _managed_company(request, slug)
    form = forms.JoinLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            link = services.join_link_create(
                company=company, actor=request.user, **form.cleaned_data
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            _show_join_link_once(request, link)
            messages.success(request, "Join link created.")
            return redirect("companies:join-links", slug=company.slug)
    return render(
        request,
        "companies/join_links.html",
        {
            "company": company,
            "form": form,
            "links": selectors.join_link_list(company=company),
            "shown": request.session.pop(JOIN_LINK_SHOWN, None),
        },
    )


@login_required
@require_POST
def join_link_regenerate(request, slug, link_id):
    company = _managed_company(request, slug)
    link = selectors.join_link_get(company=company, link_id=link_id)
    link = services.join_link_regenerate(link=link, actor=request.user)
    _show_join_link_once(request, link)
    messages.success(request, "New link made: the previous one no longer works.")
    return redirect("companies:join-links", slug=company.slug)


@login_required
@require_POST
def join_link_toggle(request, slug, link_id):
    company = _managed_company(request, slug)
    link = selectors.join_link_get(company=company, link_id=link_id)
    form = forms.JoinLinkToggleForm(request.POST)
    if form.is_valid():
        services.join_link_set_enabled(
            link=link, enabled=form.cleaned_data["enabled"], actor=request.user
        )
        messages.success(
            request, "Join link switched on." if link.is_enabled else "Join link switched off."
        )
    return redirect("companies:join-links", slug=company.slug)


@login_required
@require_POST
def partner_offer_decide(request, slug, invitation_id):
    company = _managed_company(request, slug)
    offer = selectors.partner_invitation_get(customer=company, invitation_id=invitation_id)
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


# --- Joining, for standalone users and invitees -------------------------------------------


@login_required
def join_start(request):
    """A standalone user: find a company to ask to join, or create one."""
    search_form = forms.CompanySearchForm(request.GET)
    search_ok = search_form.is_valid()
    search = search_form.cleaned_data["q"] if search_ok else ""
    create_form = forms.CompanyCreateForm(request.POST or None)
    standalone = request.user.company.is_default
    if request.method == "POST":
        if not standalone:
            raise PermissionDenied("Only standalone users create a company.")
        if create_form.is_valid():
            try:
                company = services.company_create_by_user(
                    user=request.user, name=create_form.cleaned_data["name"]
                )
            except ApplicationError as exc:
                create_form.add_error("name", exc.message)
            else:
                messages.success(request, f"{company.name} is created; you are its admin.")
                return redirect("companies:profile", slug=company.slug)
    companies = (
        selectors.joinable_company_list(user=request.user, search=search)[:50]
        if standalone and search_ok
        else []
    )
    return render(
        request,
        "companies/join_start.html",
        {
            "standalone": standalone,
            "companies": companies,
            "search": search,
            "search_errors": search_form.errors.get("q", []),
            "form": create_form,
        },
        status=200 if search_ok else 400,
    )


@login_required
@require_POST
def join_request_create(request, slug):
    company = selectors.joinable_company_list(user=request.user).filter(slug=slug).first()
    if company is None:
        raise Http404("No such company.")
    try:
        services.join_request_create(user=request.user, company=company)
        messages.success(request, f"Your request to join {company.name} was sent to its admins.")
    except ApplicationError as exc:
        _fail(request, exc)
    return redirect("companies:join-start")


@login_required
def join(request, token):
    """A join link: a signed-in standalone user confirms and joins."""
    if request.method == "POST":
        try:
            link = services.join_link_use(token=token, user=request.user)
        except ApplicationError as exc:
            return render(request, "companies/join_link.html", {"error": exc.message}, status=400)
        messages.success(request, f"Welcome to {link.company.name}.")
        return redirect("core:dashboard")
    link = selectors.join_link_for_token(token=token)
    error = None
    if link is None:
        error = "This join link is not valid."
    elif not link.is_enabled:
        error = "This join link was switched off by the company."
    elif link.is_expired:
        error = "This join link has expired."
    elif link.is_exhausted:
        error = "This join link has reached its maximum number of users."
    return render(
        request,
        "companies/join_link.html",
        {"link": link, "error": error},
        status=400 if error else 200,
    )


def invitation(request, token):
    """The emailed link. A new person creates an account here and lands in the company; a
    signed-in standalone user accepts in one click."""
    found = services.invitation_for_token(token)
    error = None
    if found is None:
        error = "This invitation link is not valid."
    elif found.status != found.Status.PENDING:
        error = "This invitation was already used or canceled."
    elif found.is_expired:
        error = "This invitation has expired: ask the company's admin to send it again."
    if error:
        return render(request, "companies/invitation.html", {"error": error}, status=400)
    has_account = selectors.account_exists(email=found.email)
    form = forms.InvitationSignupForm(request.POST or None)
    if request.method == "POST":
        try:
            if request.user.is_authenticated:
                services.invitation_accept_existing(token=token, user=request.user)
            elif has_account:
                # Said only to the link's holder; an address someone else pre-registered
                # is recovered by a reset, which confirms it and claims this invitation.
                raise ApplicationError(
                    "Sign in with this address to accept the invitation. If you do not know "
                    "its password, set a new one from the sign-in page first."
                )
            elif form.is_valid():
                user = services.invitation_accept_signup(
                    token=token,
                    password=form.cleaned_data["password"],
                    first_name=form.cleaned_data["first_name"],
                    last_name=form.cleaned_data["last_name"],
                )
                # The portal's own sign-in: a listed session, and the company's 2FA policy.
                from accounts.security.services import session_start
                from activity.middleware import client_ip

                if session_start(request=request, user=user, ip=client_ip(request)):
                    messages.success(request, f"Welcome to {found.company.name}.")
                    setup = reverse("accounts:two-factor-setup")
                    return redirect(with_next(setup, reverse("core:dashboard")))
            else:
                raise ApplicationError("Correct the fields below.")
        except ApplicationError as exc:
            if exc.fields.get("password"):
                for m in exc.fields["password"]:
                    form.add_error("password", m)
            else:
                form.add_error(None, exc.message)
        else:
            messages.success(request, f"Welcome to {found.company.name}.")
            return redirect("core:dashboard")
    return render(
        request,
        "companies/invitation.html",
        {"invitation": found, "form": form, "has_account": has_account},
    )


# --- Partner portal (SPEC §3.3) ------------------------------------------------------------


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
