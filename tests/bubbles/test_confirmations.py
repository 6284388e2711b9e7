"""Archiving, deleting and removing a participant ask first, on a page of their own, without
JavaScript (issue 14): the GET names what will happen, the POST from that page acts."""

import pytest
from django.urls import reverse

from bubbles.models import Bubble, BubbleStatus, MemberStatus

from .conftest import membership

pytestmark = pytest.mark.django_db


def _asks(client, url, *texts):
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="confirm"' in body and '<form method="post"' in body
    for text in texts:
        assert text in body
    return body


def test_the_bubble_page_links_to_the_confirmations(client, bubble, people):
    client.force_login(people["organizer"])
    page = client.get(reverse("bubbles:detail", args=[bubble.pk])).content.decode()
    member = membership(bubble, people["member"])
    for url in (
        reverse("bubbles:archive", args=[bubble.pk]),
        reverse("bubbles:delete", args=[bubble.pk]),
        reverse("bubbles:member-action", args=[bubble.pk, member.pk, "remove"]),
    ):
        assert f'href="{url}"' in page
        assert f'action="{url}"' not in page  # no form that acts straight from the list


def test_archive_asks_then_acts(client, bubble, people):
    client.force_login(people["organizer"])
    url = reverse("bubbles:archive", args=[bubble.pk])
    _asks(client, url, "Archive the bubble “Launch”?", "This cannot be undone.", "read-only")
    assert Bubble.objects.get(pk=bubble.pk).status == BubbleStatus.ACTIVE
    client.post(url)
    assert Bubble.objects.get(pk=bubble.pk).status == BubbleStatus.ARCHIVED


def test_delete_asks_then_acts(client, bubble, people):
    client.force_login(people["organizer"])
    url = reverse("bubbles:delete", args=[bubble.pk])
    _asks(client, url, "Delete the bubble “Launch”?", "cannot be restored")
    assert Bubble.objects.get(pk=bubble.pk).status == BubbleStatus.ACTIVE
    assert client.post(url)["Location"] == reverse("bubbles:list")
    assert Bubble.objects.get(pk=bubble.pk).status == BubbleStatus.DELETED


def test_remove_participant_asks_then_acts(client, bubble, people):
    client.force_login(people["organizer"])
    member = membership(bubble, people["member"])
    url = reverse("bubbles:member-action", args=[bubble.pk, member.pk, "remove"])
    _asks(client, url, member.display_name, "leaves the bubble")
    assert membership(bubble, people["member"]).status == MemberStatus.ACCEPTED
    client.post(url)
    assert not bubble.members.filter(user=people["member"], status=MemberStatus.ACCEPTED).exists()


def test_without_the_right_the_get_goes_back_with_the_refusal(client, bubble, people):
    client.force_login(people["member"])
    organizer = membership(bubble, people["organizer"])
    for url in (
        reverse("bubbles:archive", args=[bubble.pk]),
        reverse("bubbles:delete", args=[bubble.pk]),
        reverse("bubbles:member-action", args=[bubble.pk, organizer.pk, "remove"]),
        reverse("bubbles:member-action", args=[bubble.pk, organizer.pk, "promote"]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("bubbles:detail", args=[bubble.pk]))
    assert Bubble.objects.get(pk=bubble.pk).status == BubbleStatus.ACTIVE
    client.force_login(people["outsider"])
    assert client.get(reverse("bubbles:archive", args=[bubble.pk])).status_code == 404
