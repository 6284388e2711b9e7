"""Helpers shared by the bubble services: locking, membership lookup, activity records."""

from django.core.exceptions import PermissionDenied
from django.utils import timezone

import activity
from rainbow_portal.exceptions import ApplicationError

from ..models import Bubble, BubbleMember, BubbleStatus, MemberStatus

READ_ONLY = "This bubble is archived: it is read-only."
GONE = "This bubble was deleted."


def refuse_unless_writable(bubble: Bubble) -> None:
    """SPEC §6.4: nothing changes in an archived bubble, ever; a deleted one is gone."""
    if bubble.status == BubbleStatus.ARCHIVED:
        raise ApplicationError(READ_ONLY, code="bubble_archived")
    if bubble.status == BubbleStatus.DELETED:
        raise ApplicationError(GONE, code="bubble_deleted")


def lock_bubble(bubble: Bubble, *, writable: bool = True) -> Bubble:
    """The bubble row, locked: every change of roles or membership takes this lock first, so
    two concurrent transfers or leaves serialize (SPEC §6.3 at every moment)."""
    locked = (
        Bubble.objects.select_for_update(of=("self",)).select_related("company").get(pk=bubble.pk)
    )
    if writable:
        refuse_unless_writable(locked)
    return locked


def membership_of(*, bubble: Bubble, user, lock: bool = False) -> BubbleMember | None:
    """The user's current membership (invited or accepted), or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    qs = BubbleMember.objects.select_related("user", "bubble", "bubble__company")
    if lock:
        qs = qs.select_for_update(of=("self",))
    return qs.filter(
        bubble=bubble, user=user, status__in=[MemberStatus.INVITED, MemberStatus.ACCEPTED]
    ).first()


def require_member(*, bubble: Bubble, user, lock: bool = False) -> BubbleMember:
    member = membership_of(bubble=bubble, user=user, lock=lock)
    if member is None:
        raise PermissionDenied("You are not a participant of this bubble.")
    return member


def record(event: str, *, bubble: Bubble, actor=None, target=None, **data) -> None:
    """One activity record per state change; metadata only (never content or file names)."""
    activity.record(
        event=event,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        company=bubble.company_id,
        target=target or bubble,
        data={"bubble": bubble.pk, **data},
    )


def touch(member: BubbleMember, **changes) -> BubbleMember:
    for field, value in changes.items():
        setattr(member, field, value)
    member.updated_at = timezone.now()
    member.full_clean()
    member.save(update_fields=[*changes, "updated_at"])
    return member
