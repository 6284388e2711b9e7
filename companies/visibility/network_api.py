"""Network API (SPEC §5): the same selectors and services as the network page."""

from django.http import Http404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from rainbow_portal.exceptions import ApplicationError, error_body

from ..scoping import viewer_endpoint
from . import network_selectors as selectors
from . import network_services as services
from .selectors import person_get_for_viewer


class ContactSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="contact_id")
    name = serializers.CharField(source="contact.get_full_name")
    company = serializers.CharField(source="contact.company.name")
    favorite = serializers.BooleanField(source="is_favorite")
    presence = serializers.SerializerMethodField()

    def get_presence(self, row) -> str:
        return selectors.presence_of(row.contact)


class NetworkInvitationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    status = serializers.SerializerMethodField()
    inviter = serializers.SerializerMethodField()
    invitee = serializers.SerializerMethodField()

    def get_status(self, inv) -> str:
        return inv.status_for(self.context["viewer"])

    def get_inviter(self, inv) -> dict:
        return {"id": inv.inviter_id, "name": inv.inviter.get_full_name()}

    def get_invitee(self, inv) -> dict:
        # An email invitation names only the address, even once answered (SPEC §4.4).
        if inv.kind == inv.Kind.EMAIL:
            return {"email": inv.email}
        return {"id": inv.invitee_id, "name": inv.invitee.get_full_name()}


class NetworkInviteSerializer(serializers.Serializer):
    user_id = serializers.IntegerField(required=False, min_value=1)
    email = serializers.EmailField(required=False, max_length=254)

    def validate(self, data):
        if ("user_id" in data) == ("email" in data):
            raise serializers.ValidationError("Give either user_id or email.")
        return data


def _not_found(message="Not found."):
    return Response(error_body("not_found", message), status=404)


@extend_schema(
    methods=["GET"], summary="My network: contacts and invitations", responses=ContactSerializer
)
@extend_schema(
    methods=["POST"],
    request=NetworkInviteSerializer,
    responses=NetworkInvitationSerializer,
    summary="Invite someone in-app (user_id) or by email",
)
@api_view(["GET", "POST"])
def network(request):
    viewer = request.user
    ctx = {"viewer": viewer}
    if request.method == "GET":
        return Response(
            {
                "contacts": ContactSerializer(selectors.contact_list(user=viewer), many=True).data,
                "incoming": NetworkInvitationSerializer(
                    selectors.invitations_incoming(user=viewer), many=True, context=ctx
                ).data,
                "outgoing": NetworkInvitationSerializer(
                    selectors.invitations_outgoing(user=viewer), many=True, context=ctx
                ).data,
            }
        )
    serializer = NetworkInviteSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    if "user_id" in serializer.validated_data:
        try:
            target = person_get_for_viewer(viewer=viewer, pk=serializer.validated_data["user_id"])
        except Http404:
            return _not_found("No such person.")
        inv = services.invitation_send_in_app(inviter=viewer, invitee=target, actor=viewer)
    else:
        inv = services.invitation_send_email(
            inviter=viewer, email=serializer.validated_data["email"], actor=viewer
        )
    return Response(NetworkInvitationSerializer(inv, context=ctx).data, status=201)


ACTIONS = {
    "accept": services.invitation_accept,
    "decline": services.invitation_decline,
    "cancel": services.contact_invitation_cancel,
    "resend": services.contact_invitation_resend,
}


@extend_schema(request=None, responses=NetworkInvitationSerializer, summary="Answer or manage one")
@viewer_endpoint(["POST"], objects={"inv": ("pk", selectors.invitation_get)})
def invitation_action(request, inv, action):
    if action not in ACTIONS:
        return _not_found("No such action.")
    try:
        inv = ACTIONS[action](invitation=inv, actor=request.user)
    except ApplicationError as exc:
        if exc.code == "rate_limited":
            return Response(error_body(exc.code, exc.message), status=429)
        raise
    return Response(NetworkInvitationSerializer(inv, context={"viewer": request.user}).data)


class FavoriteSerializer(serializers.Serializer):
    favorite = serializers.BooleanField()


@extend_schema(methods=["DELETE"], request=None, responses=None, summary="Remove a contact")
@extend_schema(
    methods=["PATCH"], request=FavoriteSerializer, responses=ContactSerializer, summary="Favorite"
)
@viewer_endpoint(["DELETE", "PATCH"], objects={"row": ("pk", selectors.contact_get)})
def contact(request, row):
    if request.method == "DELETE":
        services.contact_remove(owner=request.user, contact=row.contact, actor=request.user)
        return Response(status=204)
    serializer = FavoriteSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    row = services.contact_favorite_set(
        owner=request.user,
        contact=row.contact,
        favorite=serializer.validated_data["favorite"],
        actor=request.user,
    )
    return Response(ContactSerializer(row).data)


@extend_schema(request=None, responses=None, summary="Presence heartbeat")
@api_view(["POST"])
def presence(request):
    services.presence_touch(user=request.user)
    return Response(status=204)


urlpatterns = [
    path("network/", network, name="network"),
    path(
        "network/invitations/<int:pk>/<str:action>/", invitation_action, name="network-invitation"
    ),
    path("network/contacts/<int:pk>/", contact, name="network-contact"),
    path("network/presence/", presence, name="network-presence"),
]
