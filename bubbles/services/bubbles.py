"""Bubbles and their participants (SPEC §6.1, §6.3, §6.4)."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rainbow_portal.exceptions import ApplicationError

from .. import policies, rights
from ..models import (
    Bubble,
    BubbleMember,
    BubbleStatus,
    Conference,
    ConferenceState,
    GuestInvitation,
    MemberRole,
    MemberStatus,
)
from ..selectors import bubble_is_orphaned, user_by_email
from .common import lock_bubble, membership_of, record, touch

NAME_MAX = 100
TOPIC_MAX = 500


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ApplicationError(_("Give the bubble a name."), fields={"name": ["Required."]})
    if len(name) > NAME_MAX:
        raise ApplicationError(
            _("A bubble's name has at most %(NAME_MAX)s characters.") % {"NAME_MAX": NAME_MAX},
            fields={"name": ["Too long."]},
        )
    return name


def _clean_topic(topic: str) -> str:
    topic = (topic or "").strip()
    if len(topic) > TOPIC_MAX:
        raise ApplicationError(
            _("A topic has at most %(TOPIC_MAX)s characters.") % {"TOPIC_MAX": TOPIC_MAX},
            fields={"topic": ["Too long."]},
        )
    return topic


def _acting(bubble: Bubble, actor, action: str) -> BubbleMember:
    """The actor's membership, locked, after checking their role allows `action` (403)."""
    member = membership_of(bubble=bubble, user=actor, lock=True)
    policies.require_right(member=member, action=action)
    return member


