"""REST endpoints for a company's identity providers (the client secret is write-only)."""

from django.urls import path
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from companies.scoping import company_endpoint
from core.validation import validate_name
from rainbow_portal import fields as strict

from . import saml, selectors
from .models import IdentityProvider
from .policies import can_manage_identity_providers
from .services import config

MANAGE = can_manage_identity_providers
PROVIDER = {"provider": ("provider_id", selectors.provider_get)}


class ServiceProviderSerializer(serializers.Serializer):
    entity_id = strict.CharField()
    acs = strict.CharField()
    metadata_url = strict.CharField()


class IdentityProviderSerializer(serializers.ModelSerializer):
    has_client_secret = strict.BooleanField(read_only=True)
    service_provider = serializers.SerializerMethodField()

    class Meta:
        model = IdentityProvider
        fields = [
            "id",
            "kind",
            "name",
            "enabled",
            "is_default",
            "enforces_mfa",
            "saml_entity_id",
            "saml_sso_url",
            "saml_slo_url",
            "saml_certificates",
            "saml_metadata_url",
            "saml_allow_idp_initiated",
            "oidc_discovery_url",
            "oidc_client_id",
            "oidc_scopes",
            "oidc_email_claim",
            "oidc_issuer",
            "has_client_secret",
            "metadata_status",
            "metadata_fetched_at",
            "service_provider",
        ]
        read_only_fields = fields

    def get_service_provider(self, provider) -> ServiceProviderSerializer(allow_null=True):
        if provider.kind != IdentityProvider.Kind.SAML:
            return None
        urls = saml.sp_urls(provider)
        return {
            "entity_id": urls["entity_id"],
            "acs": urls["acs"],
            "metadata_url": urls["entity_id"],
        }


class IdentityProviderWriteSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=IdentityProvider.Kind.choices, required=False)
    name = strict.CharField(max_length=100, required=False, validators=[validate_name])
    enabled = strict.BooleanField(required=False)
    enforces_mfa = strict.BooleanField(required=False)
    saml_entity_id = strict.CharField(max_length=500, required=False, allow_blank=True)
    saml_sso_url = serializers.URLField(max_length=1000, required=False, allow_blank=True)
    saml_slo_url = serializers.URLField(max_length=1000, required=False, allow_blank=True)
    saml_certificates = strict.CharField(required=False, allow_blank=True, max_length=65536)
    saml_metadata_url = serializers.URLField(max_length=1000, required=False, allow_blank=True)
    saml_allow_idp_initiated = strict.BooleanField(required=False)
    metadata_xml = strict.CharField(
        required=False, allow_blank=True, max_length=1024 * 1024, write_only=True
    )
    oidc_discovery_url = serializers.URLField(max_length=1000, required=False)
    oidc_client_id = strict.CharField(max_length=255, required=False)
    client_secret = strict.CharField(
        max_length=1000, required=False, write_only=True, trim_whitespace=False
    )
    oidc_scopes = strict.CharField(max_length=200, required=False)
    oidc_email_claim = strict.CharField(max_length=100, required=False)


class SsoSettingsSerializer(serializers.Serializer):
    require_sso = strict.BooleanField()
    jit_provisioning = strict.BooleanField()
    break_glass_users = serializers.ListField(
        child=strict.IntegerField(min_value=1, max_value=2**31 - 1),
        max_length=50,
        help_text=gettext_lazy("Ids of the company's admins who keep email and password."),
    )


def _valid(serializer_class, request, **kwargs):
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _split(data: dict, kind: str) -> tuple[dict, str, str]:
    metadata_xml = data.pop("metadata_xml", "")
    secret = data.pop("client_secret", "")
    data.pop("kind", None)
    return data, metadata_xml, secret


@extend_schema(
    methods=["GET"],
    responses=IdentityProviderSerializer(many=True),
    summary="A company's identity providers",
)
@extend_schema(
    methods=["POST"],
    request=IdentityProviderWriteSerializer,
    responses={201: IdentityProviderSerializer},
    summary="Add an identity provider (SAML: metadata_xml or fields; OIDC: client_secret)",
)
@company_endpoint(["GET", "POST"], right=MANAGE)
def provider_list(request, company):
    if request.method == "POST":
        data = _valid(IdentityProviderWriteSerializer, request)
        kind = data.get("kind")
        if not kind:
            raise serializers.ValidationError({"kind": ["Choose saml or oidc."]})
        if "name" not in data:
            raise serializers.ValidationError({"name": ["Give the provider a name."]})
        fields, metadata_xml, secret = _split(data, kind)
        provider = config.identity_provider_create(
            company=company,
            kind=kind,
            actor=request.user,
            metadata_xml=metadata_xml,
            client_secret=secret,
            **fields,
        )
        return Response(IdentityProviderSerializer(provider).data, status=status.HTTP_201_CREATED)
    providers = selectors.provider_list(company=company)
    return Response(IdentityProviderSerializer(providers, many=True).data)


@extend_schema(methods=["GET"], responses=IdentityProviderSerializer, summary="One provider")
@extend_schema(
    methods=["PATCH"],
    request=IdentityProviderWriteSerializer,
    responses=IdentityProviderSerializer,
    summary="Change a provider (the client secret is write-only)",
)
@extend_schema(methods=["DELETE"], responses={204: None}, summary="Remove a provider")
@company_endpoint(["GET", "PATCH", "DELETE"], right=MANAGE, objects=PROVIDER)
def provider_detail(request, company, provider):
    if request.method == "DELETE":
        config.identity_provider_delete(provider=provider, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
    if request.method == "PATCH":
        data = _valid(IdentityProviderWriteSerializer, request, partial=True)
        if "kind" in data and data["kind"] != provider.kind:
            raise serializers.ValidationError({"kind": ["The kind cannot change."]})
        fields, metadata_xml, secret = _split(data, provider.kind)
        provider = config.identity_provider_update(
            provider=provider,
            actor=request.user,
            metadata_xml=metadata_xml,
            client_secret=secret,
            **fields,
        )
    return Response(IdentityProviderSerializer(provider).data)


@extend_schema(request=SsoSettingsSerializer, responses=SsoSettingsSerializer)
@company_endpoint(["GET", "PUT"], right=MANAGE)
def sso_settings(request, company):
    if request.method == "PUT":
        data = _valid(SsoSettingsSerializer, request)
        users = selectors.company_members_by_ids(company=company, ids=data["break_glass_users"])
        if len(users) != len(set(data["break_glass_users"])):
            raise serializers.ValidationError(
                {"break_glass_users": ["Every id must be a member of this company."]}
            )
        config.company_sso_settings_set(
            company=company,
            actor=request.user,
            require_sso=data["require_sso"],
            jit_provisioning=data["jit_provisioning"],
            break_glass_users=users,
        )
    row = selectors.sso_settings(company=company)
    return Response(
        {
            "require_sso": bool(row and row.require_sso),
            "jit_provisioning": bool(row and row.jit_provisioning),
            "break_glass_users": sorted(row.break_glass_users.values_list("pk", flat=True))
            if row
            else [],
        }
    )


urlpatterns = [
    path(
        "companies/<slug:slug>/identity-providers/",
        provider_list,
        name="sso-providers",
    ),
    path(
        "companies/<slug:slug>/identity-providers/<uuid:provider_id>/",
        provider_detail,
        name="sso-provider",
    ),
    path("companies/<slug:slug>/sso-settings/", sso_settings, name="sso-settings"),
]
