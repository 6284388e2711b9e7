"""The network page (SPEC §5) and its actions: thin, each POST calls one service."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.forms import OwnVisibilityForm
from core.confirm import confirm_page
from core.redirects import safe_next
from rainbow_portal.exceptions import ApplicationError

from ..scoping import viewer_page
from . import network_selectors as selectors
from . import network_services as services
from .selectors import person_get_for_viewer
from .services import standalone_visibility_set


class EmailInviteForm(forms.Form):
    email = forms.EmailField(label="Invite by email", max_length=254)


def _back(request, default="companies:network"):
    return redirect(safe_next(request, default))


@login_required
@require_GET
def network(request):
    services.presence_touch(user=request.user)
    contacts = selectors.contact_list(user=request.user)
    for row in contacts:
        row.presence = selectors.presence_of(row.contact)
    return render(
        request,
        "accounts/network.html",
        {
            "contacts": contacts,
            "incoming": selectors.invitations_incoming(user=request.user),
            "outgoing": selectors.invitations_outgoing(user=request.user),
            "email_form": EmailInviteForm(),
            "isolated": request.user.visibility_mode == "isolated",
        },
    )


@viewer_page(methods=("POST",), objects={"target": ("pk", person_get_for_viewer)})
def invite(request, target):
    try:
        inv = services.invitation_send_in_app(
            inviter=request.user, invitee=target, actor=request.user
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        if inv.status == inv.Status.ACCEPTED:
            messages.success(request, f"{target} is now in your network.")
        else:
            messages.success(request, f"Invitation sent to {target}.")
    return _back(request)


@login_required
@require_POST
def invite_email(request):
    form = EmailInviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Type one valid email address.")
        return redirect("companies:network")
    try:
        services.invitation_send_email(
            inviter=request.user, email=form.cleaned_data["email"], actor=request.user
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        # The same words whether or not the address has an account (SPEC §4.4).
        messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
    return redirect("companies:network")


ACTIONS = {
    "accept": (services.invitation_accept, "Invitation accepted."),
    "decline": (services.invitation_decline, "Invitation declined."),
    "cancel": (services.contact_invitation_cancel, "Invitation canceled."),
    "resend": (services.contact_invitation_resend, "Invitation sent again."),
}


@viewer_page(methods=("GET", "POST"), objects={"invitation": ("pk", selectors.invitation_get)})
def invitation_action(request, invitation, action):
    if action not in ACTIONS:
        raise Http404("No such action.")
    if request.method == "GET":
        if action != "cancel":
            return redirect("companies:network")
        invitee = invitation.invitee or invitation.email
        return confirm_page(
            request,
            title=_("Cancel your invitation to %(who)s?") % {"who": invitee},
            consequences=[_("%(who)s no longer sees your invitation.") % {"who": invitee}],
            irreversible=_("You can invite them again later."),
            button=_("Cancel the invitation"),
            cancel_url=reverse("companies:network"),
        )
    service, done = ACTIONS[action]
    try:
        service(invitation=invitation, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("companies:network")


@viewer_page(methods=("GET", "POST"), objects={"row": ("pk", selectors.contact_get)})
def contact_remove(request, row):
    contact = row.contact
    if request.method == "GET":
        return confirm_page(
            request,
            title=_("Remove %(who)s from your network?") % {"who": contact},
            consequences=[
                _("%(who)s leaves your network and you leave theirs.") % {"who": contact},
                _("You no longer see each other's presence."),
            ],
            irreversible=_("To be contacts again, one of you must invite the other."),
            button=_("Remove from my network"),
            cancel_url=reverse("companies:network"),
        )
    services.contact_remove(owner=request.user, contact=contact, actor=request.user)
    messages.success(request, _("%(who)s was removed from your network.") % {"who": contact})
    return redirect("companies:network")


@viewer_page(methods=("POST",), objects={"row": ("pk", selectors.contact_get)})
def contact_favorite(request, row):
    contact = row.contact
    favorite = request.POST.get("favorite") == "1"
    services.contact_favorite_set(
        owner=request.user, contact=contact, favorite=favorite, actor=request.user
    )
    return redirect("companies:network")


@login_required
@require_POST
def presence(request):
    services.presence_touch(user=request.user)
    return JsonResponse({"status": "ok"})


@login_required
@require_POST
def own_visibility(request):
    """A standalone user chooses public or private for themselves (SPEC §2.2); the form
    sits on the profile page."""
    form = OwnVisibilityForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose public or private.")
        return redirect("accounts:profile")
    try:
        standalone_visibility_set(
            user=request.user, visibility=form.cleaned_data["visibility"], actor=request.user
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Visibility saved.")
    return redirect("accounts:profile")
