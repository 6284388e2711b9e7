"""Bubble pages for users, guests and company admins."""

import re
import uuid
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bubbles import selectors, services
from bubbles.models import BubbleFile, ConferenceEntry, GuestInvitation, Message
from companies.models import Role
from tests.factories import CompanyFactory, UserFactory

from .conftest import EICAR, membership

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_sign_in(client, bubble):
    response = client.get(reverse("bubbles:detail", args=[bubble.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_nav_entry_and_create(client, people):
    client.force_login(people["organizer"])
    listing = client.get(reverse("bubbles:list"))
    assert listing.status_code == 200
    assert f'href="{reverse("bubbles:list")}"' in listing.content.decode()
    response = client.post(reverse("bubbles:list"), {"name": "Page room", "topic": ""}, follow=True)
    assert response.status_code == 200
    assert "Page room" in response.content.decode()


def test_create_with_no_name_is_a_form_error(client, people):
    client.force_login(people["organizer"])
    assert client.post(reverse("bubbles:list"), {"name": ""}).status_code == 400


def test_a_stranger_gets_404(client, bubble, people):
    client.force_login(people["outsider"])
    assert client.get(reverse("bubbles:detail", args=[bubble.pk])).status_code == 404


def test_member_sees_no_organizer_controls(client, bubble, people):
    client.force_login(people["member"])
    page = client.get(reverse("bubbles:detail", args=[bubble.pk])).content.decode()
    assert "Add participant" not in page and "Delete the bubble" not in page
    assert "Conference link" not in page
    client.force_login(people["organizer"])
    page = client.get(reverse("bubbles:detail", args=[bubble.pk])).content.decode()
    assert "Add participant" in page and "Conference link" in page


def test_refusals_are_messages_not_errors(client, bubble, people):
    client.force_login(people["member"])
    response = client.post(reverse("bubbles:delete", args=[bubble.pk]), follow=True)
    assert response.status_code == 200
    assert "Only the bubble&#x27;s organizer can delete it." in response.content.decode()
    plain = membership(bubble, people["member"])
    client.force_login(people["organizer"])
    response = client.post(
        reverse("bubbles:member-action", args=[bubble.pk, plain.pk, "transfer"]), follow=True
    )
    assert "current co-organizer" in response.content.decode()


def test_post_and_delete_last_message_on_the_page(client, bubble, people):
    client.force_login(people["member"])
    client.post(reverse("bubbles:message-post", args=[bubble.pk]), {"body": "page hello"})
    message = Message.objects.get()
    page = client.get(reverse("bubbles:detail", args=[bubble.pk])).content.decode()
    assert "page hello" in page and "Delete my last message" in page
    client.post(reverse("bubbles:message-delete", args=[bubble.pk, message.pk]))
    assert Message.objects.get().deleted_at is not None


def _page_queries(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_detail_page_query_count_is_constant(client, bubble, people):
    """The same queries at 5 and at 80 messages, on the first page and on a deeper one (the
    deep page asks for the conversation's last message inside the page's own query)."""
    author = membership(bubble, people["member"])
    client.force_login(people["member"])
    url = reverse("bubbles:detail", args=[bubble.pk])
    client.get(url)  # the session's first request also notes the sign-in's last use
    counts = []
    for size in (5, 80):
        while Message.objects.filter(bubble=bubble).count() < size:
            services.message_post(member=author, body="m", actor=None)
        count, page = _page_queries(client, url)
        assert page.count('data-testid="message"') == min(size, 50)
        counts.append(count)
    first, _ = selectors.message_page(bubble=bubble)
    deep_count, deep = _page_queries(client, url, {"before": selectors.encode_cursor(first[-1])})
    assert deep.count('data-testid="message"') == 30
    counts.append(deep_count)
    assert len(set(counts)) == 1, counts
    # The session; the account with its company, policy, roles and operations flag (one
    # query, accounts.backends); the membership with the bubble, conference and file sharing;
    # the messages with their files; the company's keys; the participants; the request's
    # activity record (written directly in the tests); the company's SSO rule, asked of a
    # password session on every page (D17s.7).
    assert counts[0] == 8, counts


def test_only_the_conversations_last_message_offers_deletion_on_any_page(client, bubble, people):
    author = membership(bubble, people["member"])
    for i in range(60):
        services.message_post(member=author, body=f"m{i}", actor=None)
    client.force_login(people["member"])
    url = reverse("bubbles:detail", args=[bubble.pk])
    first, _ = selectors.message_page(bubble=bubble)
    assert "Delete my last message" in client.get(url).content.decode()
    deep = client.get(url, {"before": selectors.encode_cursor(first[-1])}).content.decode()
    assert "Delete my last message" not in deep
    # A cursor from the future (hand-made) starts at the newest message: it is the last one.
    future = Message(id=uuid.UUID(int=2**128 - 1), created_at=timezone.now() + timedelta(days=1))
    page = client.get(url, {"before": selectors.encode_cursor(future)}).content.decode()
    assert page.count("Delete my last message") == 1
    client.force_login(people["co"])  # not the author: nothing to delete
    assert "Delete my last message" not in client.get(url).content.decode()


def test_upload_download_and_eicar_on_the_page(client, bubble, people, clamd):
    client.force_login(people["member"])
    url = reverse("bubbles:file-upload", args=[bubble.pk])
    client.post(url, {"file": SimpleUploadedFile("plan.txt", b"the plan")})
    row = BubbleFile.objects.get()
    download = client.get(reverse("bubbles:file-download", args=[bubble.pk, row.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"the plan"
    assert 'filename="plan.txt"' in download["Content-Disposition"]
    refused = client.post(url, {"file": SimpleUploadedFile("e.com", EICAR)}, follow=True)
    assert "virus scanner" in refused.content.decode()
    assert BubbleFile.objects.count() == 1


def test_guest_journey_through_the_lobby(client, bubble, people):
    invitation = services.bubble_guest_invite(
        bubble=bubble, email="guest@outside.test", actor=people["organizer"]
    )
    join = reverse("bubbles:guest-join", args=[invitation.token])
    assert client.get(join).status_code == 200
    forwarded = client.post(join, {"email": "friend@else.test"})
    assert forwarded.status_code == 400
    assert "another address" in forwarded.content.decode()
    response = client.post(join, {"email": "guest@outside.test"})
    assert response.status_code == 302
    conference_url = reverse("bubbles:conference", args=[bubble.pk])
    assert response["Location"] == conference_url
    # The guest sees only this bubble.
    other = services.bubble_create(name="Other", actor=people["organizer"])
    assert client.get(reverse("bubbles:detail", args=[other.pk])).status_code == 404
    state = client.get(reverse("bubbles:conference-state", args=[bubble.pk])).content.decode()
    assert "has not started" in state
    # Reusing the link: refused.
    assert client.post(join, {"email": "guest@outside.test"}).status_code == 410
    co = membership(bubble, people["co"])
    services.conference_start(member=co, actor=people["co"])
    client.post(reverse("bubbles:conference-join", args=[bubble.pk]))
    assert "in the lobby" in client.get(conference_url).content.decode()
    entry = ConferenceEntry.objects.get(member__guest_email="guest@outside.test")
    services.conference_admit(entry=entry, member=co, actor=people["co"])
    assert (
        "You are in the conference"
        in client.get(reverse("bubbles:conference-state", args=[bubble.pk])).content.decode()
    )
    client.post(reverse("bubbles:message-post", args=[bubble.pk]), {"body": "guest says hi"})
    assert Message.objects.get().author.guest_email == "guest@outside.test"
    services.conference_end(member=co, actor=people["co"])
    assert "Create one" in client.get(conference_url).content.decode()
    # Archiving ends the guest's access.
    services.bubble_archive(bubble=bubble, actor=people["organizer"])
    assert client.get(conference_url).status_code == 403


def test_expired_link_page(client, bubble, people):
    from datetime import timedelta

    from django.utils import timezone

    invitation = services.bubble_guest_invite(
        bubble=bubble, email="guest@outside.test", actor=people["organizer"]
    )
    GuestInvitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.get(reverse("bubbles:guest-join", args=[invitation.token]))
    assert response.status_code == 410
    assert "expired" in response.content.decode()


def test_lobby_page_polls_without_inline_script(client, bubble, people):
    client.force_login(people["co"])
    page = client.get(reverse("bubbles:conference", args=[bubble.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert "style=" not in page


def test_admin_pages(client, bubble, people, company):
    admin = UserFactory(company=company, roles=[Role.COMPANY_ADMIN])
    client.force_login(admin)
    services.message_post(
        member=membership(bubble, people["member"]), body="private words", actor=None
    )
    page = client.get(reverse("bubbles:company", args=[company.slug])).content.decode()
    assert "Launch" in page and "private words" not in page
    client.force_login(people["member"])
    assert client.get(reverse("bubbles:company", args=[company.slug])).status_code == 403
    client.force_login(UserFactory(company=CompanyFactory(), roles=[Role.COMPANY_ADMIN]))
    assert client.get(reverse("bubbles:company", args=[company.slug])).status_code == 404


def test_admin_reassigns_on_the_page(client, bubble, people, company):
    admin = UserFactory(company=company, roles=[Role.COMPANY_ADMIN])
    people["organizer"].is_active = False
    people["organizer"].save()
    client.force_login(admin)
    url = reverse("bubbles:company-bubble", args=[company.slug, bubble.pk])
    assert "New organizer" in client.get(url).content.decode()
    target = membership(bubble, people["member"])
    client.post(url, {"member": target.pk})
    assert membership(bubble, people["member"]).role == "organizer"


def test_the_page_reads_file_sharing_with_the_membership_and_applies_the_rule(
    client, bubble, people, company
):
    """The settings come joined to the membership row (D11c.2): each change shows at once."""
    from companies.membership.services import company_file_sharing_set, member_file_sharing_set

    url = reverse("bubbles:detail", args=[bubble.pk])
    client.force_login(people["member"])
    assert "Upload file" in client.get(url).content.decode()
    company_file_sharing_set(company=company, enabled=False, actor=None)
    page = client.get(url).content.decode()
    assert "File sharing is switched off for you." in page and "Upload file" not in page
    member_file_sharing_set(member=people["member"], mode="enabled", actor=None)
    assert "Upload file" in client.get(url).content.decode()  # the user's setting wins
    company_file_sharing_set(company=company, enabled=True, actor=None)
    member_file_sharing_set(member=people["member"], mode="disabled", actor=None)
    assert "Upload file" not in client.get(url).content.decode()
