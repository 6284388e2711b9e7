from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from rainbow_portal import fields as strict

from .services import user_profile_update


class MeSerializer(serializers.Serializer):
    id = strict.IntegerField(read_only=True)
    email = strict.EmailField(read_only=True)
    first_name = strict.CharField(max_length=150, allow_blank=True, required=False)
    last_name = strict.CharField(max_length=150, allow_blank=True, required=False)
    title = strict.CharField(max_length=150, allow_blank=True, required=False)
    company = serializers.SerializerMethodField()

    def get_company(self, user) -> dict:
        return {"id": user.company_id, "name": user.company.name, "slug": user.company.slug}


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


urlpatterns = [path("me/", me, name="me")]
