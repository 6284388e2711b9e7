"""Directory API (issue 4): the same selectors, rules and services as the pages."""

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from companies.visibility.network_selectors import presence_for
from core.validation import validate_name
from rainbow_portal import fields as strict
from rainbow_portal.exceptions import error_body

from .. import policies
from ..scoping import company_endpoint, viewer_endpoint
from . import rules, search, selectors
from .services import (
    NO_SUCH_COMPANY,
    standalone_visibility_set,
    user_visibility_override_set,
    visibility_request_accept,
    visibility_request_decline,
)
from .services import visibility_request_create as create


class HitSerializer(serializers.Serializer):
    id = strict.IntegerField()
    first_name = strict.CharField()
    last_name = strict.CharField()
    title = strict.CharField()
    company = serializers.SerializerMethodField()
    invite_in_app = strict.BooleanField()

    def get_company(self, hit) -> dict:
        return _hit_company(hit)


def _hit_company(hit) -> dict:
    return {"id": hit.company_id, "name": hit.company_name, "slug": hit.company_slug}


def hit_representation(hit) -> dict:
    """What HitSerializer(hit).data gives, without building the serializer: a search page
    paid more for DRF's per-call copy of the fields than for its rows (issue 15);
    tests/companies/test_directory.py holds the two equal."""
    return {
        "id": hit.id,
        "first_name": hit.first_name,
        "last_name": hit.last_name,
        "title": hit.title,
        "company": _hit_company(hit),
        "invite_in_app": hit.invite_in_app,
    }


class PageSerializer(serializers.Serializer):
    page = strict.IntegerField()
    has_next = strict.BooleanField()
    results = HitSerializer(many=True)


# The rules of search.parse_query, stated in the schema (issue 10): no control characters,
# at most 100, and either one email address or a name of at least 2 characters.
_PLAIN = r"[^\x00-\x1f\x7f-\x9f@]"
_SOLID = r"[^\s\x00-\x1f\x7f-\x9f@]"
QUERY_SCHEMA = {
    "type": "string",
    "maxLength": 100,
    "anyOf": [
        {"pattern": rf"^{_PLAIN}*{_SOLID}{_PLAIN}*{_SOLID}{_PLAIN}*$"},
        {"pattern": r"^ *[^\s@\x00-\x1f\x7f-\x9f]+@[^\s@\x00-\x1f\x7f-\x9f]+ *$"},
    ],
}
PAGE_SCHEMA = {"type": "integer", "minimum": 1, "maximum": 50}


@extend_schema(
    parameters=[
        OpenApiParameter(
            "q",
            QUERY_SCHEMA,
            required=True,
            description="At least 2 letters of a name, or one email.",
        ),
        OpenApiParameter("page", PAGE_SCHEMA),
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
            "results": [hit_representation(hit) for hit in page.hits],
        }
    )


class PersonSerializer(serializers.Serializer):
    id = strict.IntegerField()
    first_name = strict.CharField()
    last_name = strict.CharField()
    title = strict.CharField()
    company = serializers.SerializerMethodField()
    invite_in_app = serializers.SerializerMethodField()
    presence = serializers.SerializerMethodField()

    def get_company(self, user) -> dict:
        return {"id": user.company_id, "name": user.company.name, "slug": user.company.slug}

    def get_invite_in_app(self, user) -> bool:
        viewer = self.context["viewer"]
        return rules.can_invite_in_app(rules.person(viewer), rules.person(user), rules.DbWorld())

    def get_presence(self, user) -> str | None:
        return presence_for(viewer=self.context["viewer"], target=user)


@extend_schema(responses=PersonSerializer, summary="A profile the viewer may see, else 404")
@viewer_endpoint(["GET"], objects={"target": ("pk", selectors.person_get_for_viewer)})
def person(request, target):
    return Response(PersonSerializer(target, context={"viewer": request.user}).data)


class OwnVisibilitySerializer(serializers.Serializer):
    visibility = serializers.ChoiceField(choices=["public", "private"])


