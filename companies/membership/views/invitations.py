"""Company invitations: the admin's list and the invitee's page (SPEC §2.5, §2.6)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.security.services import session_start
from activity.middleware import client_ip
from rainbow_portal.exceptions import ApplicationError

from .. import forms, selectors, services
from .common import _fail, _managed_company


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
def company_invitation_resend(request, slug, invitation_id):
    company = _managed_company(request, slug)
    invitation = selectors.invitation_get(company=company, invitation_id=invitation_id)
    try:
        services.company_invitation_resend(invitation=invitation, actor=request.user)
        messages.success(request, f"Invitation sent again to {invitation.email}.")
    except ApplicationError as exc:
        _fail(request, exc)
    return redirect("companies:invitations", slug=company.slug)


@login_required
@require_POST
def company_invitation_cancel(request, slug, invitation_id):
    company = _managed_company(request, slug)
    invitation = selectors.invitation_get(company=company, invitation_id=invitation_id)
    try:
        services.company_invitation_cancel(invitation=invitation, actor=request.user)
        messages.success(request, f"Invitation to {invitation.email} canceled.")
    except ApplicationError as exc:
        _fail(request, exc)
    return redirect("companies:invitations", slug=company.slug)


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
                if session_start(request=request, user=user, ip=client_ip(request)):
                    messages.success(request, f"Welcome to {found.company.name}.")
                    setup = reverse("accounts:two-factor-setup")
                    return redirect(f"{setup}?next={reverse('core:dashboard')}")
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
