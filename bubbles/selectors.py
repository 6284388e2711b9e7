"""Reads (SPEC §6). A bubble the viewer does not take part in is the same 404 as a missing one."""

import base64
import binascii
import uuid
from datetime import datetime

from django.db.models import Count, F, FilteredRelation, OuterRef, Q, Subquery, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import User
from rainbow_portal.exceptions import ApplicationError
from vault import DecryptionError
from vault import selectors as vault_selectors

from .models import (
    CURRENT_STATUSES,
    Bubble,
    BubbleFile,
    BubbleMember,
    BubbleStatus,
    Conference,
    ConferenceEntry,
    ConferenceState,
    MemberRole,
    MemberStatus,
    Message,
)
from .sealing import open_bodies, open_body

PAGE_SIZE = 50


def _pk(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404("No such bubble.") from None


def bubble_list_for_user(*, user):
    """The viewer's current memberships, with their bubbles (not the deleted ones)."""
    return (
        BubbleMember.objects.select_related("bubble")
        .filter(user=user, status__in=CURRENT_STATUSES)
        .exclude(bubble__status=BubbleStatus.DELETED)
        .order_by("-bubble__created_at", "-bubble_id")
    )


# What a bubble page asks besides the membership row, read by the same query: the running
# conference (at most one per bubble, a unique constraint) and the file sharing settings of the
# user, their company and the bubble's company (SPEC §9.4; None: no row), for the policies.
RUNNING_CONFERENCE = "running_conference"
SHARING = {
    "sharing_user_mode": "user__file_sharing__mode",
    "sharing_user_company": "user__company__file_sharing__enabled",
    "sharing_bubble_company": "bubble__company__file_sharing__enabled",
}


def _with_page_state(members):
    return (
        members.annotate(
            **{
                RUNNING_CONFERENCE: FilteredRelation(
                    "bubble__conferences",
                    condition=Q(bubble__conferences__state=ConferenceState.STARTED),
                )
            },
            **{name: F(path) for name, path in SHARING.items()},
        )
        .select_related("bubble", "bubble__company", "user", "user__company")
        .select_related(RUNNING_CONFERENCE)
    )


def bubble_get_for_user(*, user, pk) -> tuple[Bubble, BubbleMember]:
    """The bubble and the viewer's membership, in one query with what the page needs to know
    about them (the running conference, the file sharing settings)."""
    member = (
        _with_page_state(BubbleMember.objects)
        .filter(bubble_id=_pk(pk), user=user, status__in=CURRENT_STATUSES)
        .exclude(bubble__status=BubbleStatus.DELETED)
        .first()
    )
    if member is None or not getattr(user, "is_active", False):
        raise Http404("No such bubble.")
    # The join leaves the attribute unset when no conference runs: None says "read, none".
    setattr(member, RUNNING_CONFERENCE, getattr(member, RUNNING_CONFERENCE, None))
    return member.bubble, member


def bubble_get_for_viewer(*, viewer, pk) -> Bubble:
    """The bubble of a `/bubbles/<pk>/` route for a signed-in participant (404 otherwise):
    the object the routes' tenant scope names (companies.scoping, VIEWER)."""
    bubble, member = bubble_get_for_user(user=viewer, pk=pk)
    bubble.viewer_membership = member  # read by the same query: the API asks for it next
    return bubble


def bubble_is_current_participant(*, bubble: Bubble, user) -> bool:
    return BubbleMember.objects.filter(
        bubble=bubble, user=user, status__in=CURRENT_STATUSES
    ).exists()


def user_by_email(*, email: str) -> User | None:
    """The account with this address (case-insensitive), or None."""
    return User.objects.select_related("company").filter(email__iexact=email).first()


def bubble_member_get(*, bubble: Bubble, pk) -> BubbleMember:
    member = (
        BubbleMember.objects.select_related("user", "bubble", "bubble__company")
        .filter(bubble=bubble, pk=_pk(pk))
        .first()
    )
    if member is None:
        raise Http404("No such participant.")
    return member


def participant_list(*, bubble: Bubble):
    return (
        BubbleMember.objects.select_related("user")
        .filter(bubble=bubble, status__in=CURRENT_STATUSES)
        .order_by("created_at", "id")
    )


def running_conference_get(*, bubble: Bubble) -> Conference | None:
    return Conference.objects.filter(bubble=bubble, state=ConferenceState.STARTED).first()


def running_conference_for(*, member: BubbleMember) -> Conference | None:
    """The running conference of the member's bubble: no query when the membership was read
    with it (`bubble_get_for_user`)."""
    if hasattr(member, RUNNING_CONFERENCE):
        return getattr(member, RUNNING_CONFERENCE)
    return running_conference_get(bubble=member.bubble)


def conference_entry_for(*, conference: Conference | None, member: BubbleMember):
    if conference is None:
        return None
    return ConferenceEntry.objects.filter(conference=conference, member=member).first()


def conference_entries(*, conference: Conference):
    return ConferenceEntry.objects.select_related("member", "member__user").filter(
        conference=conference
    )


def conference_entry_get(*, conference: Conference, pk) -> ConferenceEntry:
    entry = conference_entries(conference=conference).filter(pk=_pk(pk)).first()
    if entry is None:
        raise Http404("No such lobby entry.")
    return entry


# --- Messages: keyset pagination (constant query count whatever the page) ---------------


def encode_cursor(message: Message) -> str:
    raw = f"{message.created_at.isoformat()}|{message.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        at, pk = base64.urlsafe_b64decode(padded.encode()).decode().split("|", 1)
        return datetime.fromisoformat(at), uuid.UUID(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ApplicationError(
            _("This page link is not valid."), fields={"before": ["Invalid cursor."]}
        ) from None


# The columns a page shows of a message's author (its display name): not the whole account.
_AUTHOR_FIELDS = (
    "author__id",
    "author__user_id",
    "author__guest_email",
    "author__role",
    "author__status",
    "author__user__id",
    "author__user__email",
    "author__user__first_name",
    "author__user__last_name",
)


def _live_messages(bubble: Bubble):
    return Message.objects.filter(bubble=bubble, deleted_at__isnull=True).order_by(
        "-created_at", "-id"
    )


def message_page(*, bubble: Bubble, before: str = "", limit: int = PAGE_SIZE):
    """(messages newest first, each with `.body` opened and `.is_last` — the conversation's
    last message —, cursor of the next page or ""). Three queries whatever the bubble's size
    and the page: the messages (with their authors, and on a deeper page the conversation's
    last message id as a subquery), their files, and the company's keys to open the bodies."""
    limit = max(1, min(int(limit), 200))
    qs = (
        _live_messages(bubble)
        .select_related("author", "author__user")
        .only("id", "bubble_id", "author_id", "body_sealed", "created_at", *_AUTHOR_FIELDS)
    )
    if before:
        at, pk = decode_cursor(before)
        qs = qs.filter(Q(created_at__lt=at) | Q(created_at=at, id__lt=pk)).annotate(
            conversation_last_id=Subquery(_live_messages(bubble).values("pk")[:1])
        )
    rows = list(qs[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    # The page's files in one plain query (cheaper than prefetch_related's machinery).
    files: dict = {}
    live = BubbleFile.objects.filter(message_id__in=[m.pk for m in rows], deleted_at__isnull=True)
    for bubble_file in live.order_by("created_at"):
        files.setdefault(bubble_file.message_id, []).append(bubble_file)
    for message in rows:
        message.bubble = bubble  # known: no join, no copy of the bubble per row
        message.live_files = files.get(message.pk, [])
    for index, (message, body) in enumerate(zip(rows, _opened(rows), strict=True)):
        message.body = body
        message.is_last = message.pk == message.conversation_last_id if before else index == 0
    return rows, (encode_cursor(rows[-1]) if more and rows else "")


UNREADABLE = "(This message cannot be read.)"


def _opened(messages) -> list[str]:
    """Bodies in one query; a body that fails to open (tampered, or its key shredded) reads
    as a notice instead of taking the whole page down."""
    try:
        return open_bodies(messages)
    except DecryptionError:
        out = []
        for message in messages:
            try:
                out.append(open_body(message=message))
            except DecryptionError:
                out.append(UNREADABLE)
        return out


def bubble_file_chunks(*, bubble_file):
    """The file's plaintext chunks. The whole file is authenticated before this returns, so
    a damaged one raises DecryptionError before a byte is delivered."""
    return vault_selectors.file_open(
        company=bubble_file.bubble.company_id, object_id=str(bubble_file.pk), stored=bubble_file
    )


def message_get(*, bubble: Bubble, pk) -> Message:
    try:
        pk = uuid.UUID(str(pk))
    except ValueError:
        raise Http404("No such message.") from None
    message = Message.objects.filter(bubble=bubble, pk=pk, deleted_at__isnull=True).first()
    if message is None:
        raise Http404("No such message.")
    return message


def bubble_file_get(*, bubble: Bubble, pk) -> BubbleFile:
    try:
        pk = uuid.UUID(str(pk))
    except ValueError:
        raise Http404("No such file.") from None
    found = (
        BubbleFile.objects.select_related("bubble", "bubble__company")
        .filter(bubble=bubble, pk=pk, deleted_at__isnull=True)
        .first()
    )
    if found is None:
        raise Http404("No such file.")
    return found


# --- Company admins: metadata only, never content -----------------------------------------


def company_bubble_list(*, company):
    """The company's bubbles with their owner, participant count and sizes (message count,
    bytes of files). Three aggregates as subqueries: one query for the whole list."""
    organizer = BubbleMember.objects.filter(
        bubble=OuterRef("pk"), role=MemberRole.ORGANIZER, status=MemberStatus.ACCEPTED
    )
    messages = (
        Message.objects.filter(bubble=OuterRef("pk"), deleted_at__isnull=True)
        .order_by()
        .values("bubble")
        .annotate(n=Count("pk"))
        .values("n")
    )
    sizes = (
        BubbleFile.objects.filter(bubble=OuterRef("pk"), deleted_at__isnull=True)
        .order_by()
        .values("bubble")
        .annotate(total=Sum("size"))
        .values("total")
    )
    participants = (
        BubbleMember.objects.filter(bubble=OuterRef("pk"), status__in=CURRENT_STATUSES)
        .order_by()
        .values("bubble")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Bubble.objects.filter(company=company)
        .exclude(status=BubbleStatus.DELETED)
        .annotate(
            owner_email=Subquery(organizer.values("user__email")[:1]),
            owner_active=Subquery(organizer.values("user__is_active")[:1]),
            message_count=Subquery(messages),
            file_bytes=Subquery(sizes),
            participant_count=Subquery(participants),
        )
        .order_by("-created_at", "-id")
    )


def company_bubble_get(*, company, pk) -> Bubble:
    bubble = company_bubble_list(company=company).filter(pk=_pk(pk)).first()
    if bubble is None:
        raise Http404("No such bubble.")
    return bubble


# --- GDPR export (SPEC §8) -----------------------------------------------------------------


def bubble_is_orphaned(*, bubble: Bubble) -> bool:
    """No active organizer: the account holding the role was deactivated or closed."""
    return not BubbleMember.objects.filter(
        bubble=bubble,
        role=MemberRole.ORGANIZER,
        status=MemberStatus.ACCEPTED,
        user__is_active=True,
    ).exists()


def bubble_export_for_user(*, user) -> dict:
    """The user's bubbles, their own messages (opened) and their files' metadata."""
    memberships = BubbleMember.objects.select_related("bubble").filter(user=user)
    messages = list(
        Message.objects.select_related("bubble")
        .filter(author__user=user, deleted_at__isnull=True)
        .order_by("created_at", "id")
    )
    bodies = []
    for message in messages:
        try:
            bodies.append(open_body(message=message))
        except DecryptionError:
            bodies.append(UNREADABLE)
    files = BubbleFile.objects.filter(uploader__user=user, deleted_at__isnull=True).order_by(
        "created_at"
    )
    return {
        "bubbles": [
            {
                "id": m.bubble_id,
                "name": m.bubble.name,
                "role": m.role,
                "status": m.status,
                "bubble_status": m.bubble.status,
                "since": m.created_at.isoformat(),
            }
            for m in memberships
        ],
        "messages": [
            {
                "id": str(m.pk),
                "bubble": m.bubble_id,
                "created_at": m.created_at.isoformat(),
                "body": body,
            }
            for m, body in zip(messages, bodies, strict=True)
        ],
        "files": [
            {
                "id": str(f.pk),
                "bubble": f.bubble_id,
                "name": f.display_name,
                "size": f.size,
                "content_type": f.content_type,
                "created_at": f.created_at.isoformat(),
            }
            for f in files
        ],
    }
