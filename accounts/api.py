from django.urls import path
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from core.validation import validate_name
from rainbow_portal import fields as strict

from .models import PersonalToken
from .security import selectors as security_selectors
from .security.services import tokens
from .services import user_profile_update


class MeSerializer(serializers.Serializer):
    id = strict.IntegerField(read_only=True)
    email = strict.EmailField(read_only=True)
    first_name = strict.CharField(
        max_length=150, allow_blank=True, required=False, validators=[validate_name]
    )
    last_name = strict.CharField(
        max_length=150, allow_blank=True, required=False, validators=[validate_name]
    )
    title = strict.CharField(
        max_length=150, allow_blank=True, required=False, validators=[validate_name]
    )
    company = serializers.SerializerMethodField()

    def get_company(self, user) -> dict:
        return _company(user)


def _company(user) -> dict:
    return {"id": user.company_id, "name": user.company.name, "slug": user.company.slug}


def me_representation(user) -> dict:
    """What MeSerializer(user).data gives, without building the serializer: the most called
    endpoint paid more for DRF's per-instance copy of the fields than for its query (issue
    15). tests/accounts/test_api_me.py holds the two equal."""
    return {
        "id": user.pk,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "title": user.title,
        "company": _company(user),
    }


@extend_schema(methods=["GET"], responses=MeSerializer, summary="The signed-in user")
@extend_schema(
    methods=["PATCH"], request=MeSerializer, responses=MeSerializer, summary="Change name or title"
)
@api_view(["GET", "PATCH"])
def me(request):
    if request.method == "PATCH":
        serializer = MeSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user_profile_update(user=request.user, actor=request.user, **serializer.validated_data)
        return Response(MeSerializer(request.user).data)
    return Response(me_representation(request.user))


class TokenSerializer(serializers.Serializer):
    id = strict.IntegerField(read_only=True)
    name = strict.CharField(max_length=100, validators=[validate_name])
    scope = serializers.ChoiceField(choices=PersonalToken.Scope.choices, default="read")
    days = strict.IntegerField(
        min_value=1, max_value=tokens.MAX_DAYS, default=tokens.DEFAULT_DAYS, write_only=True
    )
    created_at = serializers.DateTimeField(read_only=True)
    expires_at = serializers.DateTimeField(read_only=True)
    last_used_at = serializers.DateTimeField(read_only=True, allow_null=True)
    status = serializers.CharField(read_only=True)


class NewTokenSerializer(TokenSerializer):
    token = serializers.CharField(
        read_only=True, help_text=gettext_lazy("The secret, shown only this once.")
    )


@extend_schema(methods=["GET"], responses=TokenSerializer(many=True), summary="My API tokens")
@extend_schema(
    methods=["POST"],
    request=TokenSerializer,
    responses={201: NewTokenSerializer},
    summary="Create an API token (signed in with a session; the secret is shown once)",
)
@api_view(["GET", "POST"])
def my_tokens(request):
    if request.method == "GET":
        return Response(TokenSerializer(tokens.token_list(user=request.user), many=True).data)
    if isinstance(request.auth, PersonalToken):
        # A token minting tokens could outlive every expiry and revocation (D10a.7).
        raise PermissionDenied("API tokens are created signed in to the portal, not with a token.")
    user = request.user
    needs_factor = security_selectors.two_factor_required(
        user=user
    ) or security_selectors.has_two_factor(user=user)
    # django-otp's middleware gives a session user is_verified(); nothing else has proved one.
    if needs_factor and not getattr(user, "is_verified", lambda: False)():
        raise PermissionDenied("Confirm your second factor before creating an API token.")
    serializer = TokenSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    token, secret = tokens.token_create(user=user, actor=user, **serializer.validated_data)
    data = NewTokenSerializer(token).data
    data["token"] = secret
    return Response(data, status=201)


class TokenRevokeSerializer(serializers.Serializer):
    id = strict.IntegerField(min_value=1, max_value=2**63 - 1)


@extend_schema(request=TokenRevokeSerializer, responses={204: None}, summary="Revoke my token")
@api_view(["POST"])
def my_token_revoke(request):
    serializer = TokenRevokeSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    token = tokens.token_get(user=request.user, token_id=serializer.validated_data["id"])
    tokens.token_revoke(token=token, actor=request.user, reason="user")
    return Response(status=204)


urlpatterns = [
    path("me/", me, name="me"),
    path("me/tokens/", my_tokens, name="me-tokens"),
    path("me/tokens/revoke/", my_token_revoke, name="me-token-revoke"),
]
