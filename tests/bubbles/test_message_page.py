"""The message page's one statement (bubbles.selectors.message_page, issue 11): each file on
its own message, authors named as everywhere else, and the page boundary right with files."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bubbles import selectors
from bubbles.models import BubbleFile, BubbleMember, MemberRole, MemberStatus, Message
from bubbles.sealing import seal_body

from .conftest import membership

pytestmark = pytest.mark.django_db


def message(bubble, author, body, at):
    row = Message(id=uuid.uuid4(), bubble=bubble, author=author, created_at=at)
    row.body_sealed = seal_body(message=row, body=body)
    row.save()
    return row


def attach(message_row, name, at, **extra):
    return BubbleFile.objects.create(
        bubble=message_row.bubble,
        message=message_row,
        uploader=message_row.author,
        storage_name=uuid.uuid4().hex,
        sha256="0" * 64,
        display_name=name,
        size=10,
        content_type="text/plain",
        created_at=at,
        **extra,
    )


def test_files_land_on_their_message_and_the_page_ends_where_it_should(bubble, people):
    author = membership(bubble, people["member"])
    start = timezone.now() - timedelta(hours=1)
    rows = [message(bubble, author, f"m{i}", start + timedelta(minutes=i)) for i in range(5)]
    attach(rows[4], "b.txt", start + timedelta(minutes=30))
    attach(rows[4], "a.txt", start + timedelta(minutes=20))  # uploaded first: shown first
    attach(rows[4], "gone.txt", start, deleted_at=timezone.now())
    attach(rows[2], "only-on-the-next-page.txt", start)
    attach(rows[1], "beyond-the-page.txt", start)  # on the row that says "more"

    page, cursor = selectors.message_page(bubble=bubble, limit=3)
    assert [m.body for m in page] == ["m4", "m3", "m2"]
    assert [[f.display_name for f in m.live_files] for m in page] == [
        ["a.txt", "b.txt"],
        [],
        ["only-on-the-next-page.txt"],
    ]
    assert cursor and [m.is_last for m in page] == [True, False, False]

    older, cursor = selectors.message_page(bubble=bubble, before=cursor, limit=3)
    assert [m.body for m in older] == ["m1", "m0"] and not cursor
    assert [f.display_name for f in older[0].live_files] == ["beyond-the-page.txt"]
    assert not any(m.is_last for m in older)


def test_authors_are_named_as_the_participant_list_names_them(bubble, people):
    named = membership(bubble, people["member"])
    named.user.first_name, named.user.last_name = "Ada", "Lovelace"
    named.user.save()
    unnamed = membership(bubble, people["co"])
    unnamed.user.first_name = unnamed.user.last_name = ""
    unnamed.user.save()
    guest = BubbleMember.objects.create(
        bubble=bubble,
        guest_email="visitor@elsewhere.test",
        role=MemberRole.GUEST,
        status=MemberStatus.ACCEPTED,
    )
    start = timezone.now() - timedelta(hours=1)
    for i, author in enumerate((named, unnamed, guest)):
        message(bubble, author, "hello", start + timedelta(minutes=i))
    page, _ = selectors.message_page(bubble=bubble)
    expected = [
        BubbleMember.objects.select_related("user").get(pk=m.pk).display_name
        for m in (guest, unnamed, named)
    ]
    assert [m.author_name for m in page] == expected
    assert expected == ["visitor@elsewhere.test (guest)", "co@acme.test", "Ada Lovelace"]


def test_the_page_escapes_what_people_wrote_and_named(client, bubble, people):
    author = membership(bubble, people["member"])
    author.user.first_name = "<i>Eve</i>"
    author.user.save()
    row = message(bubble, author, "<script>alert(1)</script>\nline two", timezone.now())
    attach(row, '"><img src=x onerror=alert(2)>.txt', timezone.now())
    client.force_login(people["member"])
    page = client.get(reverse("bubbles:detail", args=[bubble.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>line two" in page
    assert "&lt;i&gt;Eve&lt;/i&gt;" in page and "<i>Eve</i>" not in page
    assert "&quot;&gt;&lt;img src=x onerror=alert(2)&gt;.txt" in page
    assert "<img src=x" not in page and "<script>alert" not in page
    stored = BubbleFile.objects.get(message=row)
    link = reverse("bubbles:file-download", args=[bubble.pk, stored.pk])
    assert f'href="{link}" data-testid="file-link"' in page


def test_the_participant_list_is_the_current_ones_oldest_first_without_their_secrets(
    bubble, people, django_assert_num_queries
):
    guest = BubbleMember.objects.create(
        bubble=bubble, guest_email="g@elsewhere.test", role=MemberRole.GUEST, status="accepted"
    )
    gone = membership(bubble, people["co"])
    gone.status = MemberStatus.LEFT
    gone.save()
    with django_assert_num_queries(1):
        listed = selectors.participant_list(bubble=bubble)
        names = [p.display_name for p in listed]
    current = BubbleMember.objects.filter(bubble=bubble, status__in=["invited", "accepted"])
    expected = current.select_related("user").order_by("created_at", "id")
    assert [p.pk for p in listed] == [p.pk for p in expected] and guest.pk == listed[-1].pk
    assert names == [p.display_name for p in expected]
    assert gone.pk not in [p.pk for p in listed]
    assert "password" in listed[0].user.get_deferred_fields()  # never read for a list
