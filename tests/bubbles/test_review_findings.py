"""Review findings on bubbles: who archives (SPEC §6.1, D11a.9), expired guests (SPEC §6.2),
the conversation export (SPEC §6.6, §7.9, §9.1), transfers to closed accounts (SPEC §6.3)
and guests across the China boundary (SPEC §2.3, D3.10)."""

import smtplib
import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from activity.models import ActivityRecord
from bubbles import export_services, selectors, services
from bubbles.models import (
    Bubble,
    BubbleMember,
    BubbleStatus,
    GuestInvitation,
    MemberRole,
    MemberStatus,
    Message,
)
from bubbles.sealing import seal_body
from companies.models import Region
from core.delivery import email_deliver
from core.models import OutboundEmail
from rainbow_portal.exceptions import ApplicationError
from tests.factories import CompanyFactory, UserFactory, login_with_second_factor

from .conftest import add_accepted, membership

pytestmark = pytest.mark.django_db


def api_for(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


# --- 1. A superadmin archives only as the organizer (SPEC §6.1, D11a.9) ---------------------


@pytest.fixture
def superadmin_member(bubble, people, company):
    admin = UserFactory(company=company, email="root@acme.test", is_superuser=True)
    add_accepted(bubble, admin, people["organizer"])
    return admin


def test_a_superadmin_member_cannot_archive_through_the_service(bubble, superadmin_member):
    with pytest.raises(PermissionDenied):
        services.bubble_archive(bubble=bubble, actor=superadmin_member)
    assert Bubble.objects.get(pk=bubble.pk).status == BubbleStatus.ACTIVE


def test_a_superadmin_only_invited_cannot_archive(bubble, people, company):
    admin = UserFactory(company=company, email="root2@acme.test", is_superuser=True)
    services.bubble_member_add(bubble=bubble, user=admin, actor=people["organizer"])
    with pytest.raises(PermissionDenied):
        services.bubble_archive(bubble=bubble, actor=admin)
    assert Bubble.objects.get(pk=bubble.pk).status == BubbleStatus.ACTIVE


def test_a_superadmin_member_cannot_archive_on_the_page(client, bubble, superadmin_member):
    login_with_second_factor(client, superadmin_member)
    page = client.post(reverse("bubbles:archive", args=[bubble.pk]), follow=True)
    assert Bubble.objects.get(pk=bubble.pk).status == BubbleStatus.ACTIVE
    assert "Only the bubble&#x27;s organizer can archive it." in page.content.decode()


def test_a_superadmin_member_cannot_archive_through_the_api(bubble, superadmin_member):
    response = api_for(superadmin_member).post(reverse("api:bubble-archive", args=[bubble.pk]))
    assert response.status_code == 403
    assert Bubble.objects.get(pk=bubble.pk).status == BubbleStatus.ACTIVE


def test_the_scheduled_system_still_archives(bubble):
    services.bubble_archive(bubble=bubble, actor=None)
    assert Bubble.objects.get(pk=bubble.pk).status == BubbleStatus.ARCHIVED


# --- 3. Expired guests (SPEC §6.2: they expire with their invitation) ------------------------


def _expire(invitation):
    GuestInvitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )


def invite(bubble, people, email="guest@outside.test"):
    return services.bubble_guest_invite(bubble=bubble, email=email, actor=people["co"])


def test_an_expired_guest_can_be_invited_again(bubble, people):
    first = invite(bubble, people)
    _expire(first)
    second = invite(bubble, people)
    assert second.member_id != first.member_id
    old = BubbleMember.objects.get(pk=first.member_id)
    assert old.status == MemberStatus.REMOVED
    assert ActivityRecord.objects.filter(event="bubble.guest.expired").count() == 1
    # The new link works; the old one still says it expired.
    member = services.bubble_guest_redeem(token=second.token, email="guest@outside.test")
    assert member.status == MemberStatus.ACCEPTED
    with pytest.raises(ApplicationError, match="expired"):
        services.bubble_guest_redeem(token=first.token, email="guest@outside.test")


def test_an_accepted_guest_whose_invitation_expired_can_be_invited_again(bubble, people):
    first = invite(bubble, people)
    services.bubble_guest_redeem(token=first.token, email="guest@outside.test")
    _expire(first)
    invite(bubble, people)
    assert BubbleMember.objects.get(pk=first.member_id).status == MemberStatus.REMOVED


