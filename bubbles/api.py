"""The bubble operations under /api/v1/bubbles/, on the same selectors, policies and services
as the pages. Errors use the shared format; a bubble the caller is not in is a 404."""

from django.http import Http404
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view, parser_classes
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from companies.scoping import company_endpoint, viewer_endpoint
from rainbow_portal import fields as strict
from rainbow_portal.exceptions import ApplicationError, error_body
from vault import DecryptionError

from . import policies, selectors, services
from .models import LobbyState
from .views import file_response


class ErrorDetailSerializer(serializers.Serializer):
    code = strict.CharField()
    message = strict.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=strict.CharField()))


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


def errors(*codes: int) -> dict:
    meaning = {
        400: "A business rule refused the request (the message says why).",
        401: "Not signed in.",
        403: "The caller's role in the bubble does not allow this.",
        404: "No such bubble (or the caller is not one of its participants).",
        429: "Too many requests: retry after the Retry-After header's seconds.",
    }
    return {c: OpenApiResponse(ErrorSerializer, description=meaning[c]) for c in codes}


class BubbleSerializer(serializers.Serializer):
    id = strict.IntegerField(read_only=True)
    name = strict.CharField(max_length=100)
    topic = strict.CharField(max_length=500, required=False, allow_blank=True, default="")
    status = strict.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class MembershipSerializer(serializers.Serializer):
    bubble = BubbleSerializer(read_only=True)
    role = strict.CharField()
    status = strict.CharField()


class BubbleChangeSerializer(serializers.Serializer):
    name = strict.CharField(max_length=100)
    topic = strict.CharField(max_length=500, required=False, allow_blank=True)


class ParticipantSerializer(serializers.Serializer):
    id = strict.IntegerField()
    name = strict.CharField(source="display_name")
    role = strict.CharField()
    status = strict.CharField()
    is_guest = strict.BooleanField()


class EmailSerializer(serializers.Serializer):
    email = strict.EmailField(max_length=254)


class GuestInvitationSerializer(serializers.Serializer):
    id = strict.IntegerField()
    email = strict.EmailField()
    expires_at = serializers.DateTimeField()


class FileSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = strict.CharField(source="display_name")
    size = strict.IntegerField()
    content_type = strict.CharField()


class MessageSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    author = strict.CharField(source="author.display_name", read_only=True)
    body = strict.CharField(max_length=10_000)
    created_at = serializers.DateTimeField(read_only=True)
    files = FileSerializer(many=True, read_only=True, source="live_files")


class MessagePageSerializer(serializers.Serializer):
    results = MessageSerializer(many=True)
    next = strict.CharField(
        allow_blank=True, help_text=gettext_lazy("Cursor of the older page, or empty.")
    )


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    body = strict.CharField(max_length=10_000, required=False, allow_blank=True)


class EntrySerializer(serializers.Serializer):
    id = strict.IntegerField()
    participant = strict.CharField(source="member.display_name")
    state = strict.CharField()
    present = strict.BooleanField()


class ConferenceSerializer(serializers.Serializer):
    running = strict.BooleanField()
    my_state = strict.CharField(allow_null=True)
    lobby = EntrySerializer(many=True)
    present = EntrySerializer(many=True)


class CompanyBubbleSerializer(serializers.Serializer):
    id = strict.IntegerField()
    name = strict.CharField()
    status = strict.CharField()
    owner = strict.EmailField(source="owner_email", allow_null=True)
    orphaned = serializers.SerializerMethodField()
    participants = strict.IntegerField(source="participant_count", allow_null=True)
    messages = strict.IntegerField(source="message_count", allow_null=True)
    file_bytes = strict.IntegerField(allow_null=True)

    def get_orphaned(self, bubble) -> bool:
        return not (bubble.owner_email and bubble.owner_active)


class ReassignSerializer(serializers.Serializer):
    member = strict.IntegerField(min_value=1)


