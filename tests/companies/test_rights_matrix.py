"""`manage.py rights_matrix --json` answers exactly SPEC §3.3–3.5, cell by cell.

The expected table is written here from the SPEC text, independently of companies/rights.py,
so that a wrong table or a wrong policy both fail."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from companies.models import Company

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
