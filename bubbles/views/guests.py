"""A guest's emailed link (SPEC §6.2). A guest has no account: someone signed in who opens the
link is told what it is (a participant goes straight to the bubble) and may sign out to use it
as a guest; the link is not used up by an account (D11c.1)."""

from django.shortcuts import redirect, render

from rainbow_portal.exceptions import ApplicationError

from .. import forms, selectors, services
from ..guest_session import guest_session_start
from ..services.guests import guest_invitation_for_token, guest_link_refusal


def guest_join(request, token):
    """The emailed link: the guest confirms the address it was sent to, once."""
    invitation = guest_invitation_for_token(token)
    refusal = guest_link_refusal(invitation)
    if refusal is None and request.user.is_authenticated:
        return _signed_in(request, invitation)
    form = forms.GuestRedeemForm(request.POST or None)
    if request.method == "POST" and refusal is None and form.is_valid():
        try:
            member = services.bubble_guest_redeem(token=token, email=form.cleaned_data["email"])
        except ApplicationError as exc:
            form.add_error("email", exc.message)
        else:
            guest_session_start(request, member=member)
            return redirect("bubbles:conference", pk=member.bubble_id)
    status = 410 if refusal else (400 if form.errors else 200)
    return render(
        request,
        "bubbles/guest_join.html",
        {"form": form, "refusal": refusal, "invitation": invitation if not refusal else None},
        status=status,
    )


def _signed_in(request, invitation):
    """A participant of the bubble goes to it; anyone else reads that the link is for a
    guest, with a way to sign out and come back to it. Nothing is redeemed either way."""
    if selectors.bubble_is_current_participant(bubble=invitation.bubble, user=request.user):
        return redirect("bubbles:detail", pk=invitation.bubble_id)
    return render(
        request,
        "bubbles/guest_join_signed_in.html",
        {"invitation": invitation, "link": request.path},
        status=403 if request.method == "POST" else 200,
    )