def _valid(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# The bubble is reached by who the caller is (companies.scoping, VIEWER): 404 for anyone else.
BUBBLE = {"bubble": ("pk", selectors.bubble_get_for_viewer)}


def _member(request, bubble):
    return selectors.bubble_get_for_user(user=request.user, pk=bubble.pk)[1]


def _rate_limited(exc: ApplicationError):
    response = Response(error_body(exc.code, exc.message), status=status.HTTP_429_TOO_MANY_REQUESTS)
    response["Retry-After"] = str(getattr(exc, "retry_after", 3600))
    return response


@extend_schema(
    methods=["GET"],
    responses={200: MembershipSerializer(many=True), **errors(401)},
    summary="My bubbles",
)
@extend_schema(
    methods=["POST"],
    request=BubbleSerializer,
    responses={201: BubbleSerializer, **errors(400, 401)},
    summary="Create a bubble",
)
@api_view(["GET", "POST"])
def bubble_list(request):
    if request.method == "POST":
        data = _valid(BubbleSerializer, request)
        bubble = services.bubble_create(name=data["name"], topic=data["topic"], actor=request.user)
        return Response(BubbleSerializer(bubble).data, status=status.HTTP_201_CREATED)
    memberships = selectors.bubble_list_for_user(user=request.user)
    return Response(MembershipSerializer(memberships, many=True).data)


@extend_schema(methods=["GET"], responses={200: BubbleSerializer, **errors(401, 404)})
@extend_schema(
    methods=["PATCH"],
    request=BubbleChangeSerializer,
    responses={200: BubbleSerializer, **errors(400, 401, 403, 404)},
)
@extend_schema(
    methods=["DELETE"],
    responses={204: None, **errors(400, 401, 403, 404)},
    summary="Delete (organizer only; access ends for everyone)",
)
@viewer_endpoint(["GET", "PATCH", "DELETE"], objects=BUBBLE)
def bubble_detail(request, bubble):
    if request.method == "PATCH":
        data = _valid(BubbleChangeSerializer, request)
        bubble = services.bubble_rename(
            bubble=bubble, name=data["name"], topic=data.get("topic"), actor=request.user
        )
    elif request.method == "DELETE":
        services.bubble_delete(bubble=bubble, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
    return Response(BubbleSerializer(bubble).data)


def _simple(service_name: str, summary: str, done: int = status.HTTP_200_OK):
    @extend_schema(
        request=None,
        responses={done: BubbleSerializer, **errors(400, 401, 403, 404)},
        summary=summary,
        operation_id=f"bubbles_{service_name}",
    )
    @viewer_endpoint(["POST"], objects=BUBBLE)
    def view(request, bubble):
        getattr(services, service_name)(bubble=bubble, actor=request.user)
        bubble.refresh_from_db()
        return Response(BubbleSerializer(bubble).data, status=done)

    view.cls.__name__ = f"{service_name}_view"
    return view


bubble_archive = _simple("bubble_archive", "Archive (organizer only; read-only forever)")
bubble_accept = _simple("bubble_invitation_accept", "Accept my invitation")
bubble_leave = _simple("bubble_leave", "Leave the bubble")


@extend_schema(
    methods=["GET"], responses={200: ParticipantSerializer(many=True), **errors(401, 404)}
)
@extend_schema(
    methods=["POST"],
    request=EmailSerializer,
    responses={201: ParticipantSerializer, **errors(400, 401, 403, 404)},
    summary="Add a participant by their email address",
)
@viewer_endpoint(["GET", "POST"], objects=BUBBLE)
def member_list(request, bubble):
    if request.method == "POST":
        data = _valid(EmailSerializer, request)
        added = services.bubble_member_add_by_email(
            bubble=bubble, email=data["email"], actor=request.user
        )
        return Response(ParticipantSerializer(added).data, status=status.HTTP_201_CREATED)
    return Response(
        ParticipantSerializer(selectors.participant_list(bubble=bubble), many=True).data
    )


@extend_schema(request=None, responses={204: None, **errors(400, 401, 403, 404)}, summary="Remove")
@viewer_endpoint(["DELETE"], objects=BUBBLE)
def member_detail(request, bubble, member_id):
    target = selectors.bubble_member_get(bubble=bubble, pk=member_id)
    services.bubble_member_remove(member=target, actor=request.user)
    return Response(status=status.HTTP_204_NO_CONTENT)


MEMBER_ACTIONS = {"promote", "demote", "transfer"}


@extend_schema(
    request=None,
    responses={200: ParticipantSerializer, **errors(400, 401, 403, 404)},
    summary="Promote to co-organizer, demote, or transfer ownership to this co-organizer",
    operation_id="bubbles_member_action",
)
@viewer_endpoint(["POST"], objects=BUBBLE)
def member_action(request, bubble, member_id, action):
    if action not in MEMBER_ACTIONS:
        raise Http404("No such action.")
    target = selectors.bubble_member_get(bubble=bubble, pk=member_id)
    if action == "promote":
        result = services.bubble_co_organizer_promote(member=target, actor=request.user)
    elif action == "demote":
        result = services.bubble_co_organizer_demote(member=target, actor=request.user)
    else:
        result = services.bubble_ownership_transfer(bubble=bubble, to=target, actor=request.user)
    return Response(ParticipantSerializer(result).data)


@extend_schema(
    request=EmailSerializer,
    responses={201: GuestInvitationSerializer, **errors(400, 401, 403, 404, 429)},
    summary="Invite a guest by email (single-use link, bound to the address)",
)
@viewer_endpoint(["POST"], objects=BUBBLE)
def guest_invite(request, bubble):
    data = _valid(EmailSerializer, request)
    try:
        invitation = services.bubble_guest_invite(
            bubble=bubble, email=data["email"], actor=request.user
        )
    except ApplicationError as exc:
        if exc.code == "rate_limited":
            return _rate_limited(exc)
        raise
    return Response(GuestInvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)


@extend_schema(
    methods=["GET"],
    parameters=[OpenApiParameter("before", str, description="Cursor from `next`.")],
    responses={200: MessagePageSerializer, **errors(400, 401, 403, 404)},
    summary="Messages, newest first (keyset pages of 50)",
)
@extend_schema(
    methods=["POST"],
    request=MessageSerializer,
    responses={201: MessageSerializer, **errors(400, 401, 403, 404)},
)
@viewer_endpoint(["GET", "POST"], objects=BUBBLE)
def message_list(request, bubble):
    member = _member(request, bubble)
    if request.method == "POST":
        data = _valid(MessageSerializer, request)
        message = services.message_post(member=member, body=data["body"], actor=request.user)
        message.body = data["body"].strip()
        message.live_files = []
        return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)
    page, cursor = selectors.message_page(
        bubble=bubble, before=request.query_params.get("before", "")[:200]
    )
    return Response({"results": MessageSerializer(page, many=True).data, "next": cursor})


@extend_schema(
    request=None,
    responses={204: None, **errors(400, 401, 403, 404)},
    summary="Delete my last message (and its files)",
)
@viewer_endpoint(["DELETE"], objects=BUBBLE)
def message_detail(request, bubble, message_id):
    member = _member(request, bubble)
    message = selectors.message_get(bubble=bubble, pk=message_id)
    services.message_delete_last(member=member, message=message, actor=request.user)
    return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(
    request=None,
    responses={202: None, **errors(401, 403, 404)},
    summary="Email me this conversation (to my own address)",
)
@viewer_endpoint(["POST"], objects=BUBBLE)
def conversation_email(request, bubble):
    member = _member(request, bubble)
    services.conversation_email_request(member=member, actor=request.user)
    return Response(status=status.HTTP_202_ACCEPTED)


@extend_schema(
    request={"multipart/form-data": UploadSerializer},
    responses={201: FileSerializer, **errors(400, 401, 403, 404)},
    summary="Upload a file (size cap, virus scan, encryption; refused when sharing is off)",
)
@viewer_endpoint(["POST"], objects=BUBBLE)
@parser_classes([MultiPartParser, FormParser])
def file_upload(request, bubble):
    member = _member(request, bubble)
    data = _valid(UploadSerializer, request)
    row = services.bubble_file_upload(
        member=member, upload=data["file"], body=data.get("body", ""), actor=request.user
    )
    return Response(FileSerializer(row).data, status=status.HTTP_201_CREATED)


@extend_schema(
    responses={
        (200, "application/octet-stream"): OpenApiResponse(description="The file's bytes."),
        **errors(400, 401, 403, 404),
    },
    summary="Download a file (decrypted, streamed)",
)
@viewer_endpoint(["GET"], objects=BUBBLE)
def file_download(request, bubble, file_id):
    member = _member(request, bubble)
    bubble_file = selectors.bubble_file_get(bubble=bubble, pk=file_id)
    services.require_can_download(member=member, actor=request.user)
    try:
        chunks = selectors.bubble_file_chunks(bubble_file=bubble_file)
    except (DecryptionError, OSError):  # damaged, shredded, or the blob is missing
        raise ApplicationError(
            _("This file cannot be read: it was damaged or its key is gone."), code="unreadable"
        ) from None
    return file_response(bubble_file, chunks)


def _conference_data(bubble, member):
    conference = selectors.running_conference_get(bubble=bubble)
    entry = selectors.conference_entry_for(conference=conference, member=member)
    entries = list(selectors.conference_entries(conference=conference)) if conference else []
    organizing = policies.is_organizing(member)
    return {
        "running": conference is not None,
        "my_state": entry.state if entry else None,
        "lobby": [e for e in entries if e.state == LobbyState.WAITING] if organizing else [],
        "present": [e for e in entries if e.state == LobbyState.ADMITTED and e.present],
    }


@extend_schema(responses={200: ConferenceSerializer, **errors(401, 404)}, summary="Conference")
@viewer_endpoint(["GET"], objects=BUBBLE)
def conference(request, bubble):
    member = _member(request, bubble)
    return Response(ConferenceSerializer(_conference_data(bubble, member)).data)


CONFERENCE_ACTIONS = {
    "start": services.conference_start,
    "join": services.conference_join,
    "end": services.conference_end,
}


@extend_schema(
    request=None,
    responses={200: ConferenceSerializer, **errors(400, 401, 403, 404)},
    summary="Start, join or end the conference",
)
@viewer_endpoint(["POST"], objects=BUBBLE)
def conference_action(request, bubble, action):
    member = _member(request, bubble)
    if action not in CONFERENCE_ACTIONS:
        raise Http404("No such action.")
    CONFERENCE_ACTIONS[action](member=member, actor=request.user)
    return Response(ConferenceSerializer(_conference_data(bubble, member)).data)


@extend_schema(
    request=None,
    responses={200: ConferenceSerializer, **errors(400, 401, 403, 404)},
    summary="Admit someone from the lobby (organizers who are present)",
)
@viewer_endpoint(["POST"], objects=BUBBLE)
def conference_admit(request, bubble, entry_id):
    member = _member(request, bubble)
    running = selectors.running_conference_get(bubble=bubble)
    if running is None:
        raise ApplicationError(_("No conference is running."))
    entry = selectors.conference_entry_get(conference=running, pk=entry_id)
    services.conference_admit(entry=entry, member=member, actor=request.user)
    return Response(ConferenceSerializer(_conference_data(bubble, member)).data)


@extend_schema(
    responses={200: CompanyBubbleSerializer(many=True), **errors(401, 403, 404)},
    summary="A company's bubbles: names, owners, sizes (never content)",
)
@company_endpoint(["GET"], right=policies.can_manage_company_bubbles)
def company_bubbles(request, company):
    rows = selectors.company_bubble_list(company=company)
    return Response(CompanyBubbleSerializer(rows, many=True).data)


@extend_schema(
    request=ReassignSerializer,
    responses={200: CompanyBubbleSerializer, **errors(400, 401, 403, 404)},
    summary="Hand an orphaned bubble to one of its participants from the company",
)
@company_endpoint(
    ["POST"],
    right=policies.can_manage_company_bubbles,
    objects={"bubble": ("pk", selectors.company_bubble_get)},
)
def company_bubble_owner(request, company, bubble):
    data = _valid(ReassignSerializer, request)
    target = selectors.bubble_member_get(bubble=bubble, pk=data["member"])
    services.bubble_owner_reassign(bubble=bubble, to=target, actor=request.user)
    return Response(
        CompanyBubbleSerializer(selectors.company_bubble_get(company=company, pk=bubble.pk)).data
    )


b = "bubbles/<int:pk>/"
urlpatterns = [
    path("bubbles/", bubble_list, name="bubbles"),
    path("bubbles/company/<slug:slug>/", company_bubbles, name="company-bubbles"),
    path(
        "bubbles/company/<slug:slug>/<int:pk>/owner/",
        company_bubble_owner,
        name="company-bubble-owner",
    ),
    path(b, bubble_detail, name="bubble"),
    path(b + "archive/", bubble_archive, name="bubble-archive"),
    path(b + "accept/", bubble_accept, name="bubble-accept"),
    path(b + "leave/", bubble_leave, name="bubble-leave"),
    path(b + "members/", member_list, name="bubble-members"),
    path(b + "members/<int:member_id>/", member_detail, name="bubble-member"),
    path(b + "members/<int:member_id>/<str:action>/", member_action, name="bubble-member-action"),
    path(b + "guests/", guest_invite, name="bubble-guests"),
    path(b + "messages/", message_list, name="bubble-messages"),
    path(b + "messages/<uuid:message_id>/", message_detail, name="bubble-message"),
    path(b + "conversation-email/", conversation_email, name="bubble-conversation-email"),
    path(b + "files/", file_upload, name="bubble-files"),
    path(b + "files/<uuid:file_id>/", file_download, name="bubble-file"),
    path(b + "conference/", conference, name="bubble-conference"),
    path(b + "conference/admit/<int:entry_id>/", conference_admit, name="bubble-conference-admit"),
    path(b + "conference/<str:action>/", conference_action, name="bubble-conference-action"),
]
