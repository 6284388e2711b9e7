"""Reads (SPEC §6). A bubble the viewer does not take part in is the same 404 as a missing one."""

import functools
import uuid

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Count, OuterRef, Subquery, Sum
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from companies.models import CompanyFileSharing, MemberFileSharing
from core.prepared import fetch_prepared
from core.rows import FieldColumns, ModelColumns
from vault import DecryptionError
from vault import selectors as vault_selectors

# The conversation's pages live in message_page.py (a module of their own: one statement and
# the rows it makes); callers read them here with the other selectors.
from .message_page import (  # noqa: F401 - re-exported
    PAGE_SIZE,
    UNREADABLE,
    PageMessage,
    decode_cursor,
    encode_cursor,
    message_page,
)
from .models import (
    CURRENT_STATUSES,
    Bubble,
    BubbleFile,
    BubbleMember,
    BubbleStatus,
    Conference,
    ConferenceEntry,
    ConferenceState,
    GuestInvitation,
    MemberRole,
    MemberStatus,
    Message,
)
from .sealing import open_body


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
# The settings land on the membership as sharing_user_mode, sharing_user_company and
# sharing_bubble_company (bubbles.policies.file_sharing_on_for reads them).
RUNNING_CONFERENCE = "running_conference"


@functools.cache
def _page_state_plan():
    """The SQL of `bubble_get_for_user`, built once per process from the models' _meta (the
    ORM version, with its FilteredRelation and five joins, cost more CPU to compile on every
    page than PostgreSQL spends answering it: issue 11's message page)."""
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    company_model = Bubble._meta.get_field("company").related_model
    member, bubble, company, conference = (
        ModelColumns(BubbleMember, "m"),
        ModelColumns(Bubble, "b"),
        ModelColumns(company_model, "bc"),
        ModelColumns(Conference, "f"),
    )
    user_sharing = quote(MemberFileSharing._meta.db_table)
    company_sharing = quote(CompanyFileSharing._meta.db_table)

    def q(model, name):
        return quote(model._meta.get_field(name).column)

    pk = quote("id")
    sql = (
        f"SELECT {member.sql}, {bubble.sql}, {company.sql}, {conference.sql},"  # noqa: S608  # nosec B608
        " us.{mode}, uc.{enabled}, bs.{enabled}"
        f" FROM {member.table} m"
        f" JOIN {bubble.table} b ON b.{pk} = m.{q(BubbleMember, 'bubble')}"
        f" JOIN {company.table} bc ON bc.{pk} = b.{q(Bubble, 'company')}"
        f" LEFT JOIN {conference.table} f ON f.{q(Conference, 'bubble')} = b.{pk}"
        f" AND f.{q(Conference, 'state')} = %(started)s"
        f" LEFT JOIN {user_sharing} us ON us.{{user}} = m.{q(BubbleMember, 'user')}"
        f" LEFT JOIN {company_sharing} uc ON uc.{{company}} = %(user_company)s"
        f" LEFT JOIN {company_sharing} bs ON bs.{{company}} = b.{q(Bubble, 'company')}"
        f" WHERE m.{q(BubbleMember, 'bubble')} = %(bubble)s"
        f" AND m.{q(BubbleMember, 'user')} = %(user)s"
        f" AND m.{q(BubbleMember, 'status')} IN (%(invited)s, %(accepted)s)"
        f" AND b.{q(Bubble, 'status')} <> %(deleted)s"
    ).format(
        mode=q(MemberFileSharing, "mode"),
        enabled=q(CompanyFileSharing, "enabled"),
        user=q(MemberFileSharing, "user"),
        company=q(CompanyFileSharing, "company"),
    )
    return sql, (member, bubble, company, conference)


