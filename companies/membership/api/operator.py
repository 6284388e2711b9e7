"""Operator (superadmin) endpoints: a company's domains (SPEC §2.5)."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from ...scoping import platform_endpoint
from ...selectors import domain_list
from ...services import domain_add
from .serializers import DomainSerializer, _valid


@extend_schema(request=DomainSerializer, responses=DomainSerializer(many=True))
@platform_endpoint(["GET", "POST"])
def operator_domains(request, company):
    if request.method == "POST":
        data = _valid(DomainSerializer, request)
        domain_add(company=company, domain=data["domain"], actor=request.user)
    return Response(
        DomainSerializer(domain_list(company=company), many=True).data,
        status=status.HTTP_201_CREATED if request.method == "POST" else status.HTTP_200_OK,
    )
