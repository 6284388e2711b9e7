"""Directory API (issue 4): the same selectors, rules and services as the pages."""

from django.http import Http404
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from rainbow_portal.exceptions import error_body

from . import rules, search, selectors


class HitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    title = serializers.CharField()
    company = serializers.SerializerMethodField()
    invite_in_app = serializers.BooleanField()

    def get_company(self, hit) -> dict:
        return {"id": hit.company_id, "name": hit.company_name, "slug": hit.company_slug}


class PageSerializer(serializers.Serializer):
    page = serializers.IntegerField()
    has_next = serializers.BooleanField()
    results = HitSerializer(many=True)


@extend_schema(
    parameters=[
        OpenApiParameter("q", str, description="At least 2 letters of a name, or one email."),
        OpenApiParameter("page", int),
    ],
    responses=PageSerializer,
    summary="Search the directory (SPEC §4.3)",
)
@api_view(["GET"])
def directory(request):
    try:
        page = search.directory_search(
            viewer=request.user,
            query=request.query_params.get("q", ""),
            page=request.query_params.get("page", 1),
        )
    except search.QueryError as exc:
        return Response(error_body("invalid_query", str(exc), {"q": [str(exc)]}), status=400)
    return Response(
        {
            "page": page.number,
            "has_next": page.has_next,
            "results": HitSerializer(page.hits, many=True).data,
        }
    )


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    title = serializers.CharField()
    company = serializers.SerializerMethodField()
    invite_in_app = serializers.SerializerMethodField()
    presence = serializers.SerializerMethodField()

    def get_company(self, user) -> dict:
        return {"id": user.company_id, "name": user.company.name, "slug": user.company.slug}

    def get_invite_in_app(self, user) -> bool:
        viewer = self.context["viewer"]
        return rules.can_invite_in_app(rules.person(viewer), rules.person(user), rules.DbWorld())

    def get_presence(self, user) -> str | None:
        from accounts.network.selectors import presence_for

        return presence_for(viewer=self.context["viewer"], target=user)


@extend_schema(responses=PersonSerializer, summary="A profile the viewer may see, else 404")
@api_view(["GET"])
def person(request, pk):
    try:
        target = selectors.person_get_for_viewer(viewer=request.user, pk=pk)
    except Http404:
        return Response(error_body("not_found", "No such person."), status=404)
    return Response(PersonSerializer(target, context={"viewer": request.user}).data)


urlpatterns = [
    path("directory/", directory, name="directory"),
    path("directory/people/<int:pk>/", person, name="directory-person"),
]
