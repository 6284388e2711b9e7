"""Company invitations."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import api_view
from rest_framework.response import Response

from .. import selectors, services
from .common import _managed
from .serializers import InvitationSerializer, InviteSerializer, _valid


@extend_schema(request=InviteSerializer, responses=InvitationSerializer(many=True))
@api_view(["GET", "POST"])
def invitation_list(request, slug):
    company = _managed(request, slug)
    if request.method == "POST":
        data = _valid(InviteSerializer, request)
        sent = services.invitations_create(
            company=company, emails=data["emails"], actor=request.user
        )
        return Response(InvitationSerializer(sent, many=True).data, status=status.HTTP_201_CREATED)
    return Response(
        InvitationSerializer(selectors.invitation_list(company=company), many=True).data
    )


@extend_schema(request=None, responses=InvitationSerializer)
@api_view(["POST"])
def company_invitation_resend(request, slug, invitation_id):
    company = _managed(request, slug)
    invitation = selectors.invitation_get(company=company, invitation_id=invitation_id)
    return Response(
        InvitationSerializer(
            services.company_invitation_resend(invitation=invitation, actor=request.user)
        ).data
    )


@extend_schema(request=None, responses=InvitationSerializer)
@api_view(["POST"])
def company_invitation_cancel(request, slug, invitation_id):
    company = _managed(request, slug)
    invitation = selectors.invitation_get(company=company, invitation_id=invitation_id)
    return Response(
        InvitationSerializer(
            services.company_invitation_cancel(invitation=invitation, actor=request.user)
        ).data
    )
