"""What posting in a bubble needs, shared by messages and files."""

import uuid

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from rainbow_portal.exceptions import ApplicationError

from .. import policies
from ..models import ConferenceEntry, Message
from ..sealing import seal_body
from .common import refuse_unless_writable
from .conference import running_conference

BODY_MAX = 10_000


def guest_entry(member):
    """The guest's entry in the running conference (SPEC §6.2: guests act only then)."""
    conference = running_conference(member.bubble)
    if conference is None:
        return None, None
    entry = ConferenceEntry.objects.filter(conference=conference, member=member).first()
    return conference, entry


def require_can_post(member) -> None:
    conference = entry = None
    if member.is_guest:
        conference, entry = guest_entry(member)
    if not policies.can_post(member=member, conference=conference, entry=entry):
        if not policies.is_writable(member.bubble):
            refuse_unless_writable(member.bubble)
        if member.is_guest:
            raise PermissionDenied("Guests take part only while the conference runs.")
        raise PermissionDenied("Accept the invitation to take part in this bubble.")


def clean_body(body: str, *, allow_empty: bool = False) -> str:
    body = (body or "").replace("\x00", "").strip()
    if not body and not allow_empty:
        raise ApplicationError(_("Write a message first."), fields={"body": ["Required."]})
    if len(body) > BODY_MAX:
        raise ApplicationError(
            _("A message has at most %(BODY_MAX)s characters.") % {"BODY_MAX": BODY_MAX},
            fields={"body": ["Too long."]},
        )
    return body


def message_create_sealed(*, member, body: str) -> Message:
    message = Message(id=uuid.uuid4(), bubble=member.bubble, author=member)
    message.body_sealed = seal_body(message=message, body=body)
    message.save(force_insert=True)
    return message
