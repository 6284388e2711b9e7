"""Bubble pages for participants (users and guests) and for company admins. Thin: resolve
the bubble and the viewer's membership (404 when they have none), call a service, show the
outcome; a refused rule is a message on the page, never a 500."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from companies.scoping import VIEWER, TenantScope, company_page
from rainbow_portal.exceptions import ApplicationError
from vault import DecryptionError
from vault.files import safe_filename

from . import forms, policies, selectors, services
from .guest_session import guest_member_id, guest_session_end, guest_session_start
from .models import LobbyState
from .services.guests import guest_invitation_for_token, guest_link_refusal, guest_member_get


def _actor(request):
    return request.user if request.user.is_authenticated else None


def scoped(*methods):
    """Declare a `/bubbles/<pk>/` route's tenant scope (companies.scoping, VIEWER: the bubble is
    reached by who the viewer is; anyone else gets 404) for the isolation matrix, and refuse
    other methods (405). The resolution itself is `participant_view`'s, not `viewer_page`'s,
    because a guest, who has no account, reaches the same pages through their session."""
    scope = TenantScope(
        kind=VIEWER, methods=methods, objects={"bubble": ("pk", selectors.bubble_get_for_viewer)}
    )

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in methods and not (
                request.method == "HEAD" and "GET" in methods
            ):
                return HttpResponseNotAllowed(methods)
            return view(request, *args, **kwargs)

        wrapper.tenant_scope = scope
        return wrapper

    return decorator


def participant_view(view):
    """Resolve (bubble, member) for a signed-in participant or for this bubble's guest."""

    @wraps(view)
    def wrapper(request, pk, *args, **kwargs):
        if request.user.is_authenticated:
            bubble, member = selectors.bubble_get_for_user(user=request.user, pk=pk)
        else:
            member_id = guest_member_id(request)
            if member_id is None:
                return redirect_to_login(request.get_full_path())
            try:
                member = guest_member_get(member_id=member_id)
            except PermissionDenied:
                guest_session_end(request)
                return render(request, "bubbles/guest_ended.html", status=403)
            if str(member.bubble_id) != str(pk):
                raise Http404("No such bubble.")
            bubble = member.bubble
        return view(request, bubble, member, *args, **kwargs)

    return wrapper


def _done(request, bubble, ok: str | None = None, anchor: str = ""):
    if ok:
        messages.success(request, ok)
    return redirect(reverse("bubbles:detail", args=[bubble.pk]) + anchor)


def _attempt(request, bubble, call, ok: str, anchor: str = ""):
    """Run a service; a refused rule (400 or 403) becomes the page's error message."""
    try:
        call()
    except ApplicationError as exc:
        messages.error(request, exc.message)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or "You may not do this here.")
        return _done(request, bubble, anchor=anchor)
    else:
        return _done(request, bubble, ok, anchor)
    return _done(request, bubble, anchor=anchor)


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


def _last_message_id(request, bubble, page):
    # On the first page the newest message is the conversation's last one: no extra query.
    if not request.GET.get("before"):
        return page[0].pk if page else None
    return selectors.last_message_id(bubble=bubble)


