"""SPEC §6.1's table, every cell (each "no" included), as the policies answer it on real
memberships; and the `bubble_rights --json` command."""

import json

import pytest
from django.core.management import call_command

from bubbles import policies, rights
from bubbles.models import BubbleMember, MemberRole

from .conftest import membership

# The table as SPEC §6.1 prints it, typed here independently of bubbles/rights.py.
SPEC_TABLE = {
    "delete_bubble": {"member": False, "co-organizer": False, "organizer": True},
    "archive_bubble": {"member": False, "co-organizer": False, "organizer": True},
    "transfer_ownership": {"member": False, "co-organizer": False, "organizer": True},
    "get_conference_link": {"member": False, "co-organizer": False, "organizer": True},
    "promote_co_organizer": {"member": False, "co-organizer": True, "organizer": True},
    "add_remove_participant": {"member": False, "co-organizer": True, "organizer": True},
    "start_conference": {"member": False, "co-organizer": True, "organizer": True},
}
ROLE_OF = {"member": "member", "co-organizer": "co", "organizer": "organizer"}
CELLS = [(a, c) for a, row in SPEC_TABLE.items() for c in row]


@pytest.mark.parametrize(("action", "column"), CELLS)
def test_every_cell(bubble, people, action, column):
    member = membership(bubble, people[ROLE_OF[column]])
    assert policies.POLICIES[action](member=member) is SPEC_TABLE[action][column]


@pytest.mark.parametrize("action", list(SPEC_TABLE))
def test_guests_invited_and_strangers_hold_no_right(bubble, people, action):
    guest = BubbleMember(bubble=bubble, guest_email="g@x.test", role=MemberRole.GUEST)
    guest.status = "accepted"
    invited = BubbleMember(bubble=bubble, user=people["outsider"], role=MemberRole.CO_ORGANIZER)
    assert policies.POLICIES[action](member=guest) is False
    assert policies.POLICIES[action](member=invited) is False  # status invited
    assert policies.POLICIES[action](member=None) is False


def test_the_table_in_code_matches_the_spec():
    assert set(rights.ACTIONS) == set(SPEC_TABLE)
    for action, row in SPEC_TABLE.items():
        for role, column in rights.COLUMNS.items():
            assert rights.cell(role, action) is row[column]


def test_unknown_action_raises():
    with pytest.raises(ValueError):
        rights.cell(MemberRole.ORGANIZER, "fly")


def test_command_prints_the_policies_answers_and_rolls_back(db, capsys):
    from bubbles.models import Bubble

    call_command("bubble_rights", "--json")
    assert json.loads(capsys.readouterr().out) == SPEC_TABLE
    assert not Bubble.objects.exists()


def test_who_may_be_added_is_the_policys_answer(db):
    """`policies.add_refusal` decides (the service only calls it): an inactive account, an
    outsider of an isolated company, and someone across the China boundary are refused."""
    from bubbles import policies, services
    from tests.factories import CompanyFactory, UserFactory

    isolated = CompanyFactory(visibility="isolated")
    org = UserFactory(company=isolated)
    bubble = services.bubble_create(name="Closed", actor=org)
    assert (
        policies.add_refusal(actor=org, target=UserFactory(company=isolated), bubble=bubble) is None
    )
    outsider = UserFactory(company=CompanyFactory(visibility="public"))
    assert policies.add_refusal(actor=org, target=outsider, bubble=bubble) == policies.NOT_ADDABLE
    gone = UserFactory(company=isolated, is_active=False)
    assert (
        policies.add_refusal(actor=org, target=gone, bubble=bubble)
        == "This person cannot be added."
    )
    china = UserFactory(company=CompanyFactory(region="China", visibility="public"))
    public = UserFactory(company=CompanyFactory(visibility="public"))
    open_bubble = services.bubble_create(name="Open", actor=public)
    assert (
        policies.add_refusal(actor=public, target=china, bubble=open_bubble) == policies.NOT_ADDABLE
    )
