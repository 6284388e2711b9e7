"""What the retention pipeline (SPEC §8.3) asks of bubbles. Both services are idempotent:
run twice, the second run changes nothing."""

from django.db import transaction

from ..models import Bubble, BubbleFile, BubbleMember, BubbleStatus, MemberRole, MemberStatus
from .bubbles import _close, _other_organizers
from .common import lock_bubble, record, touch
from .files import bubble_file_discard


@transaction.atomic
def bubble_memberships_end_for_user(*, user, actor=None) -> int:
    """The account leaves every bubble (SPEC §8.3). A bubble it organized goes to the
    longest-standing remaining co-organizer, or is archived when none remains (SPEC §6.7).
    Returns the number of memberships ended."""
    ended = 0
    memberships = (
        BubbleMember.objects.filter(
            user=user, status__in=[MemberStatus.INVITED, MemberStatus.ACCEPTED]
        )
        .order_by("bubble_id")
        .values_list("pk", "bubble_id")
    )
    for member_pk, bubble_pk in list(memberships):
        bubble = lock_bubble(Bubble(pk=bubble_pk), writable=False)
        member = BubbleMember.objects.select_for_update(of=("self",)).get(pk=member_pk)
        if not member.is_current:
            continue
        organizing = member.role in (MemberRole.ORGANIZER, MemberRole.CO_ORGANIZER)
        heirs = list(_other_organizers(bubble, member)) if organizing else []
        was_organizer = member.role == MemberRole.ORGANIZER
        touch(member, role=MemberRole.MEMBER, status=MemberStatus.LEFT)
        record("bubble.member.left", bubble=bubble, actor=actor, target=user)
        ended += 1
        if bubble.status != BubbleStatus.ACTIVE:
            continue
        if was_organizer and heirs:
            heir = next((h for h in heirs if h.role == MemberRole.ORGANIZER), heirs[0])
            touch(heir, role=MemberRole.ORGANIZER)
            record("bubble.ownership.transferred", bubble=bubble, actor=actor, target=heir.user)
        elif organizing and not heirs:
            _close(bubble, status=BubbleStatus.ARCHIVED, actor=actor, event="bubble.archived")
    return ended


@transaction.atomic
def bubble_files_delete_for_user(*, user, actor=None) -> int:
    """A standalone user's files are deleted at anonymization (SPEC §8.3); a company user's
    files stay with the company, so the caller asks only for standalone users."""
    files = BubbleFile.objects.select_for_update(of=("self",)).filter(
        uploader__user=user, deleted_at__isnull=True
    )
    count = 0
    for bubble_file in files.select_related("bubble"):
        bubble_file_discard(bubble_file=bubble_file, actor=actor)
        count += 1
    return count
