"""The bubble list and a bubble's page (conversation, participants, actions), and the
bubble-wide actions: rename, accept, leave, archive, delete."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core.confirm import confirm_page
from core.forms import form_fields_html
from rainbow_portal.exceptions import ApplicationError

from .. import forms, policies, rights, selectors, services
from .common import _attempt, _done, participant_view, scoped
from .conversation import message_items


@login_required
def bubble_list(request):
    form = forms.BubbleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            bubble = services.bubble_create(
                name=form.cleaned_data["name"], topic=form.cleaned_data["topic"], actor=request.user
            )
        except ApplicationError as exc:
            form.add_error("name", exc.message)
        else:
            messages.success(request, _("Bubble created."))
            return redirect("bubbles:detail", pk=bubble.pk)
    memberships = selectors.bubble_list_for_user(user=request.user)
    return render(
        request,
        "bubbles/list.html",
        {"form": form, "memberships": memberships},
        status=400 if form.errors else 200,
    )


def _context(request, bubble, member):
    conference = selectors.running_conference_for(member=member)
    # Only a guest's rights depend on their place in the lobby (SPEC §6.2).
    entry = (
        selectors.conference_entry_for(conference=conference, member=member)
        if member.is_guest
        else None
    )
    guest_acts = member.is_guest and policies.guest_may_act(conference=conference, entry=entry)
    shows_content = not member.is_guest or guest_acts
    page, cursor = ([], "")
    if shows_content:
        try:
            page, cursor = selectors.message_page(
                bubble=bubble, before=request.GET.get("before", "")
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
    rights = {action: policy(member=member) for action, policy in policies.POLICIES.items()}
    can_post = policies.can_post(member=member, conference=conference, entry=entry)
    file_sharing_on = policies.file_sharing_on_for(member=member)
    return {
        "bubble": bubble,
        "member": member,
        "rights": rights,
        "organizing": policies.is_organizing(member),
        "writable": policies.is_writable(bubble),
        "can_post": can_post,
        "shows_content": shows_content,
        "participants": selectors.participant_list(bubble=bubble),
        "messages_page": message_items(
            page, member=member, can_post=can_post, file_links=file_sharing_on
        ),
        "next_cursor": cursor,
        "conference": conference,
        "entry": entry,
        "file_sharing_on": file_sharing_on,
        "conference_url": request.build_absolute_uri(
            reverse("bubbles:conference", args=[bubble.pk])
        )
        if rights["get_conference_link"]
        else "",
        # Empty forms the page shows every time: rendered once per process (core.forms).
        "message_form": form_fields_html(forms.MessageForm()),
        "file_form": form_fields_html(forms.FileForm()),
        "add_form": form_fields_html(forms.AddMemberForm(auto_id="add_%s")),
        "guest_form": form_fields_html(forms.GuestInviteForm(auto_id="guest_%s")),
        "rename_form": form_fields_html(
            forms.BubbleForm(initial={"name": bubble.name, "topic": bubble.topic})
        ),
    }


@scoped("GET")
@participant_view
def bubble_detail(request, bubble, member):
    return render(request, "bubbles/detail.html", _context(request, bubble, member))


@scoped("POST")
@login_required
@participant_view
def bubble_rename(request, bubble, member):
    form = forms.BubbleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the bubble a name of at most 100 characters."))
        return _done(request, bubble)
    return _attempt(
        request,
        bubble,
        lambda: services.bubble_rename(
            bubble=bubble,
            name=form.cleaned_data["name"],
            topic=form.cleaned_data["topic"],
            actor=request.user,
        ),
        "Bubble renamed.",
    )


@scoped("POST")
@login_required
@participant_view
def bubble_accept(request, bubble, member):
    return _attempt(
        request,
        bubble,
        lambda: services.bubble_invitation_accept(bubble=bubble, actor=request.user),
        "Welcome to the bubble.",
    )


@scoped("POST")
@login_required
@participant_view
def bubble_leave(request, bubble, member):
    try:
        services.bubble_leave(bubble=bubble, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return _done(request, bubble)
    messages.success(request, _("You left the bubble."))
    return redirect("bubbles:list")


def _confirm_or_refuse(request, bubble, member, right: str, **page):
    """The GET of a destructive bubble action: its confirmation page, or, for a participant
    without the right, back to the bubble with the refusal (the POST would refuse the same)."""
    if not policies.POLICIES[right](member=member):
        messages.error(request, _("You may not do this here."))
        return _done(request, bubble)
    return confirm_page(request, cancel_url=reverse("bubbles:detail", args=[bubble.pk]), **page)


@scoped("GET", "POST")
@login_required
@participant_view
def bubble_archive(request, bubble, member):
    if request.method == "GET":
        return _confirm_or_refuse(
            request,
            bubble,
            member,
            rights.ARCHIVE_BUBBLE,
            title=_("Archive the bubble “%(name)s”?") % {"name": bubble.name},
            consequences=[
                _("The bubble becomes read-only: nobody can post, share files or start a meeting."),
                _("Its participants still read its messages and files."),
            ],
            irreversible=_("An archived bubble stays read-only forever."),
            button=_("Archive the bubble"),
        )
    return _attempt(
        request,
        bubble,
        lambda: services.bubble_archive(bubble=bubble, actor=request.user),
        "Bubble archived: it is read-only from now on.",
    )


@scoped("GET", "POST")
@login_required
@participant_view
def bubble_delete(request, bubble, member):
    if request.method == "GET":
        return _confirm_or_refuse(
            request,
            bubble,
            member,
            rights.DELETE_BUBBLE,
            title=_("Delete the bubble “%(name)s”?") % {"name": bubble.name},
            consequences=[
                _("Every participant loses access to the bubble, its messages and its files."),
            ],
            irreversible=_("A deleted bubble cannot be restored."),
            button=_("Delete the bubble"),
        )
    try:
        services.bubble_delete(bubble=bubble, actor=request.user)
    except (ApplicationError, PermissionDenied) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
        return _done(request, bubble)
    messages.success(request, _("Bubble deleted."))
    return redirect("bubbles:list")
