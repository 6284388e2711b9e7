"""The partner portal's endpoints (SPEC §2.8, §3.3)."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import api_view
from rest_framework.response import Response

from ... import policies
from ...scoping import company_endpoint
from .. import selectors, services
from .serializers import CustomerSerializer, DecisionSerializer, PartnerOfferSerializer, _valid


@extend_schema(request=DecisionSerializer, responses=None)
@company_endpoint(
    ["POST"],
    right=policies.can_manage_company,
    objects={"offer": ("invitation_id", selectors.partner_invitation_get)},
)
def partner_offer_decide(request, company, offer):
    data = _valid(DecisionSerializer, request)
    offer = services.partner_invitation_decide(
        invitation=offer, accept=data["decision"] == "accept", actor=request.user
    )
    return Response({"id": offer.pk, "status": offer.status})


@extend_schema(request=CustomerSerializer, responses=CustomerSerializer(many=True))
@api_view(["GET", "POST"])
def customer_list(request):
    policies.require_partner_member(actor=request.user)
    if request.method == "POST":
        policies.require_can_create_customer(actor=request.user)
        data = _valid(CustomerSerializer, request)
        customer = services.customer_create(
            partner=request.user.company,
            name=data["name"],
            admin_email=data["admin_email"],
            actor=request.user,
        )
        customer.member_count = 0
        return Response(CustomerSerializer(customer).data, status=status.HTTP_201_CREATED)
    return Response(
        CustomerSerializer(selectors.customer_list(partner=request.user.company), many=True).data
    )


@extend_schema(request=PartnerOfferSerializer, responses=None)
@api_view(["POST"])
def partner_offer_create(request):
    policies.require_can_create_customer(actor=request.user)
    data = _valid(PartnerOfferSerializer, request)
    offer = services.partner_invitation_create(
        partner=request.user.company, customer_name=data["customer_name"], actor=request.user
    )
    return Response({"id": offer.pk, "status": offer.status}, status=201)
