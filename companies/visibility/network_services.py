"""Writes for the user's network (SPEC §5). Every verdict on who may invite whom comes from
the visibility rules (companies.visibility.rules, SPEC §4.4)."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

import activity
from accounts.models import Contact, Invitation, NetworkSettings, User, normalize_email
from accounts.security.ratelimit import RateLimited, email_action_limit
from core.services import email_send
from rainbow_portal.exceptions import ApplicationError

from ..policies import require_actor_right
from ..rights import MANAGE_COMPANY
from . import rules

RESEND_INTERVAL = timedelta(hours=1)  # SPEC §5.4
ISOLATED_EMAIL_REFUSAL = (
    "As an isolated user you invite only people of your own company and organization."
)
PRESENCE_WINDOW = timedelta(minutes=5)


def _auto_accepts(inviter: User, invitee: User) -> bool:
    """SPEC §5.1: within one company, accepted at once unless the company turned it off.
    Never between standalone users: the default company is not a circle (SPEC §2.2)."""
    if inviter.company_id != invitee.company_id or inviter.company.is_default:
        return False
    setting = NetworkSettings.objects.filter(company_id=inviter.company_id).first()
    return setting is None or setting.auto_accept_within_company


def _connect(a: User, b: User) -> None:
    Contact.objects.get_or_create(owner=a, contact=b)
    Contact.objects.get_or_create(owner=b, contact=a)


def _accept(invitation: Invitation, invitee: User, *, actor) -> Invitation:
    invitation.status = Invitation.Status.ACCEPTED
    invitation.invitee = invitee
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["status", "invitee", "responded_at"])
    _connect(invitation.inviter, invitee)
    activity.record(
        event="network.invitation.accepted",
        actor=actor,
        company=invitee.company_id,
        target=invitation,
        data={"kind": invitation.kind, "auto": actor is None},
    )
    return invitation


def _not_found():
    # The same words whether the person is hidden, in another region or missing (SPEC §4.3).
    return ApplicationError("No such person.", code="not_found")


@transaction.atomic
def invitation_send_in_app(*, inviter: User, invitee: User, actor) -> Invitation:
    """SPEC §4.4, §5.1: invite someone the inviter finds, where both modes allow it."""
    if inviter.pk == invitee.pk:
        raise ApplicationError("You cannot invite yourself.")
    v, t = rules.person(inviter), rules.person(invitee)
    world = rules.DbWorld()
    if not rules.can_find(v, t, world):
        raise _not_found()
    if not invitee.is_active:
        # SPEC §4.8: a closed account is still found, marked closed, but joins no network.
        raise ApplicationError(_("This account is closed: it cannot be invited."), code="closed")
    verdict = rules.explain_invite(v, t, world, rules.IN_APP)
    if not verdict:
        raise ApplicationError(f"You cannot invite this person in the app: {verdict.reason}.")
    if Contact.objects.filter(owner=inviter, contact=invitee).exists():
        raise ApplicationError("This person is already in your network.")
    mine = Invitation.objects.filter(
        inviter=inviter,
        invitee=invitee,
        status__in=[Invitation.Status.PENDING, Invitation.Status.DECLINED],
    ).first()
    if mine:
        return mine
    now = timezone.now()
    invitation = Invitation.objects.create(
        inviter=inviter, invitee=invitee, kind=Invitation.Kind.IN_APP, last_sent_at=now
    )
    activity.record(
        event="network.invitation.sent",
        actor=actor,
        company=inviter.company_id,
        target=invitation,
        data={"kind": Invitation.Kind.IN_APP},
    )
    theirs = Invitation.objects.filter(
        inviter=invitee, invitee=inviter, status=Invitation.Status.PENDING
    ).first()
    if theirs:  # both asked: that is an acceptance on each side
        _accept(theirs, inviter, actor=actor)
        return _accept(invitation, invitee, actor=None)
    if _auto_accepts(inviter, invitee):
        return _accept(invitation, invitee, actor=None)
    return invitation


@transaction.atomic
def invitation_send_email(*, inviter: User, email: str, actor) -> Invitation:
    """SPEC §4.4: an invitation naming an address. The answer and the email sent are the same
    whether or not the address has an account; the invitee sees it on sign-in, and only if
    the rules let the inviter invite them (decision D4.5)."""
    email = normalize_email(email)
    if email == inviter.email:
        raise ApplicationError("You cannot invite yourself.")
    if inviter.visibility_mode == rules.ISOLATED:
        # SPEC §4.4: the isolated row spares the same company and the same organization,
        # whose people the inviter finds anyway, so naming them reveals nothing; any other
        # address (with an account or not) gets the same refusal.
        invitee = User.objects.select_related("company").filter(email=email).first()
        if invitee is None or not rules.can_invite_by_email(
            rules.person(inviter), rules.person(invitee), rules.DbWorld()
        ):
            raise ApplicationError(ISOLATED_EMAIL_REFUSAL, code="isolated")
    if Invitation.objects.filter(
        inviter=inviter,
        kind=Invitation.Kind.EMAIL,
        email=email,
        status__in=[Invitation.Status.PENDING, Invitation.Status.DECLINED],
    ).exists():
        # Nothing is sent again: resending is its own action, once an hour (SPEC §5.4). A
        # declined one reads "pending" to its inviter, so it is named the same (D4.6).
        raise ApplicationError(
            f"An invitation to {email} is already pending. You can send it again from "
            "your sent invitations, at most once an hour.",
            code="already_pending",
        )
    _email_limit(inviter, email)
    invitation = Invitation.objects.create(
        inviter=inviter, email=email, kind=Invitation.Kind.EMAIL, last_sent_at=timezone.now()
    )
    activity.record(
        event="network.invitation.sent",
        actor=actor,
        company=inviter.company_id,
        target=invitation,
        data={"kind": Invitation.Kind.EMAIL},
    )
    _send_invitation_email(invitation, actor=actor)
    return invitation


def _email_limit(inviter: User, email: str) -> None:
    # SPEC §7.9: every network invitation email counts against the inviter, their company
    # and the address.
    email_action_limit(
        action="network_invitation", user=inviter, company=inviter.company_id, address=email
    )


def _send_invitation_email(invitation: Invitation, *, actor) -> None:
    email_send(
        to=invitation.email,
        template="network_invitation",
        context={
            "inviter": invitation.inviter.get_full_name(),
            "link": settings.PORTAL_BASE_URL + reverse("companies:network"),
        },
        actor=actor,
    )


def _incoming_for(invitation: Invitation, user: User) -> bool:
    """Is this pending invitation addressed to `user`, and may its inviter invite them?"""
    if invitation.kind == Invitation.Kind.IN_APP:
        return invitation.invitee_id == user.pk
    if invitation.email != user.email:
        return False
    return rules.can_invite_by_email(
        rules.person(invitation.inviter), rules.person(user), rules.DbWorld()
    )


def _lock(invitation: Invitation) -> Invitation:
    return (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("inviter__company", "invitee__company")
        .get(pk=invitation.pk)
    )


@transaction.atomic
def invitation_accept(*, invitation: Invitation, actor: User) -> Invitation:
    invitation = _lock(invitation)
    if invitation.status != Invitation.Status.PENDING or not _incoming_for(invitation, actor):
        raise ApplicationError("This invitation is no longer open.", code="not_found")
    if Contact.objects.filter(owner=actor, contact=invitation.inviter).exists():
        invitation.status = Invitation.Status.ACCEPTED
        invitation.save(update_fields=["status"])
        return invitation
    return _accept(invitation, actor, actor=actor)


@transaction.atomic
def invitation_decline(*, invitation: Invitation, actor: User) -> Invitation:
    """SPEC §5.4: the inviter keeps seeing it as pending."""
    invitation = _lock(invitation)
    if invitation.status != Invitation.Status.PENDING or not _incoming_for(invitation, actor):
        raise ApplicationError("This invitation is no longer open.", code="not_found")
    invitation.status = Invitation.Status.DECLINED
    invitation.invitee = actor
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["status", "invitee", "responded_at"])
    activity.record(
        event="network.invitation.declined",
        actor=actor,
        company=actor.company_id,
        target=invitation,
    )
    return invitation


def _own_open(invitation: Invitation, actor: User) -> Invitation:
    invitation = _lock(invitation)
    # A declined invitation reads "pending" to its inviter (SPEC §5.4): treat it the same.
    if invitation.inviter_id != actor.pk or invitation.status not in (
        Invitation.Status.PENDING,
        Invitation.Status.DECLINED,
    ):
        raise ApplicationError("This invitation is no longer open.", code="not_found")
    return invitation


@transaction.atomic
def contact_invitation_cancel(*, invitation: Invitation, actor: User) -> Invitation:
    invitation = _own_open(invitation, actor)
    invitation.status = Invitation.Status.CANCELED
    invitation.save(update_fields=["status"])
    activity.record(
        event="network.invitation.canceled",
        actor=actor,
        company=actor.company_id,
        target=invitation,
    )
    return invitation


@transaction.atomic
def contact_invitation_resend(*, invitation: Invitation, actor: User, now=None) -> Invitation:
    """SPEC §5.4: once per hour per invitation. A declined one is 'resent' like any other, so
    the inviter learns nothing, but the invitee is not asked again (decision D4.6)."""
    invitation = _own_open(invitation, actor)
    now = now or timezone.now()
    wait = invitation.last_sent_at + RESEND_INTERVAL - now
    if wait > timedelta(0):
        minutes = max(1, int(wait.total_seconds() // 60) + 1)
        raise RateLimited(
            f"You can resend this invitation once per hour: try again in {minutes} min.",
            retry_after=int(wait.total_seconds()) + 1,
        )
    if invitation.kind == Invitation.Kind.EMAIL and invitation.status == Invitation.Status.PENDING:
        _email_limit(invitation.inviter, invitation.email)
    invitation.last_sent_at = now
    invitation.save(update_fields=["last_sent_at"])
    activity.record(
        event="network.invitation.resent",
        actor=actor,
        company=actor.company_id,
        target=invitation,
    )
    if invitation.kind == Invitation.Kind.EMAIL and invitation.status == Invitation.Status.PENDING:
        _send_invitation_email(invitation, actor=actor)
    return invitation


@transaction.atomic
def contact_remove(*, owner: User, contact: User, actor) -> None:
    """SPEC §5.2: either side removes; both sides lose it."""
    deleted, _ = Contact.objects.filter(owner=owner, contact=contact).delete()
    if not deleted:
        raise ApplicationError("This person is not in your network.", code="not_found")
    Contact.objects.filter(owner=contact, contact=owner).delete()
    activity.record(
        event="network.contact.removed", actor=actor, company=owner.company_id, target=contact
    )


@transaction.atomic
def contact_favorite_set(*, owner: User, contact: User, favorite: bool, actor) -> Contact:
    """SPEC §5.3: favorites are a subset of the network."""
    row = Contact.objects.select_for_update().filter(owner=owner, contact=contact).first()
    if row is None:
        raise ApplicationError("Only people in your network can be favorites.", code="not_found")
    if row.is_favorite != favorite:
        row.is_favorite = favorite
        row.save(update_fields=["is_favorite"])
        activity.record(
            event="network.favorite.changed",
            actor=actor,
            company=owner.company_id,
            target=contact,
            data={"favorite": favorite},
        )
    return row


@transaction.atomic
def network_settings_set(*, company, auto_accept_within_company: bool, actor) -> NetworkSettings:
    require_actor_right(actor=actor, company=company, action=MANAGE_COMPANY)  # SPEC §3.3
    setting, _ = NetworkSettings.objects.select_for_update().get_or_create(company=company)
    if setting.auto_accept_within_company != auto_accept_within_company:
        setting.auto_accept_within_company = auto_accept_within_company
        setting.save(update_fields=["auto_accept_within_company"])
        activity.record(
            event="network.settings.changed",
            actor=actor,
            company=company,
            target=setting,
            data={"auto_accept_within_company": auto_accept_within_company},
        )
    return setting


def presence_touch(*, user: User, now=None) -> None:
    """Mark the user as present. Not an activity record: the request itself is recorded
    (SPEC §10.1) and a heartbeat is not a change anyone acts on (decision D4.7)."""
    now = now or timezone.now()
    if user.last_seen_at is None or now - user.last_seen_at > timedelta(seconds=30):
        User.objects.filter(pk=user.pk).update(last_seen_at=now)
        user.last_seen_at = now
