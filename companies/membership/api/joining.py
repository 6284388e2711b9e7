"""Join requests and join links, and a standalone user creating a company."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import api_view
from rest_framework.response import Response

from ... import policies
from ...scoping import company_endpoint
from .. import selectors, services
from .serializers import (
    CompanySerializer,
    DecisionSerializer,
    JoinLinkSerializer,
    JoinLinkToggleSerializer,
    JoinRequestCreateSerializer,
    JoinRequestSerializer,
    NameSerializer,
    _valid,
)


@extend_schema(responses=JoinRequestSerializer(many=True))
@company_endpoint(["GET"], right=policies.can_manage_company)
def join_request_list(request, company):
    return Response(
        JoinRequestSerializer(selectors.join_request_list(company=company), many=True).data
    )


@extend_schema(request=DecisionSerializer, responses=JoinRequestSerializer)
@company_endpoint(
    ["POST"],
    right=policies.can_manage_company,
    objects={"join_request": ("request_id", selectors.join_request_get)},
)
def join_request_decide(request, company, join_request):
    data = _valid(DecisionSerializer, request)
    decided = services.join_request_decide(
        join_request=join_request, accept=data["decision"] == "accept", actor=request.user
    )
    return Response(JoinRequestSerializer(decided).data)


@extend_schema(request=JoinLinkSerializer, responses=JoinLinkSerializer(many=True))
@company_endpoint(["GET", "POST"], right=policies.can_manage_company)
def join_link_list(request, company):
    if request.method == "POST":
        data = _valid(JoinLinkSerializer, request)
        link = services.join_link_create(company=company, actor=request.user, **data)
        return Response(JoinLinkSerializer(link).data, status=status.HTTP_201_CREATED)
    return Response(JoinLinkSerializer(selectors.join_link_list(company=company), many=True).data)


@extend_schema(request=JoinLinkToggleSerializer, responses=JoinLinkSerializer)
@company_endpoint(
    ["PATCH"],
    right=policies.can_manage_company,
    objects={"link": ("link_id", selectors.join_link_get)},
)
def join_link_toggle(request, company, link):
    data = _valid(JoinLinkToggleSerializer, request)
    link = services.join_link_set_enabled(link=link, enabled=data["enabled"], actor=request.user)
    return Response(JoinLinkSerializer(link).data)


@extend_schema(request=None, responses=JoinLinkSerializer, summary="New token for a join link")
@company_endpoint(
    ["POST"],
    right=policies.can_manage_company,
    objects={"link": ("link_id", selectors.join_link_get)},
)
def join_link_regenerate(request, company, link):
    link = services.join_link_regenerate(link=link, actor=request.user)
    return Response(JoinLinkSerializer(link).data)


@extend_schema(request=NameSerializer, responses=CompanySerializer, summary="Create my company")
@api_view(["POST"])
def company_create(request):
    data = _valid(NameSerializer, request)
    company = services.company_create_by_user(user=request.user, name=data["name"])
    return Response(CompanySerializer(company).data, status=status.HTTP_201_CREATED)


@extend_schema(
    request=JoinRequestCreateSerializer,
    responses=None,
    summary="Ask to join",
    operation_id="join_request_create",
)
@api_view(["POST"])
def join_request_create(request):
    data = _valid(JoinRequestCreateSerializer, request)
    company = selectors.joinable_company_get(user=request.user, slug=data["company"])
    join_request = services.join_request_create(user=request.user, company=company)
    return Response({"id": join_request.pk, "status": join_request.status}, status=201)


@extend_schema(request=None, responses=None, summary="Join through a join link")
@api_view(["POST"])
def join_link_use(request, token):
    link = services.join_link_use(token=token, user=request.user)
    return Response({"company": link.company.slug})