def test_a_guest_still_invited_blocks_a_second_invitation(bubble, people):
    invite(bubble, people)
    with pytest.raises(ApplicationError, match="already invited"):
        invite(bubble, people)


def test_expired_guests_are_neither_listed_nor_counted(client, bubble, people, company):
    kept = invite(bubble, people, "kept@outside.test")
    gone = invite(bubble, people, "gone@outside.test")
    _expire(gone)
    listed = {m.guest_email for m in selectors.participant_list(bubble=bubble) if m.is_guest}
    assert listed == {kept.email}
    row = selectors.company_bubble_list(company=company).get(pk=bubble.pk)
    assert row.participant_count == 3 + 1  # organizer, co, member; the guest still invited
    api = api_for(people["organizer"]).get(reverse("api:bubble-members", args=[bubble.pk]))
    assert "gone@outside.test" not in api.content.decode()
    client.force_login(people["organizer"])
    page = client.get(reverse("bubbles:detail", args=[bubble.pk])).content.decode()
    assert "kept@outside.test" in page and "gone@outside.test" not in page


# --- 4. The export survives an unreadable message and keeps the newest (SPEC §6.6) ---------


def _message(bubble, author, body, at):
    row = Message(id=uuid.uuid4(), bubble=bubble, author=author, created_at=at)
    row.body_sealed = seal_body(message=row, body=body)
    row.save()
    return row


def _export_text(bubble, user, django_capture_on_commit_callbacks, smtp_server):
    with django_capture_on_commit_callbacks(execute=True):
        services.conversation_email_request(member=membership(bubble, user), actor=user)
    return smtp_server.text()


def test_an_unreadable_message_does_not_stop_the_export(
    bubble, people, django_capture_on_commit_callbacks, smtp_server
):
    author = membership(bubble, people["co"])
    start = timezone.now() - timedelta(hours=1)
    a = _message(bubble, author, "first words", start)
    b = _message(bubble, author, "second words", start + timedelta(minutes=1))
    Message.objects.filter(pk=b.pk).update(body_sealed=bytes(a.body_sealed))  # moved: unreadable
    text = _export_text(bubble, people["member"], django_capture_on_commit_callbacks, smtp_server)
    assert "first words" in text
    assert "(This message cannot be read.)" in text


def test_a_long_conversation_keeps_the_newest_in_order_and_says_so(
    bubble, people, monkeypatch, django_capture_on_commit_callbacks, smtp_server
):
    monkeypatch.setattr(export_services, "EXPORT_MAX_MESSAGES", 3)
    author = membership(bubble, people["co"])
    start = timezone.now() - timedelta(hours=1)
    for i in range(5):
        _message(bubble, author, f"msg-{i}-end", start + timedelta(minutes=i))
    text = _export_text(bubble, people["member"], django_capture_on_commit_callbacks, smtp_server)
    assert "msg-0-end" not in text and "msg-1-end" not in text
    assert text.index("msg-2-end") < text.index("msg-3-end") < text.index("msg-4-end")
    assert "older messages" in text.lower()


def test_a_short_conversation_says_nothing_was_left_out(
    bubble, people, django_capture_on_commit_callbacks, smtp_server
):
    _message(bubble, membership(bubble, people["co"]), "only one", timezone.now())
    text = _export_text(bubble, people["member"], django_capture_on_commit_callbacks, smtp_server)
    assert "only one" in text and "older messages" not in text.lower()


# --- 2. The export's body is not stored in clear (SPEC §9.1) --------------------------------


def _raw_bodies(email_id) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM core_outboundemail WHERE id = %s", [email_id])
        row = cursor.fetchone()
    return " ".join(bytes(v).hex() if isinstance(v, bytes | memoryview) else str(v) for v in row)


def test_a_queued_export_holds_no_message_in_clear(
    bubble, people, django_capture_on_commit_callbacks, smtp_server, settings
):
    _message(bubble, membership(bubble, people["co"]), "the merger is secret", timezone.now())
    settings.EMAIL_BACKEND = "tests.bubbles.test_review_findings.RefusingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        services.conversation_email_request(
            member=membership(bubble, people["member"]), actor=people["member"]
        )
    email = OutboundEmail.objects.get(template="bubble_conversation")
    assert email.status == OutboundEmail.Status.QUEUED  # the SMTP server said "later"
    raw = _raw_bodies(email.pk)
    assert "merger" not in raw and b"merger".hex() not in raw
    # Opened at send time: the retry delivers the conversation.
    settings.EMAIL_BACKEND = "core.mail.DkimSmtpBackend"
    assert email_deliver(email_id=email.pk) is True
    assert "the merger is secret" in smtp_server.text()


