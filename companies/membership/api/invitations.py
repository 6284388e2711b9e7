"""Company invitations."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from ... import policies
from ...scoping import company_endpoint
from .. import selectors, services
from .serializers import InvitationSerializer, InviteSerializer, _valid


@extend_schema(request=InviteSerializer, responses=InvitationSerializer(many=True))
@company_endpoint(["GET", "POST"], right=policies.can_manage_company)
def invitation_list(request, company):
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
@company_endpoint(
    ["POST"],
    right=policies.can_manage_company,
    objects={"invitation": ("invitation_id", selectors.invitation_get)},
)
def company_invitation_resend(request, company, invitation):
    return Response(
        InvitationSerializer(
            services.company_invitation_resend(invitation=invitation, actor=request.user)
        ).data
    )


@extend_schema(request=None, responses=InvitationSerializer)
@company_endpoint(
    ["POST"],
    right=policies.can_manage_company,
    objects={"invitation": ("invitation_id", selectors.invitation_get)},
)
def company_invitation_cancel(request, company, invitation):
    return Response(
        InvitationSerializer(
            services.company_invitation_cancel(invitation=invitation, actor=request.user)
        ).data
    )
