"""Conferences (SPEC §6.5): started by an organizer or co-organizer; invitees wait in a lobby
until an organizer or co-organizer who is present admits them; non-invitees are refused."""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rainbow_portal.exceptions import ApplicationError

from .. import policies, rights
from ..models import (
    BubbleMember,
    Conference,
    ConferenceEntry,
    ConferenceState,
    LobbyState,
)
from .common import lock_bubble, record


def running_conference(bubble) -> Conference | None:
    return Conference.objects.filter(bubble=bubble, state=ConferenceState.STARTED).first()


def _lock_member(member: BubbleMember) -> BubbleMember:
    return (
        BubbleMember.objects.select_for_update(of=("self",))
        .select_related("user", "bubble", "bubble__company")
        .get(pk=member.pk)
    )


@transaction.atomic
def conference_start(*, member: BubbleMember, actor) -> Conference:
    bubble = lock_bubble(member.bubble)
    member = _lock_member(member)
    policies.require_right(member=member, action=rights.START_CONFERENCE)
    if running_conference(bubble) is not None:
        raise ApplicationError(_("The conference is already running."))
    try:
        with transaction.atomic():
            conference = Conference.objects.create(bubble=bubble, started_by=member)
    except IntegrityError:
        raise ApplicationError(_("The conference is already running.")) from None
    # The one who starts it is present (and so can admit others at once).
    ConferenceEntry.objects.create(
        conference=conference,
        member=member,
        state=LobbyState.ADMITTED,
        present=True,
        admitted_at=timezone.now(),
    )
    record("bubble.conference.started", bubble=bubble, actor=actor, target=conference)
    return conference


@transaction.atomic
def conference_join(*, member: BubbleMember, actor) -> ConferenceEntry:
    """An invitee enters: organizers and co-organizers go straight in, everyone else waits in
    the lobby. Joining twice returns the same entry."""
    bubble = lock_bubble(member.bubble)
    member = _lock_member(member)
    if not policies.can_view(member=member) or (member.is_guest and member.status != "accepted"):
        raise PermissionDenied("Only the bubble's invitees may join its conference.")
    conference = running_conference(bubble)
    if conference is None:
        raise ApplicationError(_("The conference has not started yet."), code="not_started")
    entry = (
        ConferenceEntry.objects.select_for_update(of=("self",))
        .filter(conference=conference, member=member)
        .first()
    )
    if entry is not None:
        if entry.state == LobbyState.ADMITTED and not entry.present:
            entry.present = True
            entry.save(update_fields=["present"])
        return entry
    organizing = policies.is_organizing(member)
    entry = ConferenceEntry.objects.create(
        conference=conference,
        member=member,
        state=LobbyState.ADMITTED if organizing else LobbyState.WAITING,
        present=organizing,
        admitted_at=timezone.now() if organizing else None,
    )
    record(
        "bubble.conference.joined",
        bubble=bubble,
        actor=actor,
        target=conference,
        guest=member.is_guest,
    )
    return entry


@transaction.atomic
def conference_admit(*, entry: ConferenceEntry, member: BubbleMember, actor) -> ConferenceEntry:
    """`member` admits `entry`: they must organize the bubble and be present themselves."""
    bubble = lock_bubble(member.bubble)
    member = _lock_member(member)
    entry = (
        ConferenceEntry.objects.select_for_update(of=("self",))
        .select_related("conference")
        .get(pk=entry.pk)
    )
    conference = entry.conference
    if conference.bubble_id != bubble.pk or not conference.is_running:
        raise ApplicationError(_("This conference is not running."))
    if not policies.is_organizing(member):
        raise PermissionDenied("Only an organizer or co-organizer can admit people.")
    if not ConferenceEntry.objects.filter(
        conference=conference, member=member, state=LobbyState.ADMITTED, present=True
    ).exists():
        raise ApplicationError(
            _("Join the conference before admitting people."), code="not_present"
        )
    if entry.state == LobbyState.ADMITTED:
        return entry
    entry.state = LobbyState.ADMITTED
    entry.present = True
    entry.admitted_by = member
    entry.admitted_at = timezone.now()
    entry.save(update_fields=["state", "present", "admitted_by", "admitted_at"])
    record("bubble.conference.admitted", bubble=bubble, actor=actor, target=conference)
    return entry


@transaction.atomic
def conference_end(*, member: BubbleMember, actor) -> Conference:
    bubble = lock_bubble(member.bubble)
    member = _lock_member(member)
    policies.require_right(member=member, action=rights.START_CONFERENCE)
    conference = running_conference(bubble)
    if conference is None:
        raise ApplicationError(_("No conference is running."))
    conference.state = ConferenceState.ENDED
    conference.ended_at = timezone.now()
    conference.save(update_fields=["state", "ended_at"])
    conference.entries.update(present=False)
    record("bubble.conference.ended", bubble=bubble, actor=actor, target=conference)
    return conference
