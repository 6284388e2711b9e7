"""Join requests and join links, and a standalone user creating a company."""

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import api_view
from rest_framework.response import Response

from rainbow_portal.exceptions import ApplicationError, error_body

from ... import policies
from ...scoping import company_endpoint
from .. import selectors, services
from .serializers import (
    JOIN_LINK_TOGGLE_SCHEMA,
    CompanySerializer,
    DecisionSerializer,
    JoinedSerializer,
    JoinLinkCreateSerializer,
    JoinLinkSerializer,
    JoinLinkToggleSerializer,
    JoinLinkWithTokenSerializer,
    JoinRequestCreateSerializer,
    JoinRequestSerializer,
    NameSerializer,
    StatusAnswerSerializer,
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


@extend_schema(methods=["GET"], responses=JoinLinkSerializer(many=True))
@extend_schema(
    methods=["POST"],
    request=JoinLinkCreateSerializer,
    responses={201: JoinLinkWithTokenSerializer},
)
@company_endpoint(["GET", "POST"], right=policies.can_manage_company)
def join_link_list(request, company):
    if request.method == "POST":
        data = _valid(JoinLinkCreateSerializer, request)
        link = services.join_link_create(company=company, actor=request.user, **data)
        return Response(JoinLinkWithTokenSerializer(link).data, status=status.HTTP_201_CREATED)
    return Response(JoinLinkSerializer(selectors.join_link_list(company=company), many=True).data)


@extend_schema(request=JOIN_LINK_TOGGLE_SCHEMA, responses=JoinLinkSerializer)
@company_endpoint(
    ["PATCH"],
    right=policies.can_manage_company,
    objects={"link": ("link_id", selectors.join_link_get)},
)
def join_link_toggle(request, company, link):
    data = _valid(JoinLinkToggleSerializer, request)
    link = services.join_link_set_enabled(link=link, enabled=data["enabled"], actor=request.user)
    return Response(JoinLinkSerializer(link).data)


@extend_schema(
    request=None, responses=JoinLinkWithTokenSerializer, summary="New token for a join link"
)
@company_endpoint(
    ["POST"],
    right=policies.can_manage_company,
    objects={"link": ("link_id", selectors.join_link_get)},
)
def join_link_regenerate(request, company, link):
    link = services.join_link_regenerate(link=link, actor=request.user)
    return Response(JoinLinkWithTokenSerializer(link).data)


@extend_schema(
    request=NameSerializer, responses={201: CompanySerializer}, summary="Create my company"
)
@api_view(["POST"])
def company_create(request):
    if not request.user.company.is_default:
        # As on the page: a rights question (403), not a bad input (issue 10, schemathesis).
        raise PermissionDenied("Only standalone users create a company.")
    data = _valid(NameSerializer, request)
    company = services.company_create_by_user(user=request.user, name=data["name"])
    return Response(CompanySerializer(company).data, status=status.HTTP_201_CREATED)


@extend_schema(
    request=JoinRequestCreateSerializer,
    responses={201: StatusAnswerSerializer},
    summary="Ask to join",
    operation_id="join_request_create",
)
@api_view(["POST"])
def join_request_create(request):
    data = _valid(JoinRequestCreateSerializer, request)
    company = selectors.joinable_company_get(user=request.user, slug=data["company"])
    join_request = services.join_request_create(user=request.user, company=company)
    return Response({"id": join_request.pk, "status": join_request.status}, status=201)


@extend_schema(request=None, responses=JoinedSerializer, summary="Join through a join link")
@api_view(["POST"])
def join_link_use(request, token):
    try:
        link = services.join_link_use(token=token, user=request.user)
    except ApplicationError as exc:
        if exc.code == "invalid_link":  # no such link: the resource is not found
            return Response(error_body(exc.code, exc.message), status=status.HTTP_404_NOT_FOUND)
        raise
    return Response({"company": link.company.slug})
