"""Company invitations: the admin's list and the invitee's page (SPEC §2.5, §2.6)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.security import external
from accounts.security.services import session_end, session_start
from activity.middleware import client_ip
from core.confirm import confirm_page
from core.redirects import requested_next, with_next
from rainbow_portal.exceptions import ApplicationError

from ... import policies
from ...scoping import company_page
from .. import forms, selectors, services
from .. import policies as membership_policies
from .common import _fail


@company_page(right=policies.can_manage_company, methods=("GET", "POST"))
def invitations(request, company):
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
            messages.success(
                request,
                ngettext("%(n)d invitation sent.", "%(n)d invitations sent.", len(sent))
                % {"n": len(sent)},
            )
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


@company_page(
    right=policies.can_manage_company,
    methods=("POST",),
    objects={"invitation": ("invitation_id", selectors.invitation_get)},
)
def company_invitation_resend(request, company, invitation):
    try:
        services.company_invitation_resend(invitation=invitation, actor=request.user)
        messages.success(
            request, _("Invitation sent again to %(email)s.") % {"email": invitation.email}
        )
    except ApplicationError as exc:
        _fail(request, exc)
    return redirect(
        requested_next(request) or reverse("companies:invitations", args=[company.slug])
    )


@company_page(
    right=policies.can_manage_company,
    methods=("GET", "POST"),
    objects={"invitation": ("invitation_id", selectors.invitation_get)},
)
def company_invitation_cancel(request, company, invitation):
    if request.method == "GET":
        return confirm_page(
            request,
            title=_("Cancel the invitation to %(email)s?") % {"email": invitation.email},
            consequences=[
                _("The link in the invitation email stops working at once."),
                _("%(email)s does not join %(company)s through it.")
                % {"email": invitation.email, "company": company.name},
            ],
            irreversible=_("To let them join later, send a new invitation."),
            button=_("Cancel the invitation"),
            cancel_url=reverse("companies:invitations", args=[company.slug]),
        )
    try:
        services.company_invitation_cancel(invitation=invitation, actor=request.user)
        messages.success(
            request, _("Invitation to %(email)s canceled.") % {"email": invitation.email}
        )
    except ApplicationError as exc:
        _fail(request, exc)
    return redirect("companies:invitations", slug=company.slug)


def _sso_onward(request, *, user, company):
    """SPEC §7.6: where the company requires SSO, joining it starts no password session (the
    password sign-in would refuse this person too): any session ends, and the person goes to
    the company's identity provider. None when a password session is allowed."""
    if not external.password_refusal(user=user):
        return None
    if request.user.is_authenticated:
        session_end(request=request, reason="sso_required")
    onward = external.start_url(email=user.email, next_url=reverse("core:dashboard"))
    if onward:
        # A page that moves on by itself: the CSP's form-action stops a redirect to the IdP.
        return render(
            request,
            "core/onward.html",
            {
                "url": onward,
                "title": _("Welcome to %(company)s") % {"company": company.name},
                "message": _(
                    "%(company)s signs its people in through its identity provider: "
                    "continue there to sign in."
                )
                % {"company": company.name},
            },
        )
    # The address is not on the company's domains, so email-first sign-in cannot route it.
    messages.info(
        request,
        _(
            "Your account in %(company)s is ready. %(company)s signs its people in through "
            "its identity provider, not with a password: ask its admin how to sign in."
        )
        % {"company": company.name},
    )
    return redirect("accounts:login")


def invitation(request, token):
    """The emailed link. A new person creates an account here and lands in the company; a
    signed-in standalone user accepts in one click."""
    found = selectors.invitation_for_token(token=token)
    refusal = membership_policies.invitation_refusal(found)
    if refusal:
        return render(request, "companies/invitation.html", {"error": refusal.message}, status=400)
    has_account = selectors.account_exists(email=found.email)
    form = forms.InvitationSignupForm(request.POST or None)
    if request.method == "POST":
        try:
            if request.user.is_authenticated:
                user = services.invitation_accept_existing(token=token, user=request.user)
                onward = _sso_onward(request, user=user, company=found.company)
                if onward:
                    return onward
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
                onward = _sso_onward(request, user=user, company=found.company)
                if onward:
                    return onward
                # The portal's own sign-in: a listed session, and the company's 2FA policy.
                if session_start(request=request, user=user, ip=client_ip(request)):
                    messages.success(
                        request, _("Welcome to %(company)s.") % {"company": found.company.name}
                    )
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
            messages.success(
                request, _("Welcome to %(company)s.") % {"company": found.company.name}
            )
            return redirect("core:dashboard")
    return render(
        request,
        "companies/invitation.html",
        {"invitation": found, "form": form, "has_account": has_account},
    )
