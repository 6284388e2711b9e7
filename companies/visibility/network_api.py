"""Network API (SPEC §5): the same selectors and services as the network page."""

from django.http import Http404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from rainbow_portal import fields as strict
from rainbow_portal.exceptions import error_body

from ..scoping import viewer_endpoint
from . import network_selectors as selectors
from . import network_services as services
from .selectors import person_get_for_viewer


class ContactSerializer(serializers.Serializer):
    id = strict.IntegerField(source="contact_id")
    name = strict.CharField(source="contact.get_full_name")
    company = strict.CharField(source="contact.company.name")
    favorite = strict.BooleanField(source="is_favorite")
    presence = serializers.SerializerMethodField()

    def get_presence(self, row) -> str:
        return selectors.presence_of(row.contact)


class NetworkInvitationSerializer(serializers.Serializer):
    id = strict.IntegerField()
    kind = strict.CharField()
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


class NetworkSerializer(serializers.Serializer):
    """GET /network/: the contacts and both directions of invitations."""

    contacts = ContactSerializer(many=True)
    incoming = NetworkInvitationSerializer(many=True)
    outgoing = NetworkInvitationSerializer(many=True)


class NetworkInviteSerializer(serializers.Serializer):
    user_id = strict.IntegerField(required=False, min_value=1)
    email = strict.EmailField(required=False, max_length=254)

    def validate(self, data):
        if ("user_id" in data) == ("email" in data):
            raise serializers.ValidationError("Give either user_id or email.")
        return data


# NetworkInviteSerializer's rule "either user_id or email", stated in the schema (issue 10).
NETWORK_INVITE_SCHEMA = {
    "oneOf": [
        {
            "type": "object",
            "properties": {"user_id": {"type": "integer", "minimum": 1}},
            "required": ["user_id"],
            "not": {"required": ["email"]},
        },
        {
            "type": "object",
            "properties": {"email": {"type": "string", "format": "email", "maxLength": 254}},
            "required": ["email"],
            "not": {"required": ["user_id"]},
        },
    ]
}


def _not_found(message="Not found."):
    return Response(error_body("not_found", message), status=404)


@extend_schema(
    methods=["GET"], summary="My network: contacts and invitations", responses=NetworkSerializer
)
@extend_schema(
    methods=["POST"],
    request={"application/json": NETWORK_INVITE_SCHEMA},
    responses={201: NetworkInvitationSerializer},
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
    inv = ACTIONS[action](invitation=inv, actor=request.user)  # a limit: 429 (the handler)
    return Response(NetworkInvitationSerializer(inv, context={"viewer": request.user}).data)


class FavoriteSerializer(serializers.Serializer):
    favorite = strict.BooleanField()


@extend_schema(methods=["DELETE"], request=None, responses={204: None}, summary="Remove a contact")
@extend_schema(
    methods=["PATCH"],
    # `favorite` is required even though the method is PATCH (issue 10: the schema is exact).
    request={
        "application/json": {
            "type": "object",
            "properties": {"favorite": {"type": "boolean"}},
            "required": ["favorite"],
        }
    },
    responses=ContactSerializer,
    summary="Favorite",
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


@extend_schema(request=None, responses={204: None}, summary="Presence heartbeat")
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