@extend_schema(
    methods=["GET"], responses=OwnVisibilitySerializer, summary="The signed-in user's mode"
)
@extend_schema(
    methods=["PATCH"],
    request=OwnVisibilitySerializer,
    responses=OwnVisibilitySerializer,
    summary="A standalone user chooses public or private",
)
@api_view(["GET", "PATCH"])
def own_visibility(request):
    """SPEC §2.2: a standalone user's own mode; a company member's is set by their admins."""
    user = request.user
    if request.method == "PATCH":
        serializer = OwnVisibilitySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = standalone_visibility_set(
            user=user, visibility=serializer.validated_data["visibility"], actor=user
        )
    return Response({"visibility": user.visibility_mode})


urlpatterns = [
    path("me/visibility/", own_visibility, name="own-visibility"),
    path("directory/", directory, name="directory"),
    path("directory/people/<int:pk>/", person, name="directory-person"),
]


# -- Company admins: a member's override, the simulator, mutual-visibility requests --------


class OverrideSerializer(serializers.Serializer):
    visibility_override = serializers.ChoiceField(
        choices=["", "public", "private"], allow_blank=True
    )


def _verdict(v) -> dict:
    return {"allowed": v.allowed, "reason": v.reason, "section": v.section}


@extend_schema(
    methods=["GET"],
    parameters=[OpenApiParameter("other", str, description="Simulate against this email")],
    responses=OverrideSerializer,
    summary="A member's visibility, and the simulator",
)
@extend_schema(methods=["PATCH"], request=OverrideSerializer, responses=OverrideSerializer)
@company_endpoint(
    ["GET", "PATCH"],
    right=policies.can_manage_company,
    objects={"member": ("pk", selectors.member_get)},
)
def member_visibility(request, company, member):
    if request.method == "PATCH":
        serializer = OverrideSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        member = user_visibility_override_set(
            user=member,
            override=serializer.validated_data["visibility_override"],
            actor=request.user,
        )
    body = {
        "visibility_override": member.visibility_override,
        "effective_mode": rules.person(member).mode,
        "statements": [
            {"section": section, "text": text}
            for section, text in selectors.who_statements(member=member)
        ],
    }
    email = request.query_params.get("other")
    if email:
        other = selectors.simulation_counterpart_get(viewer=request.user, email=email)
        if other is None or other.pk == member.pk:
            return Response(error_body("not_found", "No such person that you can see."), 404)
        body["simulation"] = {
            key: _verdict(v) for key, v in selectors.simulate(member=member, other=other).items()
        }
    return Response(body)


class VisibilityRequestSerializer(serializers.Serializer):
    company_name = strict.CharField(max_length=200, validators=[validate_name])


class VisibilityRequestCreatedSerializer(serializers.Serializer):
    id = strict.IntegerField()
    status = strict.CharField()
    to_company = strict.CharField()


@extend_schema(
    request=VisibilityRequestSerializer,
    responses={201: VisibilityRequestCreatedSerializer},
    summary="Ask for mutual visibility",
)
@company_endpoint(["POST"], right=policies.can_manage_security)  # SPEC §3.3
def visibility_request_create(request, company):
    serializer = VisibilityRequestSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    other = selectors.request_counterpart_get(
        company=company, name=serializer.validated_data["company_name"]
    )
    if other is None:
        return Response(error_body("not_found", NO_SUCH_COMPANY), 404)
    vr = create(from_company=company, to_company=other, actor=request.user)
    return Response({"id": vr.pk, "status": vr.status, "to_company": other.name}, status=201)


@extend_schema(
    request=None,
    responses=None,
    summary="Accept or decline a request",
    operation_id="companies_visibility_requests_answer",
)
@company_endpoint(
    ["POST"],
    right=policies.can_manage_security,  # SPEC §3.3
    objects={"vr": ("pk", selectors.visibility_request_get)},
)
def visibility_request_answer(request, company, vr, action):
    service = {"accept": visibility_request_accept, "decline": visibility_request_decline}.get(
        action
    )
    if service is None:
        return Response(error_body("not_found", "No such request."), 404)
    vr = service(request=vr, actor=request.user)
    return Response({"id": vr.pk, "status": vr.status})


urlpatterns += [
    path(
        "companies/<slug:slug>/members/<int:pk>/visibility/",
        member_visibility,
        name="member-visibility",
    ),
    path(
        "companies/<slug:slug>/visibility-requests/",
        visibility_request_create,
        name="visibility-request-create",
    ),
    path(
        "companies/<slug:slug>/visibility-requests/<int:pk>/<str:action>/",
        visibility_request_answer,
        name="visibility-request-answer",
    ),
]
