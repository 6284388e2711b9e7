"""Joining: join requests, join links, and a standalone user's join page (SPEC §2.6, §2.7)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core.confirm import confirm_page
from core.redirects import requested_next
from rainbow_portal.exceptions import ApplicationError

from ... import policies
from ...scoping import company_page, viewer_page
from .. import forms, selectors, services
from .. import policies as membership_policies
from .common import _fail


@company_page(right=policies.can_manage_company, methods=("GET",))
def join_requests(request, company):
    return render(
        request,
        "companies/join_requests.html",
        {"company": company, "requests": selectors.join_request_list(company=company)},
    )


@company_page(
    right=policies.can_manage_company,
    methods=("POST",),
    objects={"join_request": ("request_id", selectors.join_request_get)},
)
def join_request_decide(request, company, join_request):
    form = forms.DecisionForm(request.POST)
    if form.is_valid():
        accept = form.cleaned_data["decision"] == "accept"
        try:
            services.join_request_decide(
                join_request=join_request, accept=accept, actor=request.user
            )
            name = join_request.user.get_full_name() or join_request.user.email
            messages.success(
                request,
                (_("%(name)s joined %(company)s.") if accept else _("%(name)s's request declined."))
                % {"name": name, "company": company.name},
            )
        except ApplicationError as exc:
            _fail(request, exc)
    # The dashboard answers requests too, and sends its people back there.
    return redirect(
        requested_next(request) or reverse("companies:join-requests", args=[company.slug])
    )


JOIN_LINK_SHOWN = "companies.join_link_shown"


def _show_join_link_once(request, link) -> None:
    # Kept in the server-side session, not in a message cookie, and popped on the next page:
    # the full link is shown exactly once (D3.12).
    request.session[JOIN_LINK_SHOWN] = {
        "id": link.pk,
        "url": request.build_absolute_uri(reverse("companies:join", args=[link.token])),
    }


@company_page(right=policies.can_manage_company, methods=("GET", "POST"))
def join_links(request, company):
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
            messages.success(request, _("Join link created."))
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


@company_page(
    right=policies.can_manage_company,
    methods=("GET", "POST"),
    objects={"link": ("link_id", selectors.join_link_get)},
)
def join_link_regenerate(request, company, link):
    if request.method == "GET":
        return confirm_page(
            request,
            title=_("Replace join link %(n)s?") % {"n": link.pk},
            consequences=[
                _("A new link is made and shown to you once."),
                _("The current link stops working at once, for everyone who has it."),
            ],
            irreversible=_("The old link cannot be switched on again."),
            button=_("Make a new link"),
            cancel_url=reverse("companies:join-links", args=[company.slug]),
        )
    link = services.join_link_regenerate(link=link, actor=request.user)
    _show_join_link_once(request, link)
    messages.success(request, _("New link made: the previous one no longer works."))
    return redirect("companies:join-links", slug=company.slug)


@company_page(
    right=policies.can_manage_company,
    methods=("POST",),
    objects={"link": ("link_id", selectors.join_link_get)},
)
def join_link_toggle(request, company, link):
    form = forms.JoinLinkToggleForm(request.POST)
    if form.is_valid():
        services.join_link_set_enabled(
            link=link, enabled=form.cleaned_data["enabled"], actor=request.user
        )
        messages.success(
            request,
            _("Join link switched on.") if link.is_enabled else _("Join link switched off."),
        )
    return redirect("companies:join-links", slug=company.slug)


@login_required
def join_start(request):
    """A standalone user: find a company to ask to join, or create one."""
    search_form = forms.CompanySearchForm(request.GET)
    search_ok = search_form.is_valid()
    search = search_form.cleaned_data["q"] if search_ok else ""
    create_form = forms.CompanyCreateForm(request.POST or None)
    standalone = membership_policies.is_standalone(request.user)
    if request.method == "POST":
        membership_policies.require_can_create_company(actor=request.user)
        if create_form.is_valid():
            try:
                company = services.company_create_by_user(
                    user=request.user, name=create_form.cleaned_data["name"]
                )
            except ApplicationError as exc:
                create_form.add_error("name", exc.message)
            else:
                messages.success(
                    request,
                    _("%(company)s is created; you are its admin.") % {"company": company.name},
                )
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


@viewer_page(methods=("POST",), objects={"company": ("slug", selectors.joinable_company_get)})
def join_request_create(request, company):
    try:
        services.join_request_create(user=request.user, company=company)
        messages.success(
            request,
            _("Your request to join %(company)s was sent to its admins.")
            % {"company": company.name},
        )
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
        messages.success(request, _("Welcome to %(company)s.") % {"company": link.company.name})
        return redirect("core:dashboard")
    link = selectors.join_link_for_token(token=token)
    refusal = membership_policies.join_link_refusal(link)
    error = refusal.message if refusal else None
    return render(
        request,
        "companies/join_link.html",
        {"link": link, "error": error},
        status=400 if error else 200,
    )
