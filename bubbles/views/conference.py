"""The conference page and its lobby (SPEC §6.5): start, join, admit, end."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from rainbow_portal.exceptions import ApplicationError

from .. import policies, selectors, services
from ..models import LobbyState
from .common import _actor, participant_view, scoped


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
