"""Operator (superadmin) endpoints: a company's domains (SPEC §2.5)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import api_view
from rest_framework.response import Response

from ...models import Company
from ...services import domain_add
from .serializers import DomainSerializer, _valid


def _require_superadmin(request):
    if not request.user.is_superuser:
        raise PermissionDenied("Only a platform superadmin manages email domains (SPEC §2.5).")


@extend_schema(request=DomainSerializer, responses=DomainSerializer(many=True))
@api_view(["GET", "POST"])
def operator_domains(request, slug):
    _require_superadmin(request)
    company = get_object_or_404(Company, slug=slug)
    if request.method == "POST":
        data = _valid(DomainSerializer, request)
        domain_add(company=company, domain=data["domain"], actor=request.user)
    return Response(
        DomainSerializer(company.domains.order_by("domain"), many=True).data,
        status=status.HTTP_201_CREATED if request.method == "POST" else status.HTTP_200_OK,
    )
