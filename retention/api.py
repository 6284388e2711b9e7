"""Retention API: the same selectors, policies and services as the pages."""

from django.http import Http404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from companies.scoping import viewer_endpoint
from rainbow_portal import fields as strict

from . import policies, selectors, services
from .services import exports


class ClosureSerializer(serializers.Serializer):
    id = strict.IntegerField()
    stage = strict.CharField()
    standalone = strict.BooleanField()
    closed_at = serializers.DateTimeField()
    anonymize_due_at = serializers.DateTimeField()
    delete_due_at = serializers.DateTimeField()
    restored_at = serializers.DateTimeField(allow_null=True)
    closed_by_kind = strict.CharField()


class SelfCloseSerializer(serializers.Serializer):
    password = strict.CharField(write_only=True, trim_whitespace=False)
    otp = strict.CharField(required=False, allow_blank=True, max_length=12)


class RestoreLinkSerializer(serializers.Serializer):
    token = strict.CharField(max_length=200)


class CountsSerializer(serializers.Serializer):
    closed = strict.IntegerField()
    anonymized = strict.IntegerField()
    deleted = strict.IntegerField()
    held = strict.IntegerField()


class HoldSerializer(serializers.Serializer):
    user_id = strict.IntegerField(required=False, min_value=1)
    company_slug = strict.CharField(required=False, max_length=100)
    reason = strict.CharField(max_length=500)

    def validate(self, data):
        if ("user_id" in data) == ("company_slug" in data):
            raise serializers.ValidationError(_("Give either user_id or company_slug."))
        return data


class ExportSerializer(serializers.Serializer):
    id = strict.IntegerField()
    status = strict.CharField()
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()


@extend_schema(
    request=SelfCloseSerializer,
    responses={201: ClosureSerializer},
    summary="Close my own account (standalone users; password and second factor again)",
)
@api_view(["POST"])
def self_close(request):
    data = SelfCloseSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    closure = services.account_close(
        user=request.user,
        actor=request.user,
        password=data.validated_data["password"],
        otp=data.validated_data.get("otp", ""),
    )
    return Response(ClosureSerializer(closure).data, status=201)


@extend_schema(
    request=None,
    responses={201: ClosureSerializer},
    summary="Close a member's account (company admin, partner by delegation, superadmin)",
)
@viewer_endpoint(["POST"], objects={"target": ("user_id", selectors.account_get_for_viewer)})
def account_close(request, target):
    closure = services.account_close(user=target, actor=request.user)
    return Response(ClosureSerializer(closure).data, status=201)


@extend_schema(
    request=None,
    responses=ClosureSerializer,
    summary="Restore a closed account before its anonymization (admins)",
)
@viewer_endpoint(["POST"], objects={"target": ("user_id", selectors.account_get_for_viewer)})
def account_restore(request, target):
    closure = services.account_restore(user=target, actor=request.user)
    return Response(ClosureSerializer(closure).data)


@extend_schema(
    request=RestoreLinkSerializer,
    responses=ClosureSerializer,
    summary="Restore my closed account with the emailed link's token",
)
@api_view(["POST"])
@permission_classes([AllowAny])
def restore_by_link(request):
    data = RestoreLinkSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    closure = services.account_restore_by_token(token=data.validated_data["token"])
    return Response(ClosureSerializer(closure).data)


@extend_schema(responses=CountsSerializer, summary="What a retention run now would do")
@api_view(["GET"])
def preview(request):
    context = selectors.dashboard(viewer=request.user)
    return Response(CountsSerializer(context["preview"]).data)


@extend_schema(request=HoldSerializer, responses={201: None}, summary="Place a legal hold")
@api_view(["POST"])
def hold_create(request):
    policies.require_can_run_retention(request.user)
    data = HoldSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    v = data.validated_data
    user, company = selectors.hold_subject_get(
        user_id=v.get("user_id"), company_slug=v.get("company_slug", "")
    )
    if user is None and company is None:
        raise Http404("No such account or company.")
    hold = services.legal_hold_place(
        actor=request.user, reason=v["reason"], user=user, company=company
    )
    return Response({"id": hold.pk}, status=201)


@extend_schema(methods=["GET"], responses=ExportSerializer(many=True), summary="My data exports")
@extend_schema(
    methods=["POST"],
    request=None,
    responses={201: ExportSerializer},
    summary="Ask for an export of my data (zip of JSON, built in the background)",
)
@api_view(["GET", "POST"])
def export(request):
    if request.method == "GET":
        return Response(
            ExportSerializer(selectors.data_export_list(user=request.user), many=True).data
        )
    row, token = exports.data_export_request(user=request.user, actor=request.user)
    body = ExportSerializer(row).data
    body["download_path"] = f"/account/export/{token}/"
    return Response(body, status=201)


urlpatterns = [
    path("retention/close/", self_close, name="retention-self-close"),
    path("retention/accounts/<int:user_id>/close/", account_close, name="retention-close"),
    path("retention/accounts/<int:user_id>/restore/", account_restore, name="retention-restore"),
    path("retention/restore/", restore_by_link, name="retention-restore-link"),
    path("retention/preview/", preview, name="retention-preview"),
    path("retention/holds/", hold_create, name="retention-holds"),
    path("retention/exports/", export, name="retention-exports"),
]
