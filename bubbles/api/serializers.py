"""The request and response shapes of the bubble API: strict fields (rainbow_portal.fields), and
the one error format for the OpenAPI schema."""

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from rainbow_portal import fields as strict


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
    author = strict.CharField(source="author_name", read_only=True)
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
