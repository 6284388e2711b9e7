"""Participants: add by email, remove, promote, demote, transfer ownership, invite a guest."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from core.confirm import confirm_page

from .. import forms, policies, selectors, services
from .common import _attempt, _done, participant_view, scoped


@scoped("POST")
@login_required
@participant_view
def member_add(request, bubble, member):
    form = forms.AddMemberForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a valid email address."))
        return _done(request, bubble)

    def call():
        services.bubble_member_add_by_email(
            bubble=bubble, email=form.cleaned_data["email"], actor=request.user
        )

    return _attempt(request, bubble, call, "Participant added.", "#participants")


@scoped("GET", "POST")
@login_required
@participant_view
def member_action(request, bubble, member, member_id, action):
    target = selectors.bubble_member_get(bubble=bubble, pk=member_id)
    if request.method == "GET":
        # Only removing asks first (issue 14); the other actions are undone by their twin.
        if action != "remove" or not policies.can_add_remove_participant(member=member):
            return _done(request, bubble, anchor="#participants")
        who = target.display_name
        return confirm_page(
            request,
            title=_("Remove %(who)s from the bubble “%(name)s”?")
            % {"who": who, "name": bubble.name},
            consequences=[
                _("%(who)s leaves the bubble and no longer sees its messages and files.")
                % {"who": who},
                _("You can add them again later."),
            ],
            button=_("Remove from the bubble"),
            cancel_url=reverse("bubbles:detail", args=[bubble.pk]) + "#participants",
        )
    calls = {
        "remove": (services.bubble_member_remove, "Participant removed."),
        "promote": (services.bubble_co_organizer_promote, "Co-organizer promoted."),
        "demote": (services.bubble_co_organizer_demote, "Co-organizer is a member again."),
    }
    if action == "transfer":
        return _attempt(
            request,
            bubble,
            lambda: services.bubble_ownership_transfer(
                bubble=bubble, to=target, actor=request.user
            ),
            "Ownership transferred: you are now a co-organizer.",
            "#participants",
        )
    if action not in calls:
        raise Http404("No such action.")
    service, ok = calls[action]
    return _attempt(
        request, bubble, lambda: service(member=target, actor=request.user), ok, "#participants"
    )


@scoped("POST")
@login_required
@participant_view
def guest_invite(request, bubble, member):
    form = forms.GuestInviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a valid email address."))
        return _done(request, bubble)
    return _attempt(
        request,
        bubble,
        lambda: services.bubble_guest_invite(
            bubble=bubble, email=form.cleaned_data["email"], actor=request.user
        ),
        "Invitation sent: the link works once, for that address only.",
        "#participants",
    )
