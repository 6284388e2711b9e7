"""The conversation: post and delete messages, email it to oneself, upload and download
files (SPEC §6.6, §9.2, §9.4)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.template.defaultfilters import linebreaksbr
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from rainbow_portal.exceptions import ApplicationError
from vault import DecryptionError
from vault.files import safe_filename

from .. import forms, selectors, services
from .common import _actor, _attempt, _done, participant_view, scoped


def message_items(page, *, member, can_post: bool) -> list[dict]:
    """What the page shows of each message, as plain values: the page's longest loop then
    does no attribute lookups and no filters in the template (a quarter of the time)."""
    return [
        {
            "pk": message.pk,
            "author": message.author.display_name,
            "created": timezone.localtime(message.created_at).strftime("%Y-%m-%d %H:%M"),
            "body": linebreaksbr(message.body, autoescape=True) if message.body else "",
            "files": message.live_files,
            "deletable": can_post and message.is_last and message.author_id == member.pk,
        }
        for message in page
    ]


@scoped("POST")
@participant_view
def message_post(request, bubble, member):
    form = forms.MessageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a message of at most 10,000 characters."))
        return _done(request, bubble, anchor="#messages")
    return _attempt(
        request,
        bubble,
        lambda: services.message_post(
            member=member, body=form.cleaned_data["body"], actor=_actor(request)
        ),
        "",
        "#messages",
    )


@scoped("POST")
@participant_view
def message_delete(request, bubble, member, message_id):
    message = selectors.message_get(bubble=bubble, pk=message_id)
    return _attempt(
        request,
        bubble,
        lambda: services.message_delete_last(member=member, message=message, actor=_actor(request)),
        "Message deleted.",
        "#messages",
    )


@scoped("POST")
@login_required
@participant_view
def conversation_email(request, bubble, member):
    return _attempt(
        request,
        bubble,
        lambda: services.conversation_email_request(member=member, actor=request.user),
        f"The conversation is on its way to {request.user.email}.",
    )


@scoped("POST")
@participant_view
def file_upload(request, bubble, member):
    form = forms.FileForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to upload (an empty file is refused)."))
        return _done(request, bubble, anchor="#messages")
    return _attempt(
        request,
        bubble,
        lambda: services.bubble_file_upload(
            member=member,
            upload=form.cleaned_data["file"],
            body=request.POST.get("body", ""),
            actor=_actor(request),
        ),
        "File uploaded: it was scanned and is stored encrypted.",
        "#messages",
    )


def file_response(bubble_file, chunks) -> StreamingHttpResponse:
    response = StreamingHttpResponse(chunks, content_type=bubble_file.content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=safe_filename(bubble_file.display_name)
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Length"] = str(bubble_file.size)
    response["Cache-Control"] = "private, no-store"
    return response


@scoped("GET")
@participant_view
def file_download(request, bubble, member, file_id):
    bubble_file = selectors.bubble_file_get(bubble=bubble, pk=file_id)
    try:
        services.require_can_download(member=member, actor=_actor(request))
        chunks = selectors.bubble_file_chunks(bubble_file=bubble_file)
    except (ApplicationError, PermissionDenied) as exc:
        messages.error(request, getattr(exc, "message", None) or str(exc))
        return _done(request, bubble, anchor="#messages")
    except (DecryptionError, OSError):  # damaged, shredded, or the blob is missing
        messages.error(request, _("This file cannot be read: it was damaged or its key is gone."))
        return _done(request, bubble, anchor="#messages")
    return file_response(bubble_file, chunks)
