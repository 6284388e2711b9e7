"""A guest link opened by someone who is signed in (issue 11): a clear page, never a 404, and
the link is not used up by an account that cannot be its guest."""

import pytest
from django.urls import reverse

from bubbles import services
from bubbles.models import GuestInvitation

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation(bubble, people):
    return services.bubble_guest_invite(
        bubble=bubble, email="guest@outside.test", actor=people["organizer"]
    )


def test_signed_in_outsider_is_told_the_link_is_for_a_guest(client, invitation, people):
    client.force_login(people["outsider"])
    join = reverse("bubbles:guest-join", args=[invitation.token])
    page = client.get(join)
    assert page.status_code == 200
    text = page.content.decode()
    assert "for a guest" in text
    assert "out@acme.test" in text  # who is signed in
    # The offer: sign out and come back to this very link as a guest.
    assert f'name="next" value="{join}"' in text
    assert reverse("accounts:logout") in text
    assert 'name="email"' not in text  # no guest form while signed in


def test_signed_in_outsider_posting_the_guest_form_uses_nothing(client, invitation, people):
    client.force_login(people["outsider"])
    join = reverse("bubbles:guest-join", args=[invitation.token])
    response = client.post(join, {"email": "guest@outside.test"}, follow=True)
    assert response.status_code == 403
    assert "for a guest" in response.content.decode()
    row = GuestInvitation.objects.get(pk=invitation.pk)
    assert row.used_at is None  # still there for the guest it was sent to
    assert row.member.status == "invited"


def test_signed_in_participant_goes_to_the_bubble(client, bubble, invitation, people):
    client.force_login(people["member"])
    response = client.get(reverse("bubbles:guest-join", args=[invitation.token]))
    assert response.status_code == 302
    assert response["Location"] == reverse("bubbles:detail", args=[bubble.pk])
    assert GuestInvitation.objects.get(pk=invitation.pk).used_at is None


def test_signing_out_from_the_page_comes_back_to_the_link_as_a_guest(client, invitation, people):
    client.force_login(people["outsider"])
    join = reverse("bubbles:guest-join", args=[invitation.token])
    out = client.post(reverse("accounts:logout"), {"next": join})
    assert out.status_code == 302
    assert out["Location"] == join
    page = client.get(join).content.decode()
    assert 'name="email"' in page  # now the guest form
    joined = client.post(join, {"email": "guest@outside.test"})
    assert joined["Location"] == reverse("bubbles:conference", args=[invitation.bubble_id])


def test_a_refused_link_says_so_to_a_signed_in_person_too(client, invitation, people):
    GuestInvitation.objects.filter(pk=invitation.pk).update(revoked_at="2026-01-01T00:00Z")
    client.force_login(people["outsider"])
    response = client.get(reverse("bubbles:guest-join", args=[invitation.token]))
    assert response.status_code == 410
    assert "withdrawn" in response.content.decode()