def bubble_get_for_user(*, user, pk) -> tuple[Bubble, BubbleMember]:
    """The bubble and the viewer's membership, in one query with what the page needs to know
    about them (the running conference, the file sharing settings)."""
    bubble_id = _pk(pk)
    if not getattr(user, "is_active", False) or not 0 < bubble_id < 2**63:
        raise Http404("No such bubble.")
    sql, parts = _page_state_plan()
    params = {
        "bubble": bubble_id,
        "user": user.pk,
        "user_company": user.company_id,
        "started": ConferenceState.STARTED,
        "invited": MemberStatus.INVITED,
        "accepted": MemberStatus.ACCEPTED,
        "deleted": BubbleStatus.DELETED,
    }
    rows = fetch_prepared(sql, params, prefix="bubble_member")
    if not rows:
        raise Http404("No such bubble.")
    row = rows[0]
    built, start = [], 0
    for columns in parts:
        built.append(columns.build(row, start))
        start += columns.width
    member, bubble, company, conference = built
    Bubble.company.field.set_cached_value(bubble, company)
    BubbleMember.bubble.field.set_cached_value(member, bubble)
    # The membership's account is the viewer, already read with their company: not joined.
    BubbleMember.user.field.set_cached_value(member, user)
    # None says "read, none running" (running_conference_for asks no query then).
    setattr(member, RUNNING_CONFERENCE, conference)
    mode, user_company, bubble_company = row[start:]
    member.sharing_user_mode = mode
    member.sharing_user_company = None if user_company is None else bool(user_company)
    member.sharing_bubble_company = None if bubble_company is None else bool(bubble_company)
    return bubble, member


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


# The account columns a participant list shows (their name): the rest of the account (its
# password hash among them) is not read, and stays deferred on the instance.
_PARTICIPANT_USER_FIELDS = ["id", "email", "first_name", "last_name"]


@functools.cache
def _participants_plan():
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    member = ModelColumns(BubbleMember, "m")
    user = FieldColumns(User, "u", _PARTICIPANT_USER_FIELDS)
    col = BubbleMember._meta.get_field
    invitation = GuestInvitation._meta
    sql = (
        f"SELECT {member.sql}, {user.sql} FROM {member.table} m"  # noqa: S608  # nosec B608
        f" LEFT JOIN {quote(User._meta.db_table)} u"
        f" ON u.{quote('id')} = m.{quote(col('user').column)}"
        f" WHERE m.{quote(col('bubble').column)} = %(bubble)s"
        f" AND m.{quote(col('status').column)} IN (%(invited)s, %(accepted)s)"
        # SPEC §6.2: a guest expires with their invitation (only guests have one).
        f" AND NOT EXISTS (SELECT 1 FROM {quote(invitation.db_table)} g"
        f" WHERE g.{quote(invitation.get_field('member').column)} = m.{quote('id')}"
        f" AND g.{quote(invitation.get_field('expires_at').column)} <= %(now)s)"
        f" ORDER BY m.{quote(col('created_at').column)}, m.{quote('id')}"
    )
    return sql, member, user


def participant_list(*, bubble: Bubble) -> list[BubbleMember]:
    """The bubble's current participants, oldest first, each with the account's name (one
    prepared query: the bubble page shows it on every view)."""
    sql, member_cols, user_cols = _participants_plan()
    params = {
        "bubble": bubble.pk,
        "invited": MemberStatus.INVITED,
        "accepted": MemberStatus.ACCEPTED,
        "now": timezone.now(),
    }
    rows = fetch_prepared(sql, params, prefix="bubble_participants")
    out = []
    for row in rows:
        member = member_cols.build(row, 0)
        values = user_cols.values(row, member_cols.width)
        user = None
        if values[0] is not None:
            user = User.from_db(DEFAULT_DB_ALIAS, _PARTICIPANT_USER_FIELDS, values)
        BubbleMember.user.field.set_cached_value(member, user)
        out.append(member)
    return out


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
        .exclude(guest_invitation__expires_at__lte=timezone.now())  # SPEC §6.2
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
