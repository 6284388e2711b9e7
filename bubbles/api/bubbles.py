"""Bubbles and their participants: list, create, rename, delete, archive, accept, leave;
add, remove, promote, demote, transfer; invite a guest."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import api_view
from rest_framework.response import Response

from companies.scoping import viewer_endpoint
from rainbow_portal.exceptions import ApplicationError

from .. import selectors, services
from .common import BUBBLE, _rate_limited, _valid
from .serializers import (
    BubbleChangeSerializer,
    BubbleSerializer,
    EmailSerializer,
    GuestInvitationSerializer,
    MembershipSerializer,
    ParticipantSerializer,
    errors,
)


@extend_schema(
    methods=["GET"],
    responses={200: MembershipSerializer(many=True), **errors(401)},
    summary="My bubbles",
)
@extend_schema(
    methods=["POST"],
    request=BubbleSerializer,
    responses={201: BubbleSerializer, **errors(400, 401)},
    summary="Create a bubble",
)
@api_view(["GET", "POST"])
def bubble_list(request):
    if request.method == "POST":
        data = _valid(BubbleSerializer, request)
        bubble = services.bubble_create(name=data["name"], topic=data["topic"], actor=request.user)
        return Response(BubbleSerializer(bubble).data, status=status.HTTP_201_CREATED)
    memberships = selectors.bubble_list_for_user(user=request.user)
    return Response(MembershipSerializer(memberships, many=True).data)


@extend_schema(methods=["GET"], responses={200: BubbleSerializer, **errors(401, 404)})
@extend_schema(
    methods=["PATCH"],
    request=BubbleChangeSerializer,
    responses={200: BubbleSerializer, **errors(400, 401, 403, 404)},
)
@extend_schema(
    methods=["DELETE"],
    responses={204: None, **errors(400, 401, 403, 404)},
    summary="Delete (organizer only; access ends for everyone)",
)
@viewer_endpoint(["GET", "PATCH", "DELETE"], objects=BUBBLE)
def bubble_detail(request, bubble):
    if request.method == "PATCH":
        data = _valid(BubbleChangeSerializer, request)
        bubble = services.bubble_rename(
            bubble=bubble, name=data["name"], topic=data.get("topic"), actor=request.user
        )
    elif request.method == "DELETE":
        services.bubble_delete(bubble=bubble, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
    return Response(BubbleSerializer(bubble).data)


def _simple(service_name: str, summary: str, done: int = status.HTTP_200_OK):
    @extend_schema(
        request=None,
        responses={done: BubbleSerializer, **errors(400, 401, 403, 404)},
        summary=summary,
        operation_id=f"bubbles_{service_name}",
    )
    @viewer_endpoint(["POST"], objects=BUBBLE)
    def view(request, bubble):
        getattr(services, service_name)(bubble=bubble, actor=request.user)
        bubble.refresh_from_db()
        return Response(BubbleSerializer(bubble).data, status=done)

    view.cls.__name__ = f"{service_name}_view"
    return view


bubble_archive = _simple("bubble_archive", "Archive (organizer only; read-only forever)")
bubble_accept = _simple("bubble_invitation_accept", "Accept my invitation")
bubble_leave = _simple("bubble_leave", "Leave the bubble")


@extend_schema(
    methods=["GET"], responses={200: ParticipantSerializer(many=True), **errors(401, 404)}
)
@extend_schema(
    methods=["POST"],
    request=EmailSerializer,
    responses={201: ParticipantSerializer, **errors(400, 401, 403, 404)},
    summary="Add a participant by their email address",
)
@viewer_endpoint(["GET", "POST"], objects=BUBBLE)
def member_list(request, bubble):
    if request.method == "POST":
        data = _valid(EmailSerializer, request)
        added = services.bubble_member_add_by_email(
            bubble=bubble, email=data["email"], actor=request.user
        )
        return Response(ParticipantSerializer(added).data, status=status.HTTP_201_CREATED)
    return Response(
        ParticipantSerializer(selectors.participant_list(bubble=bubble), many=True).data
    )


@extend_schema(request=None, responses={204: None, **errors(400, 401, 403, 404)}, summary="Remove")
@viewer_endpoint(["DELETE"], objects=BUBBLE)
def member_detail(request, bubble, member_id):
    target = selectors.bubble_member_get(bubble=bubble, pk=member_id)
    services.bubble_member_remove(member=target, actor=request.user)
    return Response(status=status.HTTP_204_NO_CONTENT)


MEMBER_ACTIONS = {"promote", "demote", "transfer"}


@extend_schema(
    request=None,
    responses={200: ParticipantSerializer, **errors(400, 401, 403, 404)},
    summary="Promote to co-organizer, demote, or transfer ownership to this co-organizer",
    operation_id="bubbles_member_action",
)
@viewer_endpoint(["POST"], objects=BUBBLE)
def member_action(request, bubble, member_id, action):
    if action not in MEMBER_ACTIONS:
        raise Http404("No such action.")
    target = selectors.bubble_member_get(bubble=bubble, pk=member_id)
    if action == "promote":
        result = services.bubble_co_organizer_promote(member=target, actor=request.user)
    elif action == "demote":
        result = services.bubble_co_organizer_demote(member=target, actor=request.user)
    else:
        result = services.bubble_ownership_transfer(bubble=bubble, to=target, actor=request.user)
    return Response(ParticipantSerializer(result).data)


@extend_schema(
    request=EmailSerializer,
    responses={201: GuestInvitationSerializer, **errors(400, 401, 403, 404, 429)},
    summary="Invite a guest by email (single-use link, bound to the address)",
)
@viewer_endpoint(["POST"], objects=BUBBLE)
def guest_invite(request, bubble):
    data = _valid(EmailSerializer, request)
    try:
        invitation = services.bubble_guest_invite(
            bubble=bubble, email=data["email"], actor=request.user
        )
    except ApplicationError as exc:
        if exc.code == "rate_limited":
            return _rate_limited(exc)
        raise
    return Response(GuestInvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)
