"""Guests (SPEC §6.2) and conferences (SPEC §6.5)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from bubbles import services
from bubbles.models import ConferenceEntry, GuestInvitation, LobbyState, MemberStatus
from bubbles.services.guests import GUEST_INVITE_LIMITS, guest_member_get
from companies.membership.selectors import token_hash
from core.models import OutboundEmail
from rainbow_portal.exceptions import ApplicationError

from .conftest import membership

pytestmark = pytest.mark.django_db


def invite(bubble, people, email="guest@outside.test"):
    return services.bubble_guest_invite(bubble=bubble, email=email, actor=people["co"])


def test_invitation_emails_a_link_and_keeps_only_a_hash(bubble, people, settings):
    invitation = invite(bubble, people)
    assert invitation.token_hash == token_hash(invitation.token)
    assert invitation.token not in str(GuestInvitation.objects.values().get())
    email = OutboundEmail.objects.get(template="bubble_guest_invitation")
    assert email.to == "guest@outside.test"
    assert f"/bubbles/guest/{invitation.token}/" in email.body_text
    hours = settings.BUBBLE_GUEST_LINK_HOURS
    assert hours == 48
    assert abs((invitation.expires_at - timezone.now()) - timedelta(hours=48)) < timedelta(
        minutes=1
    )


def test_a_member_cannot_invite_a_guest(bubble, people):
    with pytest.raises(PermissionDenied):
        services.bubble_guest_invite(bubble=bubble, email="g@x.test", actor=people["member"])


@pytest.mark.parametrize("email", ["", "not-an-address", "a@"])
def test_a_bad_address_is_refused(bubble, people, email):
    with pytest.raises(ApplicationError, match="valid email"):
        invite(bubble, people, email)
    assert not GuestInvitation.objects.exists()


def test_the_link_works_once_for_its_address(bubble, people):
    invitation = invite(bubble, people)
    member = services.bubble_guest_redeem(token=invitation.token, email="GUEST@outside.test")
    assert member.status == MemberStatus.ACCEPTED
    with pytest.raises(ApplicationError, match="already used"):
        services.bubble_guest_redeem(token=invitation.token, email="guest@outside.test")


def test_a_forwarded_link_is_refused_and_stays_usable_by_its_owner(bubble, people):
    invitation = invite(bubble, people)
    with pytest.raises(ApplicationError, match="another address"):
        services.bubble_guest_redeem(token=invitation.token, email="friend@else.test")
    assert GuestInvitation.objects.get().used_at is None
    services.bubble_guest_redeem(token=invitation.token, email="guest@outside.test")


def test_an_expired_link_is_refused(bubble, people):
    invitation = invite(bubble, people)
    GuestInvitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(ApplicationError, match="expired"):
        services.bubble_guest_redeem(token=invitation.token, email="guest@outside.test")


def test_an_unknown_token_is_refused(bubble, people):
    with pytest.raises(ApplicationError, match="not valid"):
        services.bubble_guest_redeem(token="nope", email="guest@outside.test")


@pytest.mark.parametrize("close", ["archive", "delete"])
def test_closing_the_bubble_revokes_links_and_guest_access(bubble, people, close):
    used = invite(bubble, people, "used@outside.test")
    guest = services.bubble_guest_redeem(token=used.token, email="used@outside.test")
    pending = invite(bubble, people, "later@outside.test")
    getattr(services, f"bubble_{close}")(bubble=bubble, actor=people["organizer"])
    assert GuestInvitation.objects.filter(revoked_at__isnull=True).count() == 0
    with pytest.raises(ApplicationError, match="withdrawn"):
        services.bubble_guest_redeem(token=pending.token, email="later@outside.test")
    with pytest.raises(PermissionDenied):
        guest_member_get(member_id=guest.pk)


def test_removing_a_guest_ends_their_access(bubble, people):
    invitation = invite(bubble, people)
    guest = services.bubble_guest_redeem(token=invitation.token, email="guest@outside.test")
    services.bubble_member_remove(member=guest, actor=people["organizer"])
    with pytest.raises(PermissionDenied):
        guest_member_get(member_id=guest.pk)


def test_guest_access_expires_with_the_invitation(bubble, people):
    invitation = invite(bubble, people)
    guest = services.bubble_guest_redeem(token=invitation.token, email="guest@outside.test")
    GuestInvitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(PermissionDenied):
        guest_member_get(member_id=guest.pk)


def test_guest_invitations_are_rate_limited(bubble, people, monkeypatch):
    monkeypatch.setitem(GUEST_INVITE_LIMITS, "user", (2, 3600))
    invite(bubble, people, "a@outside.test")
    invite(bubble, people, "b@outside.test")
    with pytest.raises(ApplicationError, match="Too many") as caught:
        invite(bubble, people, "c@outside.test")
    assert caught.value.code == "rate_limited"
    assert GuestInvitation.objects.count() == 2


def test_guests_are_never_in_the_directory(bubble, people):
    from accounts.models import User

    invitation = invite(bubble, people)
    services.bubble_guest_redeem(token=invitation.token, email="guest@outside.test")
    # A guest is an address on a bubble membership, never an account: nothing to find.
    assert not User.objects.filter(email__iexact="guest@outside.test").exists()


# --- Conference ------------------------------------------------------------------------------


def test_a_member_cannot_start_the_conference(bubble, people):
    with pytest.raises(PermissionDenied):
        services.conference_start(member=membership(bubble, people["member"]), actor=None)


def test_lobby_admission_and_end(bubble, people):
    co = membership(bubble, people["co"])
    plain = membership(bubble, people["member"])
    org = membership(bubble, people["organizer"])
    conference = services.conference_start(member=co, actor=people["co"])
    with pytest.raises(ApplicationError, match="already running"):
        services.conference_start(member=org, actor=people["organizer"])
    waiting = services.conference_join(member=plain, actor=people["member"])
    assert waiting.state == LobbyState.WAITING
    # The organizer must be present to admit: joining makes them present at once.
    with pytest.raises(ApplicationError, match="Join the conference"):
        services.conference_admit(entry=waiting, member=org, actor=people["organizer"])
    assert services.conference_join(member=org, actor=None).state == LobbyState.ADMITTED
    with pytest.raises(PermissionDenied):
        services.conference_admit(entry=waiting, member=plain, actor=people["member"])
    services.conference_admit(entry=waiting, member=org, actor=people["organizer"])
    assert ConferenceEntry.objects.get(pk=waiting.pk).state == LobbyState.ADMITTED
    with pytest.raises(PermissionDenied):
        services.conference_end(member=plain, actor=people["member"])
    services.conference_end(member=co, actor=people["co"])
    conference.refresh_from_db()
    assert conference.state == "ended"
    with pytest.raises(ApplicationError, match="not started"):
        services.conference_join(member=plain, actor=people["member"])


def test_non_invitees_are_refused(bubble, people):
    co = membership(bubble, people["co"])
    services.conference_start(member=co, actor=people["co"])
    services.bubble_leave(bubble=bubble, actor=people["member"])
    gone = bubble.members.get(user=people["member"])
    with pytest.raises(PermissionDenied):
        services.conference_join(member=gone, actor=people["member"])


def test_guest_acts_only_while_admitted_in_a_running_conference(bubble, people):
    invitation = invite(bubble, people)
    guest = services.bubble_guest_redeem(token=invitation.token, email="guest@outside.test")
    guest = guest_member_get(member_id=guest.pk)
    with pytest.raises(PermissionDenied, match="conference"):
        services.message_post(member=guest, body="hello?", actor=None)
    co = membership(bubble, people["co"])
    services.conference_start(member=co, actor=people["co"])
    entry = services.conference_join(member=guest, actor=None)
    assert entry.state == LobbyState.WAITING
    with pytest.raises(PermissionDenied):
        services.message_post(member=guest, body="let me in", actor=None)
    services.conference_admit(entry=entry, member=co, actor=people["co"])
    services.message_post(member=guest, body="thanks!", actor=None)
    services.conference_end(member=co, actor=people["co"])
    with pytest.raises(PermissionDenied):
        services.message_post(member=guest, body="still here", actor=None)
    # Guests hold no role right, even admitted.
    with pytest.raises(PermissionDenied):
        services.conference_start(member=guest, actor=None)