def _context(request, bubble, member):
    conference = selectors.running_conference_get(bubble=bubble)
    entry = selectors.conference_entry_for(conference=conference, member=member)
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
    return {
        "bubble": bubble,
        "member": member,
        "rights": rights,
        "organizing": policies.is_organizing(member),
        "writable": policies.is_writable(bubble),
        "can_post": policies.can_post(member=member, conference=conference, entry=entry),
        "shows_content": shows_content,
        "participants": selectors.participant_list(bubble=bubble),
        "messages_page": page,
        "next_cursor": cursor,
        "last_message_id": _last_message_id(request, bubble, page) if shows_content else None,
        "conference": conference,
        "entry": entry,
        "file_sharing_on": policies.file_sharing_on_for(member=member),
        "conference_url": request.build_absolute_uri(
            reverse("bubbles:conference", args=[bubble.pk])
        )
        if rights["get_conference_link"]
        else "",
        "message_form": forms.MessageForm(),
        "file_form": forms.FileForm(),
        "add_form": forms.AddMemberForm(auto_id="add_%s"),
        "guest_form": forms.GuestInviteForm(auto_id="guest_%s"),
        "rename_form": forms.BubbleForm(initial={"name": bubble.name, "topic": bubble.topic}),
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


@scoped("POST")
@login_required
@participant_view
def member_action(request, bubble, member, member_id, action):
    target = selectors.bubble_member_get(bubble=bubble, pk=member_id)
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


@scoped("POST")
@login_required
@participant_view
def bubble_archive(request, bubble, member):
    return _attempt(
        request,
        bubble,
        lambda: services.bubble_archive(bubble=bubble, actor=request.user),
        "Bubble archived: it is read-only from now on.",
    )


@scoped("POST")
@login_required
@participant_view
def bubble_delete(request, bubble, member):
    try:
        services.bubble_delete(bubble=bubble, actor=request.user)
    except (ApplicationError, PermissionDenied) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
        return _done(request, bubble)
    messages.success(request, _("Bubble deleted."))
    return redirect("bubbles:list")


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


# --- Messages -----------------------------------------------------------------------------


@scoped("POST")
@participant_view
def message_post(request, bubble, member):
    form = forms.MessageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a message of at most 10,000 characters."))
        return _done(request, bubble, anchor="#messages")
    return _attempt(
        request,
        bubble,
        lambda: services.message_post(
            member=member, body=form.cleaned_data["body"], actor=_actor(request)
        ),
        "",
        "#messages",
    )


@scoped("POST")
@participant_view
def message_delete(request, bubble, member, message_id):
    message = selectors.message_get(bubble=bubble, pk=message_id)
    return _attempt(
        request,
        bubble,
        lambda: services.message_delete_last(member=member, message=message, actor=_actor(request)),
        "Message deleted.",
        "#messages",
    )


@scoped("POST")
@login_required
@participant_view
def conversation_email(request, bubble, member):
    return _attempt(
        request,
        bubble,
        lambda: services.conversation_email_request(member=member, actor=request.user),
        f"The conversation is on its way to {request.user.email}.",
    )


# --- Conference ---------------------------------------------------------------------------


def _conference_context(bubble, member):
    conference = selectors.running_conference_get(bubble=bubble)
    entry = selectors.conference_entry_for(conference=conference, member=member)
    organizing = policies.is_organizing(member)
    entries = list(selectors.conference_entries(conference=conference)) if conference else []
    present = bool(entry and entry.state == LobbyState.ADMITTED and entry.present)
    return {
        "bubble": bubble,
        "member": member,
        "conference": conference,
        "entry": entry,
        "organizing": organizing,
        "present": present,
        "can_start": policies.can_start_conference(member=member) and policies.is_writable(bubble),
        "waiting": [e for e in entries if e.state == LobbyState.WAITING],
        "admitted": [e for e in entries if e.state == LobbyState.ADMITTED and e.present],
    }


@scoped("GET")
@participant_view
def conference(request, bubble, member):
    return render(request, "bubbles/conference.html", _conference_context(bubble, member))


@scoped("GET")
@participant_view
def conference_state(request, bubble, member):
    """The lobby fragment htmx polls every few seconds."""
    return render(request, "bubbles/_lobby.html", _conference_context(bubble, member))


def _to_conference(request, bubble, call, ok: str):
    try:
        call()
    except (ApplicationError, PermissionDenied) as exc:
        messages.error(request, getattr(exc, "message", None) or str(exc))
    else:
        if ok:
            messages.success(request, ok)
    return redirect("bubbles:conference", pk=bubble.pk)


@scoped("POST")
@participant_view
def conference_start(request, bubble, member):
    return _to_conference(
        request,
        bubble,
        lambda: services.conference_start(member=member, actor=_actor(request)),
        "Conference started.",
    )


@scoped("POST")
@participant_view
def conference_join(request, bubble, member):
    return _to_conference(
        request,
        bubble,
        lambda: services.conference_join(member=member, actor=_actor(request)),
        "",
    )


@scoped("POST")
@participant_view
def conference_admit(request, bubble, member, entry_id):
    conference_row = selectors.running_conference_get(bubble=bubble)
    if conference_row is None:
        messages.error(request, _("No conference is running."))
        return redirect("bubbles:conference", pk=bubble.pk)
    entry = selectors.conference_entry_get(conference=conference_row, pk=entry_id)
    return _to_conference(
        request,
        bubble,
        lambda: services.conference_admit(entry=entry, member=member, actor=_actor(request)),
        "Admitted.",
    )


@scoped("POST")
@participant_view
def conference_end(request, bubble, member):
    return _to_conference(
        request,
        bubble,
        lambda: services.conference_end(member=member, actor=_actor(request)),
        "Conference ended.",
    )


# --- Guests ---------------------------------------------------------------------------------


def guest_join(request, token):
    """The emailed link: the guest confirms the address it was sent to, once."""
    invitation = guest_invitation_for_token(token)
    refusal = guest_link_refusal(invitation)
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


# --- Company admins -------------------------------------------------------------------------


@company_page(right=policies.can_manage_company_bubbles)
def company_bubbles(request, company):
    return render(
        request,
        "bubbles/company_list.html",
        {"company": company, "bubbles": selectors.company_bubble_list(company=company)},
    )


@company_page(
    right=policies.can_manage_company_bubbles,
    methods=("GET", "POST"),
    objects={"bubble": ("pk", selectors.company_bubble_get)},
)
def company_bubble(request, company, bubble):
    form = forms.ReassignForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            target = selectors.bubble_member_get(bubble=bubble, pk=form.cleaned_data["member"])
            services.bubble_owner_reassign(bubble=bubble, to=target, actor=request.user)
        except (ApplicationError, Http404) as exc:
            form.add_error("member", getattr(exc, "message", "Choose a current participant."))
        else:
            messages.success(request, _("The bubble has a new organizer."))
            return redirect("bubbles:company-bubble", slug=company.slug, pk=bubble.pk)
    participants = selectors.participant_list(bubble=bubble)
    return render(
        request,
        "bubbles/company_bubble.html",
        {
            "company": company,
            "bubble": bubble,
            "participants": participants,
            "orphaned": selectors.bubble_is_orphaned(bubble=bubble),
            "candidates": [
                p
                for p in participants
                if p.user_id and p.user.company_id == company.pk and p.user.is_active
            ],
            "form": form,
        },
        status=400 if form.errors else 200,
    )


# --- Files ----------------------------------------------------------------------------------


@scoped("POST")
@participant_view
def file_upload(request, bubble, member):
    form = forms.FileForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to upload (an empty file is refused)."))
        return _done(request, bubble, anchor="#messages")
    return _attempt(
        request,
        bubble,
        lambda: services.bubble_file_upload(
            member=member,
            upload=form.cleaned_data["file"],
            body=request.POST.get("body", ""),
            actor=_actor(request),
        ),
        "File uploaded: it was scanned and is stored encrypted.",
        "#messages",
    )


def file_response(bubble_file, chunks) -> StreamingHttpResponse:
    response = StreamingHttpResponse(chunks, content_type=bubble_file.content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=safe_filename(bubble_file.display_name)
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Length"] = str(bubble_file.size)
    response["Cache-Control"] = "private, no-store"
    return response


@scoped("GET")
@participant_view
def file_download(request, bubble, member, file_id):
    bubble_file = selectors.bubble_file_get(bubble=bubble, pk=file_id)
    try:
        services.require_can_download(member=member, actor=_actor(request))
        chunks = selectors.bubble_file_chunks(bubble_file=bubble_file)
    except (ApplicationError, PermissionDenied) as exc:
        messages.error(request, getattr(exc, "message", None) or str(exc))
        return _done(request, bubble, anchor="#messages")
    except (DecryptionError, OSError):  # damaged, shredded, or the blob is missing
        messages.error(request, _("This file cannot be read: it was damaged or its key is gone."))
        return _done(request, bubble, anchor="#messages")
    return file_response(bubble_file, chunks)
