"""The conversation: messages (keyset pages), deleting one's last message, emailing it to
oneself, files up and down."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import parser_classes
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from companies.scoping import viewer_endpoint
from rainbow_portal.exceptions import ApplicationError
from vault import DecryptionError

from .. import selectors, services
from ..views import file_response
from .common import BUBBLE, _member, _valid
from .serializers import (
    FileSerializer,
    MessagePageSerializer,
    MessageSerializer,
    UploadSerializer,
    errors,
)


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
        message.author_name = member.display_name
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
    responses={202: None, **errors(401, 403, 404, 429)},
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
