"""A company, its members and file sharing."""

from drf_spectacular.utils import extend_schema
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from ... import policies
from ...scoping import company_endpoint
from ...selectors import user_roles
from ...services import company_update, member_role_grant, member_role_remove
from .. import selectors, services
from .serializers import (
    CompanyChangeSerializer,
    CompanyFileSharingSerializer,
    CompanySerializer,
    MemberFileSharingSerializer,
    MemberFilterSerializer,
    MemberPageSerializer,
    MemberSerializer,
    RoleChangeSerializer,
    _valid,
)


@extend_schema(request=CompanyChangeSerializer, responses=CompanySerializer, summary="A company")
@company_endpoint(["GET", "PATCH"], right=policies.can_manage_company)
def company_detail(request, company):
    if request.method == "PATCH":
        data = _valid(CompanyChangeSerializer, request)
        # Region and HDS are accepted as input only to be refused with SPEC §2.3's message.
        company = company_update(company=company, actor=request.user, **data)
    return Response(CompanySerializer(company).data)


@extend_schema(request=CompanyFileSharingSerializer, responses=CompanyFileSharingSerializer)
@company_endpoint(["GET", "PUT"], right=policies.can_manage_company)
def company_file_sharing(request, company):
    if request.method == "PUT":
        data = _valid(CompanyFileSharingSerializer, request)
        services.company_file_sharing_set(
            company=company, enabled=data["enabled"], actor=request.user
        )
    return Response({"enabled": selectors.company_file_sharing_enabled(company=company)})


@extend_schema(
    parameters=[MemberFilterSerializer],
    responses=MemberPageSerializer,
    summary="Members, filtered and paginated",
)
@company_endpoint(["GET"], right=policies.can_manage_company)
def member_list(request, company):
    filters = MemberFilterSerializer(data=request.query_params)
    filters.is_valid(raise_exception=True)
    queryset = selectors.member_list(
        company=company,
        search=filters.validated_data["q"],
        role=filters.validated_data["role"],
        status=filters.validated_data["status"],
    )
    paginator = PageNumberPagination()
    page = paginator.paginate_queryset(queryset, request)
    return paginator.get_paginated_response(MemberSerializer(page, many=True).data)


@extend_schema(request=RoleChangeSerializer, responses=MemberSerializer)
@company_endpoint(
    ["POST"],
    right=policies.can_manage_company,
    objects={"member": ("member_id", selectors.member_get)},
)
def member_role(request, company, member):
    data = _valid(RoleChangeSerializer, request)
    service = member_role_grant if data["action"] == "grant" else member_role_remove
    service(member=member, role=data["role"], actor=request.user)
    member._role_cache = None
    return Response({"id": member.pk, "roles": sorted(user_roles(user=member))})


@extend_schema(request=MemberFileSharingSerializer, responses=MemberFileSharingSerializer)
@company_endpoint(
    ["GET", "PUT"],
    right=policies.can_manage_company,
    objects={"member": ("member_id", selectors.member_get)},
)
def member_file_sharing(request, company, member):
    if request.method == "PUT":
        data = _valid(MemberFileSharingSerializer, request)
        services.member_file_sharing_set(member=member, mode=data["mode"], actor=request.user)
    return Response(
        {
            "mode": selectors.member_file_sharing_mode(user=member),
            "allowed": selectors.file_sharing_allowed(user=member),
        }
    )