class RefusingBackend:
    """An SMTP server that answers 451 (try later)."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise smtplib.SMTPDataError(451, b"try later")


# --- 5. The export is rate-limited (SPEC §7.9) ----------------------------------------------


@pytest.fixture
def one_export_an_hour(settings):
    settings.EMAIL_ACTION_LIMITS = {
        **settings.EMAIL_ACTION_LIMITS,
        "conversation_export": {"user": (1, 3600), "company": (100, 3600), "address": (1, 3600)},
    }


def test_the_export_limit_is_configured(settings):
    limits = settings.EMAIL_ACTION_LIMITS["conversation_export"]
    assert set(limits) == {"user", "company", "address"}


def test_the_export_page_says_when_to_try_again(
    client, bubble, people, one_export_an_hour, django_capture_on_commit_callbacks
):
    client.force_login(people["member"])
    url = reverse("bubbles:conversation-email", args=[bubble.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    response = client.post(url, follow=True)
    assert "Try again in" in response.content.decode()
    assert OutboundEmail.objects.filter(template="bubble_conversation").count() == 1
    assert ActivityRecord.objects.filter(event="bubble.conversation.emailed").count() == 1


def test_the_export_api_answers_429_with_retry_after(
    bubble, people, one_export_an_hour, django_capture_on_commit_callbacks
):
    api = api_for(people["member"])
    url = reverse("api:bubble-conversation-email", args=[bubble.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(url).status_code == 202
    response = api.post(url)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


# --- 6. No ownership or promotion for a closed account (SPEC §6.3) -------------------------


def test_ownership_does_not_go_to_a_closed_account(bubble, people):
    co = membership(bubble, people["co"])
    type(people["co"]).objects.filter(pk=people["co"].pk).update(is_active=False)
    with pytest.raises(ApplicationError, match="closed"):
        services.bubble_ownership_transfer(bubble=bubble, to=co, actor=people["organizer"])
    assert membership(bubble, people["organizer"]).role == MemberRole.ORGANIZER


def test_a_closed_account_is_not_promoted(bubble, people):
    member = membership(bubble, people["member"])
    type(people["member"]).objects.filter(pk=people["member"].pk).update(is_active=False)
    with pytest.raises(ApplicationError, match="closed"):
        services.bubble_co_organizer_promote(member=member, actor=people["organizer"])
    assert membership(bubble, people["member"]).role == MemberRole.MEMBER


# --- 7. Guests never cross the China boundary (SPEC §2.3, D3.10) ---------------------------


@pytest.fixture
def china_person(db):
    return UserFactory(company=CompanyFactory(region=Region.CHINA), email="li@china.test")


def test_a_guest_invitation_to_a_china_account_answers_like_any_other(bubble, people, china_person):
    invitation = invite(bubble, people, china_person.email)
    unknown = invite(bubble, people, "nobody@nowhere.test")
    assert invitation.pk and unknown.pk  # same answer: the inviter learns nothing


def test_a_china_account_cannot_redeem_a_guest_link(bubble, people, china_person):
    invitation = invite(bubble, people, china_person.email)
    with pytest.raises(ApplicationError, match="region"):
        services.bubble_guest_redeem(token=invitation.token, email=china_person.email)
    invitation.refresh_from_db()
    assert invitation.used_at is None
    assert BubbleMember.objects.get(pk=invitation.member_id).status == MemberStatus.INVITED


def test_a_china_bubble_guest_link_refuses_an_account_from_elsewhere(db):
    china = CompanyFactory(region=Region.CHINA)
    organizer = UserFactory(company=china, email="org@china.test")
    bubble = services.bubble_create(name="Beijing", actor=organizer)
    outsider = UserFactory(company=CompanyFactory(region="EMEA"), email="eu@emea.test")
    invitation = services.bubble_guest_invite(bubble=bubble, email=outsider.email, actor=organizer)
    with pytest.raises(ApplicationError, match="region"):
        services.bubble_guest_redeem(token=invitation.token, email=outsider.email)


def test_a_guest_without_an_account_still_redeems(bubble, people):
    invitation = invite(bubble, people, "nobody@nowhere.test")
    member = services.bubble_guest_redeem(token=invitation.token, email="nobody@nowhere.test")
    assert member.status == MemberStatus.ACCEPTED
