"""`manage.py rights_matrix --json` answers exactly SPEC §3.3–3.5, cell by cell.

The expected table is written here from the SPEC text, independently of companies/rights.py,
so that a wrong table or a wrong policy both fail."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from companies.models import Company, Role
from companies.rights import ACTION_WORDS, rights_in_words

pytestmark = pytest.mark.django_db

ACTIONS = [
    "manage_company",
    "create_equipment",
    "manage_systems",
    "create_subscription",
    "manage_subscriptions",
    "allocate_licenses",
    "view_invoices",
]
Y, N = True, False
# role -> target -> verdicts in ACTIONS order. Unrelated companies: always no (SPEC §3.6).
EXPECTED = {
    "bp_operation": {
        "own_company": [Y, Y, Y, N, N, Y, N],
        "customer_company": [Y, Y, Y, N, N, Y, N],
    },
    "bp_finance": {
        "own_company": [Y, N, N, Y, Y, Y, Y],
        "customer_company": [Y, N, N, Y, Y, Y, Y],
    },
    "bp_admin": {
        "own_company": [Y, Y, Y, Y, Y, Y, N],
        "customer_company": [N, N, N, N, N, Y, N],
    },
    # "own" for an end customer's admin; manage subscriptions only when delegated (not here).
    "company_admin": {
        "own_company": [Y, N, Y, Y, N, Y, N],
        "customer_company": [N, N, N, N, N, N, N],
    },
}
CELLS = [
    (role, target, action, (EXPECTED[role].get(target) or [N] * 7)[i])
    for role in EXPECTED
    for target in ("own_company", "customer_company", "unrelated_company")
    for i, action in enumerate(ACTIONS)
]


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        out = StringIO()
        call_command("rights_matrix", "--json", stdout=out)
        return json.loads(out.getvalue())


def test_shape(matrix):
    assert set(matrix) == set(EXPECTED)
    for targets in matrix.values():
        assert set(targets) == {"own_company", "customer_company", "unrelated_company"}
        for actions in targets.values():
            assert set(actions) == set(ACTIONS)


@pytest.mark.parametrize("role, target, action, expected", CELLS)
def test_cell(matrix, role, target, action, expected):
    assert matrix[role][target][action] is expected


def test_probe_rows_are_rolled_back(matrix):
    call_command("rights_matrix", "--json", stdout=StringIO())
    assert not Company.objects.filter(name__startswith="rights-matrix-probe").exists()


# --- The rights in plain words (issue 14's partner page), from companies.rights: the words
# come from ACTION_WORDS, the yes/no from RIGHTS; expectations transcribed from SPEC §3.3–3.5.

W = {key: str(ACTION_WORDS[key]) for key in ACTIONS}
PROFILE, EQUIPMENT, SYSTEMS = W["manage_company"], W["create_equipment"], W["manage_systems"]
CREATE, MANAGE, LICENSES = (
    W["create_subscription"],
    W["manage_subscriptions"],
    W["allocate_licenses"],
)
INVOICES = W["view_invoices"]


def words(role):
    return {k: [str(v) for v in vs] for k, vs in rights_in_words(role).items()}


def test_every_action_has_its_own_words():
    assert set(ACTION_WORDS) == set(ACTIONS)
    assert len(set(W.values())) == len(ACTIONS)


def test_bp_admin_acts_on_its_own_company_and_only_licenses_for_customers():
    assert words(Role.BP_ADMIN) == {
        "own": [PROFILE, EQUIPMENT, SYSTEMS, CREATE, MANAGE, LICENSES],
        "customer": [LICENSES],
        "neither": [INVOICES],
    }


def test_bp_finance_handles_money_on_both_sides():
    assert words(Role.BP_FINANCE) == {
        "own": [PROFILE, CREATE, MANAGE, LICENSES, INVOICES],
        "customer": [PROFILE, CREATE, MANAGE, LICENSES, INVOICES],
        "neither": [EQUIPMENT, SYSTEMS],
    }


def test_bp_operation_handles_equipment_on_both_sides():
    assert words(Role.BP_OPERATION) == {
        "own": [PROFILE, EQUIPMENT, SYSTEMS, LICENSES],
        "customer": [PROFILE, EQUIPMENT, SYSTEMS, LICENSES],
        "neither": [CREATE, MANAGE, INVOICES],
    }


def test_a_delegated_cell_is_not_stated_as_a_right():
    # company_admin manages subscriptions only if the partner delegated it (SPEC §3.4).
    assert words(Role.COMPANY_ADMIN) == {
        "own": [PROFILE, SYSTEMS, CREATE, LICENSES],
        "customer": [],
        "neither": [EQUIPMENT, MANAGE, INVOICES],
    }
