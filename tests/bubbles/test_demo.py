"""`seed_demo`'s bubbles (make run): rooms with every role, an encrypted conversation, a
scanned file, a pending invitation and an archived bubble; idempotent."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from bubbles import selectors
from bubbles.models import Bubble, BubbleFile, BubbleMember, Message

pytestmark = pytest.mark.django_db


def test_demo_bubbles(settings, client, clamd):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())  # idempotent
    launch = Bubble.objects.get(name="Spring launch")
    roles = {
        m.user.email: (m.role, m.status)
        for m in BubbleMember.objects.filter(bubble=launch).select_related("user")
    }
    assert roles == {
        "alice@acme.test": ("organizer", "accepted"),
        "bob@acme.test": ("co_organizer", "accepted"),
        "chloe@acme.test": ("member", "accepted"),
    }
    page, _ = selectors.message_page(bubble=launch)
    assert [m.body for m in page][-1].startswith("Welcome!")  # opened through the vault
    assert all(b"Welcome" not in bytes(m.body_sealed) for m in Message.objects.all())
    assert BubbleFile.objects.get(bubble=launch).display_name == "agenda.txt"
    rota = Bubble.objects.get(name="Support rota")
    assert BubbleMember.objects.get(bubble=rota, user__email="chloe@acme.test").status == "invited"
    assert Bubble.objects.get(name="Q3 review").status == "archived"
    # seven written messages and the one that carries the file
    assert Bubble.objects.count() == 4 and Message.objects.count() == 8

    client.force_login(User.objects.get(email="alice@acme.test"))
    listing = client.get(reverse("bubbles:list")).content.decode()
    assert "Spring launch" in listing and "Q3 review" in listing
    detail = client.get(reverse("bubbles:detail", args=[launch.pk]))
    assert detail.status_code == 200
    assert "Pricing is ready for review." in detail.content.decode()
