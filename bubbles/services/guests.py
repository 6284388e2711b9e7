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
from core.services import email_send
from rainbow_portal.exceptions import ApplicationError

from .. import policies, rights
from ..models import BubbleMember, GuestInvitation, MemberRole, MemberStatus
from .common import lock_bubble, membership_of, record, touch

# SPEC §7.9, until the shared limiter lands: (count, seconds) per scope (D11a.5).


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
        .filter(bubble=bubble, role=MemberRole.GUEST, guest_email__iexact=email)
        .filter(status__in=[MemberStatus.INVITED, MemberStatus.ACCEPTED])
        .first()
    )
    if existing is not None:
        raise ApplicationError(_("This address is already invited as a guest."))
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
    invitation = GuestInvitation.objects.select_for_update(of=("self",)).get(pk=found.pk)
    refusal = guest_link_refusal(invitation)
    if refusal:
        raise ApplicationError(refusal, code="guest_link_invalid")
    if normalize_email(email or "") != normalize_email(invitation.email):
        raise ApplicationError(
            _("This link was sent to another address: only its recipient can use it."),
            code="guest_link_other_address",
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
