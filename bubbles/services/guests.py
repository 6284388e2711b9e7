"""Guests (SPEC §6.2): invited by email into one bubble with a single-use, expiring link that
is bound to their address; no account; they act only while the bubble's conference runs."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import normalize_email
from accounts.security.ratelimit import email_action_limit
from companies.membership.selectors import token_hash
from companies.policies import crosses_china_boundary
from core.services import email_send
from rainbow_portal.exceptions import ApplicationError

from .. import policies, rights
from ..models import BubbleMember, GuestInvitation, MemberRole, MemberStatus
from ..selectors import user_by_email
from .common import lock_bubble, membership_of, record, touch


def guest_link(token: str) -> str:
    return settings.PORTAL_BASE_URL + reverse("bubbles:guest-join", args=[token])


@transaction.atomic
def bubble_guest_invite(*, bubble, email: str, actor) -> GuestInvitation:
    """Add a guest and email them a link. Inviting is adding a participant (SPEC §6.1)."""
    bubble = lock_bubble(bubble)
    acting = membership_of(bubble=bubble, user=actor, lock=True)
    policies.require_right(member=acting, action=rights.ADD_REMOVE_PARTICIPANT)
    email = normalize_email(email or "")
    try:
        validate_email(email)
    except Exception:
        raise ApplicationError(
            _("Enter a valid email address."), fields={"email": ["Invalid address."]}
        ) from None
    if email == normalize_email(actor.email):
        raise ApplicationError(_("You are already in this bubble."))
    existing = (
        BubbleMember.objects.select_for_update(of=("self",))
        .select_related("guest_invitation")
        .filter(bubble=bubble, role=MemberRole.GUEST, guest_email__iexact=email)
        .filter(status__in=[MemberStatus.INVITED, MemberStatus.ACCEPTED])
        .first()
    )
    if existing is not None:
        if not existing.guest_invitation.is_expired:
            raise ApplicationError(_("This address is already invited as a guest."))
        _end_expired_guest(existing, actor=actor)
    # SPEC §7.9: per inviter, per company and per address, like every action that mails.
    email_action_limit(
        action="guest_invitation", user=actor, company=bubble.company_id, address=email
    )
    member = BubbleMember(bubble=bubble, guest_email=email, role=MemberRole.GUEST, invited_by=actor)
    member.full_clean()
    member.save()
    token = secrets.token_urlsafe(32)
    hours = settings.BUBBLE_GUEST_LINK_HOURS
    invitation = GuestInvitation.objects.create(
        bubble=bubble,
        member=member,
        email=email,
        token_hash=token_hash(token),
        invited_by=actor,
        expires_at=timezone.now() + timedelta(hours=hours),
    )
    email_send(
        to=email,
        template="bubble_guest_invitation",
        context={
            "bubble_name": bubble.name,
            "inviter": actor.get_full_name() or actor.email,
            "link": guest_link(token),
            "hours": hours,
        },
        actor=actor,
    )
    record("bubble.guest.invited", bubble=bubble, actor=actor, target=invitation)
    invitation.token = token  # the clear token travels back once, on this object
    return invitation


def _end_expired_guest(member: BubbleMember, *, actor) -> None:
    """SPEC §6.2: a guest expires with their invitation. The old participant ends (`removed`,
    the ended status of SPEC §6.1 that fits: nobody left) so that a new invitation can take
    its place; its link stays expired."""
    touch(member, status=MemberStatus.REMOVED)
    record(
        "bubble.guest.expired",
        bubble=member.bubble,
        actor=actor,
        target=member.guest_invitation,
        guest=True,
    )


def _guest_crosses_china_boundary(invitation: GuestInvitation) -> bool:
    """SPEC §2.3: no bubble crosses the China boundary. A guest address that belongs to an
    account is that account's company's; the inviter's company counts too, as for members
    (policies.add_refusal)."""
    account = user_by_email(email=invitation.email)
    if account is None:
        return False
    bubble = invitation.bubble
    inviter = invitation.invited_by
    return crosses_china_boundary(bubble.company, account.company) or (
        inviter is not None and crosses_china_boundary(inviter.company, account.company)
    )


def guest_invitation_for_token(token: str) -> GuestInvitation | None:
    return (
        GuestInvitation.objects.select_related("bubble", "member")
        .filter(token_hash=token_hash(token or ""))
        .first()
    )


def guest_link_refusal(invitation: GuestInvitation | None) -> str | None:
    if invitation is None:
        return "This guest link is not valid."
    if invitation.revoked_at is not None or not invitation.bubble.is_active:
        return "This guest link was withdrawn."
    if invitation.used_at is not None:
        return "This guest link was already used: links work once."
    if invitation.is_expired:
        return "This guest link has expired: ask for a new invitation."
    return None


@transaction.atomic
def bubble_guest_redeem(*, token: str, email: str) -> BubbleMember:
    """Use the link once. It is bound to the invited address: a forwarded link, entered with
    another address, is refused (and stays unused for its rightful owner)."""
    found = guest_invitation_for_token(token)
    if found is None:
        raise ApplicationError(guest_link_refusal(None), code="guest_link_invalid")
    invitation = (
        GuestInvitation.objects.select_for_update(of=("self",))
        .select_related("bubble__company", "invited_by__company")
        .get(pk=found.pk)
    )
    refusal = guest_link_refusal(invitation)
    if refusal:
        raise ApplicationError(refusal, code="guest_link_invalid")
    if normalize_email(email or "") != normalize_email(invitation.email):
        raise ApplicationError(
            _("This link was sent to another address: only its recipient can use it."),
            code="guest_link_other_address",
        )
    # Checked here, not when inviting: the inviter gets the same answer whoever the address
    # belongs to, and only its owner reads this (D3.10). The link stays unused.
    if _guest_crosses_china_boundary(invitation):
        raise ApplicationError(
            _(
                "This bubble cannot be joined from your region: companies in China and "
                "elsewhere never link."
            ),
            code="guest_link_region",
        )
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    member = BubbleMember.objects.select_for_update(of=("self",)).get(pk=invitation.member_id)
    if not member.is_current:
        raise ApplicationError(_("This guest link was withdrawn."), code="guest_link_invalid")
    touch(member, status=MemberStatus.ACCEPTED)
    record("bubble.guest.joined", bubble=invitation.bubble, target=invitation)
    return member


def guest_member_get(*, member_id) -> BubbleMember:
    """A guest session's participant while their invitation holds (SPEC §6.2: they expire
    with it, and lose it when removed or when the bubble is archived or deleted)."""
    member = (
        BubbleMember.objects.select_related("bubble", "bubble__company", "guest_invitation")
        .filter(pk=member_id, role=MemberRole.GUEST, status=MemberStatus.ACCEPTED)
        .first()
    )
    if member is None:
        raise PermissionDenied("Your guest access has ended.")
    invitation = member.guest_invitation
    if invitation.revoked_at is not None or invitation.is_expired or not member.bubble.is_active:
        raise PermissionDenied("Your guest access has ended.")
    return member
