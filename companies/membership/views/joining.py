"""Joining: join requests, join links, and a standalone user's join page (SPEC §2.6, §2.7)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from rainbow_portal.exceptions import ApplicationError

from .. import forms, selectors, services
from .common import _fail, _managed_company


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
