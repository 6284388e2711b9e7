"""Company admins: their company's bubbles (metadata, never content), handing an orphaned one
to a participant."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from companies.scoping import company_endpoint

from .. import policies, selectors, services
from .common import _valid
from .serializers import (
    CompanyBubbleSerializer,
    ReassignSerializer,
    errors,
)


@extend_schema(
    responses={200: CompanyBubbleSerializer(many=True), **errors(401, 403, 404)},
    summary="A company's bubbles: names, owners, sizes (never content)",
)
@company_endpoint(["GET"], right=policies.can_manage_company_bubbles)
def company_bubbles(request, company):
    rows = selectors.company_bubble_list(company=company)
    return Response(CompanyBubbleSerializer(rows, many=True).data)


@extend_schema(
    request=ReassignSerializer,
    responses={200: CompanyBubbleSerializer, **errors(400, 401, 403, 404)},
    summary="Hand an orphaned bubble to one of its participants from the company",
)
@company_endpoint(
    ["POST"],
    right=policies.can_manage_company_bubbles,
    objects={"bubble": ("pk", selectors.company_bubble_get)},
)
def company_bubble_owner(request, company, bubble):
    data = _valid(ReassignSerializer, request)
    target = selectors.bubble_member_get(bubble=bubble, pk=data["member"])
    services.bubble_owner_reassign(bubble=bubble, to=target, actor=request.user)
    return Response(
        CompanyBubbleSerializer(selectors.company_bubble_get(company=company, pk=bubble.pk)).data
    )
