"""The conversation: post and delete messages, email it to oneself, upload and download
files (SPEC §6.6, §9.2, §9.4)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.template.defaultfilters import filesizeformat, linebreaksbr
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from rainbow_portal.exceptions import ApplicationError
from vault import DecryptionError
from vault.files import safe_filename

from .. import forms, selectors, services
from .common import _actor, _attempt, _done, participant_view, scoped


# One message of the conversation list, built in Python: the page's longest loop, and in the
# template language it cost more than the rest of the page (issue 11). The markup is the
# template's (templates/bubbles/detail.html keeps the <li> and the delete form). Every value
# a person wrote or named is escaped here (escape; the body by linebreaksbr), tested with
# markup in a name, a body and a file name (tests/bubbles/test_message_page.py).
def _message_html(message, *, bubble_pk, file_links: bool) -> str:
    created = timezone.localtime(message.created_at).strftime("%Y-%m-%d %H:%M")
    html = f"<strong>{escape(message.author_name)}</strong> <small>{created}</small>\n"
    if message.body:
        html += f"<p>{linebreaksbr(message.body, autoescape=True)}</p>\n"
    for bubble_file in message.live_files:
        name, size = escape(bubble_file.display_name), filesizeformat(bubble_file.size)
        if file_links:
            url = escape(reverse("bubbles:file-download", args=[bubble_pk, bubble_file.pk]))
            name = f'<a href="{url}" data-testid="file-link">{name}</a>'
        html += f"<p>📎 {name} <small>({size})</small></p>\n"
    return mark_safe(html)  # noqa: S308  # nosec B308 B703 - every value escaped above


def message_items(page, *, member, can_post: bool, file_links: bool) -> list[dict]:
    """What the page shows of each message: its markup, and whether it offers deletion."""
    bubble_pk = member.bubble_id
    return [
        {
            "pk": message.pk,
            "html": _message_html(message, bubble_pk=bubble_pk, file_links=file_links),
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
