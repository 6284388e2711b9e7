"""Two transfers at once (SPEC §6.3, "exactly one organizer at every moment"): the bubble's
row lock serializes them; one wins, the other is refused, and one organizer remains."""

import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from bubbles import services
from bubbles.models import BubbleMember, MemberRole
from tests.factories import CompanyFactory, UserFactory

from .conftest import add_accepted


@pytest.mark.django_db(transaction=True)
def test_concurrent_transfers_leave_one_organizer():
    if connection.vendor != "postgresql":
        # SQLite's in-memory test database locks whole tables across threads; CI runs this on
        # PostgreSQL, whose row locks are what the service relies on.
        pytest.skip("row-lock concurrency is checked on PostgreSQL")
    company = CompanyFactory()
    org = UserFactory(company=company)
    a, b = UserFactory(company=company), UserFactory(company=company)
    bubble = services.bubble_create(name="Race", actor=org)
    targets = []
    for user in (a, b):
        member = add_accepted(bubble, user, org)
        targets.append(services.bubble_co_organizer_promote(member=member, actor=org))
    barrier = threading.Barrier(2)
    outcomes = []

    def transfer(to):
        try:
            barrier.wait()
            services.bubble_ownership_transfer(bubble=bubble, to=to, actor=org)
            outcomes.append("ok")
        except PermissionDenied:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=transfer, args=(t,)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["ok", "refused"]
    organizers = BubbleMember.objects.filter(bubble=bubble, role=MemberRole.ORGANIZER)
    assert organizers.count() == 1
    assert organizers.get().user in (a, b)