@transaction.atomic
def bubble_create(*, name: str, topic: str = "", actor) -> Bubble:
    """The creator is the organizer (SPEC §6.1); the bubble belongs to their company."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise PermissionDenied("Sign in to create a bubble.")
    bubble = Bubble(
        company=actor.company, name=_clean_name(name), topic=_clean_topic(topic), created_by=actor
    )
    bubble.full_clean()
    bubble.save()
    BubbleMember.objects.create(
        bubble=bubble,
        user=actor,
        role=MemberRole.ORGANIZER,
        status=MemberStatus.ACCEPTED,
        invited_by=actor,
    )
    record("bubble.created", bubble=bubble, actor=actor)
    return bubble


@transaction.atomic
def bubble_rename(*, bubble: Bubble, name: str, topic: str | None = None, actor) -> Bubble:
    """Renaming is organizing: the organizer and co-organizers may (the add/remove row)."""
    bubble = lock_bubble(bubble)
    member = membership_of(bubble=bubble, user=actor, lock=True)
    if not policies.is_organizing(member):
        raise PermissionDenied("Only an organizer or co-organizer can rename the bubble.")
    bubble.name = _clean_name(name)
    if topic is not None:
        bubble.topic = _clean_topic(topic)
    bubble.full_clean()
    bubble.save(update_fields=["name", "topic"])
    record("bubble.renamed", bubble=bubble, actor=actor)
    return bubble


def bubble_member_add_by_email(*, bubble: Bubble, email: str, actor) -> BubbleMember:
    """Add the person with this address. An address with no account answers exactly like a
    person the actor may not add: the page never reveals whether an account exists."""
    target = user_by_email(email=email)
    if target is None:
        raise ApplicationError(policies.NOT_ADDABLE)
    return bubble_member_add(bubble=bubble, user=target, actor=actor)


@transaction.atomic
def bubble_member_add(*, bubble: Bubble, user, actor) -> BubbleMember:
    bubble = lock_bubble(bubble)
    _acting(bubble, actor, rights.ADD_REMOVE_PARTICIPANT)
    if user.pk == actor.pk:
        raise ApplicationError(_("You are already in this bubble."))
    refusal = policies.add_refusal(actor=actor, target=user, bubble=bubble)
    if refusal:
        raise ApplicationError(refusal, code="not_invitable")
    existing = (
        BubbleMember.objects.select_for_update(of=("self",))
        .filter(bubble=bubble, user=user)
        .first()
    )
    if existing is not None and existing.is_current:
        raise ApplicationError(_("This person is already in the bubble."))
    if existing is None:
        member = BubbleMember(bubble=bubble, user=user, invited_by=actor)
        member.full_clean()
        member.save()
    else:
        member = touch(
            existing, role=MemberRole.MEMBER, status=MemberStatus.INVITED, invited_by=actor
        )
    record("bubble.member.added", bubble=bubble, actor=actor, target=user)
    return member


@transaction.atomic
def bubble_invitation_accept(*, bubble: Bubble, actor) -> BubbleMember:
    bubble = lock_bubble(bubble)
    member = membership_of(bubble=bubble, user=actor, lock=True)
    if member is None:
        raise PermissionDenied("You are not invited to this bubble.")
    if member.status == MemberStatus.ACCEPTED:
        return member
    touch(member, status=MemberStatus.ACCEPTED)
    record("bubble.member.accepted", bubble=bubble, actor=actor, target=actor)
    return member


def _end_running_conference(bubble: Bubble) -> None:
    Conference.objects.filter(bubble=bubble, state=ConferenceState.STARTED).update(
        state=ConferenceState.ENDED, ended_at=timezone.now()
    )


def _revoke_guest(member: BubbleMember) -> None:
    GuestInvitation.objects.filter(member=member, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


@transaction.atomic
def bubble_member_remove(*, member: BubbleMember, actor) -> BubbleMember:
    bubble = lock_bubble(member.bubble)
    acting = _acting(bubble, actor, rights.ADD_REMOVE_PARTICIPANT)
    member = BubbleMember.objects.select_for_update(of=("self",)).get(pk=member.pk, bubble=bubble)
    if not member.is_current:
        raise ApplicationError(_("This person is no longer in the bubble."))
    if member.role == MemberRole.ORGANIZER:
        raise ApplicationError(_("The organizer cannot be removed: ownership must move first."))
    if member.pk == acting.pk:
        raise ApplicationError(_("To go, leave the bubble instead."))
    touch(member, status=MemberStatus.REMOVED)
    if member.is_guest:
        _revoke_guest(member)
    record(
        "bubble.member.removed",
        bubble=bubble,
        actor=actor,
        target=member.user,
        guest=member.is_guest,
    )
    return member


def _accepted(member: BubbleMember, message: str) -> None:
    if member.status != MemberStatus.ACCEPTED or member.is_guest:
        raise ApplicationError(message)


def _refuse_closed_account(member: BubbleMember, message: str) -> None:
    # A closed account holds no right (policies.has_right): giving it a role would leave the
    # bubble without anyone able to use it (SPEC §6.3, §6.7).
    if member.user_id is not None and not member.user.is_active:
        raise ApplicationError(message, code="account_closed")


@transaction.atomic
def bubble_co_organizer_promote(*, member: BubbleMember, actor) -> BubbleMember:
    bubble = lock_bubble(member.bubble)
    _acting(bubble, actor, rights.PROMOTE_CO_ORGANIZER)
    member = (
        BubbleMember.objects.select_for_update(of=("self",))
        .select_related("user")
        .get(pk=member.pk, bubble=bubble)
    )
    if member.role != MemberRole.MEMBER:
        raise ApplicationError(_("Only a member can be promoted to co-organizer."))
    _accepted(member, "Only a member who accepted the invitation can become a co-organizer.")
    _refuse_closed_account(member, _("This account is closed: it cannot become a co-organizer."))
    touch(member, role=MemberRole.CO_ORGANIZER)
    record("bubble.member.promoted", bubble=bubble, actor=actor, target=member.user)
    return member


@transaction.atomic
def bubble_co_organizer_demote(*, member: BubbleMember, actor) -> BubbleMember:
    """The reverse of a promotion, by whoever may promote (SPEC §6.1's promotion row)."""
    bubble = lock_bubble(member.bubble)
    _acting(bubble, actor, rights.PROMOTE_CO_ORGANIZER)
    member = BubbleMember.objects.select_for_update(of=("self",)).get(pk=member.pk, bubble=bubble)
    if member.role != MemberRole.CO_ORGANIZER or not member.is_current:
        raise ApplicationError(_("Only a co-organizer can be made a member again."))
    touch(member, role=MemberRole.MEMBER)
    record("bubble.member.demoted", bubble=bubble, actor=actor, target=member.user)
    return member


def _swap_owner(*, bubble: Bubble, old: BubbleMember | None, new: BubbleMember) -> None:
    # The old organizer steps down first: the partial unique index never sees two.
    if old is not None:
        touch(old, role=MemberRole.CO_ORGANIZER)
    touch(new, role=MemberRole.ORGANIZER, status=MemberStatus.ACCEPTED)


@transaction.atomic
def bubble_ownership_transfer(*, bubble: Bubble, to: BubbleMember, actor) -> BubbleMember:
    """SPEC §6.3: only to a current co-organizer; the old organizer becomes a co-organizer.
    One transaction under the bubble's lock and both rows' locks."""
    bubble = lock_bubble(bubble)
    old = _acting(bubble, actor, rights.TRANSFER_OWNERSHIP)
    to = BubbleMember.objects.select_for_update(of=("self",)).select_related("user").get(pk=to.pk)
    if to.bubble_id != bubble.pk:
        raise ApplicationError(_("Ownership can only go to one of this bubble's co-organizers."))
    if to.role != MemberRole.CO_ORGANIZER or to.status != MemberStatus.ACCEPTED:
        raise ApplicationError(
            _("Ownership can only go to a current co-organizer: promote them first."),
            code="not_co_organizer",
        )
    _refuse_closed_account(to, _("This account is closed: ownership cannot go to it."))
    _swap_owner(bubble=bubble, old=old, new=to)
    record("bubble.ownership.transferred", bubble=bubble, actor=actor, target=to.user)
    return to


def _other_organizers(bubble: Bubble, member: BubbleMember):
    return (
        BubbleMember.objects.select_for_update(of=("self",))
        .filter(
            bubble=bubble,
            role__in=[MemberRole.ORGANIZER, MemberRole.CO_ORGANIZER],
            status=MemberStatus.ACCEPTED,
            user__is_active=True,
        )
        .exclude(pk=member.pk)
        .order_by("created_at", "id")
    )


@transaction.atomic
def bubble_leave(*, bubble: Bubble, actor) -> BubbleMember:
    """SPEC §6.3: an organizer or co-organizer may leave only if another one remains. An
    organizer leaving hands the bubble to the longest-standing co-organizer (D11a.2)."""
    bubble = lock_bubble(bubble)
    member = membership_of(bubble=bubble, user=actor, lock=True)
    if member is None:
        raise ApplicationError(_("You are not in this bubble."))
    if member.role in (MemberRole.ORGANIZER, MemberRole.CO_ORGANIZER):
        others = list(_other_organizers(bubble, member))
        if not others:
            raise ApplicationError(
                _("You are the last organizer: promote a co-organizer before you leave."),
                code="last_organizer",
            )
        if member.role == MemberRole.ORGANIZER:
            touch(member, role=MemberRole.MEMBER, status=MemberStatus.LEFT)
            heir = others[0]
            touch(heir, role=MemberRole.ORGANIZER)
            record("bubble.ownership.transferred", bubble=bubble, actor=actor, target=heir.user)
            record("bubble.member.left", bubble=bubble, actor=actor, target=actor)
            return member
    touch(member, role=MemberRole.MEMBER, status=MemberStatus.LEFT)
    record("bubble.member.left", bubble=bubble, actor=actor, target=actor)
    return member


def _close(bubble: Bubble, *, status: str, actor, event: str) -> Bubble:
    now = timezone.now()
    bubble.status = status
    if status == BubbleStatus.ARCHIVED:
        bubble.archived_at = now
    else:
        bubble.deleted_at = now
    bubble.save(update_fields=["status", "archived_at", "deleted_at"])
    # SPEC §6.2: guests expire with their invitation, which dies with the bubble.
    GuestInvitation.objects.filter(bubble=bubble, revoked_at__isnull=True).update(revoked_at=now)
    _end_running_conference(bubble)
    record(event, bubble=bubble, actor=actor)
    return bubble


@transaction.atomic
def bubble_archive(*, bubble: Bubble, actor) -> Bubble:
    """SPEC §6.4: read-only for everyone, forever (no service reopens it). `actor=None` is
    the scheduled system; anyone else, a superadmin included, archives only as the bubble's
    organizer (SPEC §6.1; superadmins see metadata only, D11a.9)."""
    bubble = lock_bubble(bubble)
    if actor is not None:
        _acting(bubble, actor, rights.ARCHIVE_BUBBLE)
    return _close(bubble, status=BubbleStatus.ARCHIVED, actor=actor, event="bubble.archived")


@transaction.atomic
def bubble_delete(*, bubble: Bubble, actor) -> Bubble:
    """SPEC §6.4: access ends for every participant; the rows stay for retention (§8)."""
    bubble = lock_bubble(bubble)
    _acting(bubble, actor, rights.DELETE_BUBBLE)
    return _close(bubble, status=BubbleStatus.DELETED, actor=actor, event="bubble.deleted")


@transaction.atomic
def bubble_owner_reassign(*, bubble: Bubble, to: BubbleMember, actor) -> BubbleMember:
    """A company admin hands an orphaned bubble of their company to one of its participants
    (a member of that company, not a guest). The former organizer becomes a member."""
    bubble = lock_bubble(bubble)
    policies.require_can_manage_company_bubbles(actor=actor, company=bubble.company)
    if not bubble_is_orphaned(bubble=bubble):
        raise ApplicationError(_("This bubble has an active organizer: only they can hand it on."))
    to = BubbleMember.objects.select_for_update(of=("self",)).select_related("user").get(pk=to.pk)
    if (
        to.bubble_id != bubble.pk
        or not to.is_current
        or to.is_guest
        or not to.user.is_active
        or to.user.company_id != bubble.company_id
    ):
        raise ApplicationError(_("Choose a current participant from the bubble's company."))
    old = (
        BubbleMember.objects.select_for_update(of=("self",))
        .filter(bubble=bubble, role=MemberRole.ORGANIZER)
        .first()
    )
    if old is not None:
        touch(old, role=MemberRole.MEMBER)
    touch(to, role=MemberRole.ORGANIZER, status=MemberStatus.ACCEPTED)
    record("bubble.ownership.reassigned", bubble=bubble, actor=actor, target=to.user)
    return to
