"""Bubble services (SPEC §6.1, §6.3, §6.4, §2.3, §4.4): state changes, activity records and
every refusal of the issue."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404

from activity.models import ActivityRecord
from bubbles import selectors, services
from bubbles.models import Bubble, BubbleMember, BubbleStatus, MemberRole, MemberStatus
from rainbow_portal.exceptions import ApplicationError
from tests.factories import CompanyFactory, UserFactory

from .conftest import add_accepted, membership

pytestmark = pytest.mark.django_db


def events(bubble=None):
    qs = ActivityRecord.objects.filter(event__startswith="bubble.")
    if bubble is not None:
        qs = qs.filter(company_id=bubble.company_id)
    return list(qs.order_by("id").values_list("event", flat=True))


def test_create_makes_the_creator_organizer_in_their_company(people):
    org = people["organizer"]
    bubble = services.bubble_create(name="  Launch   plan ", actor=org)
    assert bubble.name == "Launch plan"
    assert bubble.company == org.company
    m = membership(bubble, org)
    assert (m.role, m.status) == (MemberRole.ORGANIZER, MemberStatus.ACCEPTED)
    assert events(bubble) == ["bubble.created"]


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_create_refuses_a_bad_name_and_writes_nothing(people, name):
    with pytest.raises(ApplicationError):
        services.bubble_create(name=name, actor=people["organizer"])
    assert not Bubble.objects.exists()


def test_rename_by_member_is_denied(bubble, people):
    with pytest.raises(PermissionDenied):
        services.bubble_rename(bubble=bubble, name="Mine", actor=people["member"])
    services.bubble_rename(bubble=bubble, name="Ours", actor=people["co"])
    assert Bubble.objects.get(pk=bubble.pk).name == "Ours"


# --- Adding and removing (SPEC §6.1, §4.4, §2.3) ---------------------------------------------


def test_member_cannot_add_or_remove(bubble, people):
    with pytest.raises(PermissionDenied):
        services.bubble_member_add(bubble=bubble, user=people["outsider"], actor=people["member"])
    target = membership(bubble, people["co"])
    with pytest.raises(PermissionDenied):
        services.bubble_member_remove(member=target, actor=people["member"])


def test_co_organizer_adds_and_removes(bubble, people):
    added = services.bubble_member_add(bubble=bubble, user=people["outsider"], actor=people["co"])
    assert added.status == MemberStatus.INVITED
    services.bubble_member_remove(member=added, actor=people["co"])
    assert BubbleMember.objects.get(pk=added.pk).status == MemberStatus.REMOVED
    assert events(bubble)[-2:] == ["bubble.member.added", "bubble.member.removed"]
    # Removed, then added again: the same row comes back as invited.
    again = services.bubble_member_add(bubble=bubble, user=people["outsider"], actor=people["co"])
    assert again.pk == added.pk and again.status == MemberStatus.INVITED


def test_adding_twice_is_refused(bubble, people):
    with pytest.raises(ApplicationError, match="already"):
        services.bubble_member_add(bubble=bubble, user=people["member"], actor=people["organizer"])


def test_the_organizer_cannot_be_removed(bubble, people):
    with pytest.raises(ApplicationError, match="organizer cannot be removed"):
        services.bubble_member_remove(
            member=membership(bubble, people["organizer"]), actor=people["co"]
        )


def test_an_isolated_companys_member_cannot_add_an_outsider(db):
    isolated = CompanyFactory(visibility="isolated")
    org = UserFactory(company=isolated)
    colleague = UserFactory(company=isolated)
    outsider = UserFactory(company=CompanyFactory(visibility="public"))
    bubble = services.bubble_create(name="Closed room", actor=org)
    with pytest.raises(ApplicationError, match="cannot be added"):
        services.bubble_member_add(bubble=bubble, user=outsider, actor=org)
    # The same company stays reachable (SPEC §4.4's isolated row).
    services.bubble_member_add(bubble=bubble, user=colleague, actor=org)
    assert not BubbleMember.objects.filter(user=outsider).exists()


def test_a_public_outsider_can_be_added_across_companies(db):
    org = UserFactory(company=CompanyFactory(visibility="public"))
    other = UserFactory(company=CompanyFactory(visibility="public"))
    bubble = services.bubble_create(name="Open", actor=org)
    assert services.bubble_member_add(bubble=bubble, user=other, actor=org).user == other


def test_no_bubble_crosses_the_china_boundary(db):
    china = CompanyFactory(region="China", visibility="public")
    emea = CompanyFactory(region="EMEA", visibility="public")
    org = UserFactory(company=emea)
    chinese = UserFactory(company=china)
    bubble = services.bubble_create(name="Global", actor=org)
    with pytest.raises(ApplicationError, match="cannot be added"):
        services.bubble_member_add(bubble=bubble, user=chinese, actor=org)
    china_bubble = services.bubble_create(name="Local", actor=chinese)
    with pytest.raises(ApplicationError, match="cannot be added"):
        services.bubble_member_add(bubble=china_bubble, user=org, actor=chinese)


# --- Co-organizers and ownership (SPEC §6.3) --------------------------------------------------


def test_member_cannot_promote(bubble, people):
    target = add_accepted(bubble, people["outsider"], people["organizer"])
    with pytest.raises(PermissionDenied):
        services.bubble_co_organizer_promote(member=target, actor=people["member"])


def test_promote_needs_an_accepted_member(bubble, people):
    invited = services.bubble_member_add(
        bubble=bubble, user=people["outsider"], actor=people["organizer"]
    )
    with pytest.raises(ApplicationError, match="accepted"):
        services.bubble_co_organizer_promote(member=invited, actor=people["organizer"])


def test_demote(bubble, people):
    co = membership(bubble, people["co"])
    services.bubble_co_organizer_demote(member=co, actor=people["organizer"])
    assert membership(bubble, people["co"]).role == MemberRole.MEMBER
    assert events(bubble)[-1] == "bubble.member.demoted"


def test_transfer_to_a_co_organizer_swaps_roles(bubble, people):
    co = membership(bubble, people["co"])
    services.bubble_ownership_transfer(bubble=bubble, to=co, actor=people["organizer"])
    assert membership(bubble, people["co"]).role == MemberRole.ORGANIZER
    assert membership(bubble, people["organizer"]).role == MemberRole.CO_ORGANIZER
    assert events(bubble)[-1] == "bubble.ownership.transferred"
    assert bubble.members.filter(role=MemberRole.ORGANIZER).count() == 1


def test_transfer_to_a_non_co_organizer_is_refused_and_changes_nothing(bubble, people):
    plain = membership(bubble, people["member"])
    with pytest.raises(ApplicationError, match="co-organizer"):
        services.bubble_ownership_transfer(bubble=bubble, to=plain, actor=people["organizer"])
    assert membership(bubble, people["organizer"]).role == MemberRole.ORGANIZER
    assert membership(bubble, people["member"]).role == MemberRole.MEMBER


def test_transfer_by_a_co_organizer_is_denied(bubble, people):
    with pytest.raises(PermissionDenied):
        services.bubble_ownership_transfer(
            bubble=bubble, to=membership(bubble, people["co"]), actor=people["co"]
        )


def test_transfer_to_another_bubbles_co_organizer_is_refused(bubble, people):
    other = services.bubble_create(name="Other", actor=people["co"])
    foreign = add_accepted(other, people["member"], people["co"])
    services.bubble_co_organizer_promote(member=foreign, actor=people["co"])
    with pytest.raises(ApplicationError):
        services.bubble_ownership_transfer(bubble=bubble, to=foreign, actor=people["organizer"])


def test_the_database_holds_one_organizer(bubble, people):
    co = membership(bubble, people["co"])
    co.role = MemberRole.ORGANIZER
    with pytest.raises(IntegrityError), transaction.atomic():
        co.save()


# --- Leaving (SPEC §6.3) -------------------------------------------------------------------


def test_last_organizer_cannot_leave(people):
    org = people["organizer"]
    bubble = services.bubble_create(name="Solo", actor=org)
    add_accepted(bubble, people["member"], org)
    with pytest.raises(ApplicationError, match="last organizer"):
        services.bubble_leave(bubble=bubble, actor=org)
    assert membership(bubble, org).status == MemberStatus.ACCEPTED


def test_last_co_organizer_may_leave_while_the_organizer_remains(bubble, people):
    services.bubble_leave(bubble=bubble, actor=people["co"])
    assert BubbleMember.objects.get(bubble=bubble, user=people["co"]).status == MemberStatus.LEFT


def test_organizer_leaving_hands_the_bubble_to_a_co_organizer(bubble, people):
    services.bubble_leave(bubble=bubble, actor=people["organizer"])
    assert membership(bubble, people["co"]).role == MemberRole.ORGANIZER
    with pytest.raises(ApplicationError, match="last organizer"):
        services.bubble_leave(bubble=bubble, actor=people["co"])


def test_member_leaves(bubble, people):
    services.bubble_leave(bubble=bubble, actor=people["member"])
    with pytest.raises(Http404):
        selectors.bubble_get_for_user(user=people["member"], pk=bubble.pk)


# --- Archive and delete (SPEC §6.4) ------------------------------------------------------------


def test_only_the_organizer_archives_and_deletes(bubble, people):
    for actor in (people["co"], people["member"]):
        with pytest.raises(PermissionDenied):
            services.bubble_archive(bubble=bubble, actor=actor)
        with pytest.raises(PermissionDenied):
            services.bubble_delete(bubble=bubble, actor=actor)


def test_archived_is_read_only_for_everyone_forever(bubble, people):
    services.bubble_archive(bubble=bubble, actor=people["organizer"])
    org = membership(bubble, people["organizer"])
    attempts = [
        lambda: services.bubble_rename(bubble=bubble, name="x", actor=people["organizer"]),
        lambda: services.bubble_member_add(
            bubble=bubble, user=people["outsider"], actor=people["organizer"]
        ),
        lambda: services.message_post(member=org, body="hi", actor=people["organizer"]),
        lambda: services.bubble_leave(bubble=bubble, actor=people["member"]),
        lambda: services.bubble_archive(bubble=bubble, actor=people["organizer"]),
        lambda: services.bubble_delete(bubble=bubble, actor=people["organizer"]),
        lambda: services.conference_start(member=org, actor=people["organizer"]),
        lambda: services.bubble_guest_invite(
            bubble=bubble, email="g@x.test", actor=people["organizer"]
        ),
    ]
    for attempt in attempts:
        with pytest.raises(ApplicationError, match="archived"):
            attempt()
    # Still readable by its participants.
    assert selectors.bubble_get_for_user(user=people["member"], pk=bubble.pk)[0] == bubble


def test_delete_removes_access_for_all_and_keeps_the_rows(bubble, people):
    org = membership(bubble, people["organizer"])
    services.message_post(member=org, body="kept for retention", actor=people["organizer"])
    services.bubble_delete(bubble=bubble, actor=people["organizer"])
    for who in ("organizer", "co", "member"):
        with pytest.raises(Http404):
            selectors.bubble_get_for_user(user=people[who], pk=bubble.pk)
    assert Bubble.objects.get(pk=bubble.pk).status == BubbleStatus.DELETED
    assert bubble.messages.count() == 1
    assert events(bubble)[-1] == "bubble.deleted"


# --- Company admins ----------------------------------------------------------------------------


def test_admin_hands_an_orphaned_bubble_to_a_member(bubble, people, company):
    from companies.models import Role

    admin = UserFactory(company=company, roles=[Role.COMPANY_ADMIN])
    target = membership(bubble, people["member"])
    with pytest.raises(ApplicationError, match="active organizer"):
        services.bubble_owner_reassign(bubble=bubble, to=target, actor=admin)
    people["organizer"].is_active = False
    people["organizer"].save()
    with pytest.raises(PermissionDenied):
        services.bubble_owner_reassign(bubble=bubble, to=target, actor=people["co"])
    services.bubble_owner_reassign(bubble=bubble, to=target, actor=admin)
    assert membership(bubble, people["member"]).role == MemberRole.ORGANIZER
    assert BubbleMember.objects.get(bubble=bubble, user=people["organizer"]).role == "member"


def test_company_bubble_list_shows_metadata(bubble, people, company):
    org = membership(bubble, people["organizer"])
    services.message_post(member=org, body="secret words", actor=people["organizer"])
    row = selectors.company_bubble_list(company=company).get(pk=bubble.pk)
    assert (row.owner_email, row.participant_count, row.message_count) == (
        "org@acme.test",
        3,
        1,
    )
