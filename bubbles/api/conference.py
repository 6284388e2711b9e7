"""The conference and its lobby (SPEC §6.5)."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from companies.scoping import viewer_endpoint
from rainbow_portal.exceptions import ApplicationError

from .. import policies, selectors, services
from ..models import LobbyState
from .common import BUBBLE, _member
from .serializers import (
    ConferenceSerializer,
    errors,
)


def _conference_data(bubble, member):
    conference = selectors.running_conference_get(bubble=bubble)
    entry = selectors.conference_entry_for(conference=conference, member=member)
    entries = list(selectors.conference_entries(conference=conference)) if conference else []
    organizing = policies.is_organizing(member)
    return {
        "running": conference is not None,
        "my_state": entry.state if entry else None,
        "lobby": [e for e in entries if e.state == LobbyState.WAITING] if organizing else [],
        "present": [e for e in entries if e.state == LobbyState.ADMITTED and e.present],
    }


@extend_schema(responses={200: ConferenceSerializer, **errors(401, 404)}, summary="Conference")
@viewer_endpoint(["GET"], objects=BUBBLE)
def conference(request, bubble):
    member = _member(request, bubble)
    return Response(ConferenceSerializer(_conference_data(bubble, member)).data)


CONFERENCE_ACTIONS = {
    "start": services.conference_start,
    "join": services.conference_join,
    "end": services.conference_end,
}


@extend_schema(
    request=None,
    responses={200: ConferenceSerializer, **errors(400, 401, 403, 404)},
    summary="Start, join or end the conference",
)
@viewer_endpoint(["POST"], objects=BUBBLE)
def conference_action(request, bubble, action):
    member = _member(request, bubble)
    if action not in CONFERENCE_ACTIONS:
        raise Http404("No such action.")
    CONFERENCE_ACTIONS[action](member=member, actor=request.user)
    return Response(ConferenceSerializer(_conference_data(bubble, member)).data)


@extend_schema(
    request=None,
    responses={200: ConferenceSerializer, **errors(400, 401, 403, 404)},
    summary="Admit someone from the lobby (organizers who are present)",
)
@viewer_endpoint(["POST"], objects=BUBBLE)
def conference_admit(request, bubble, entry_id):
    member = _member(request, bubble)
    running = selectors.running_conference_get(bubble=bubble)
    if running is None:
        raise ApplicationError(_("No conference is running."))
    entry = selectors.conference_entry_get(conference=running, pk=entry_id)
    services.conference_admit(entry=entry, member=member, actor=request.user)
    return Response(ConferenceSerializer(_conference_data(bubble, member)).data)
