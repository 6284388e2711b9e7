"""Issue 14: the partner page says, in plain words, what each partner role lets its holder
do. The words come from companies.rights (ACTION_WORDS) and the yes/no from its RIGHTS table;
the expectations below are transcribed from SPEC §3.3–3.5, independently of that table."""

import pytest
from django.urls import reverse

from companies.models import Company, Role
from companies.rights import ACTION_WORDS, ACTIONS, rights_in_words
from tests.factories import CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db

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


@pytest.mark.parametrize(
    ("roles", "held"),
    [
        ([Role.BP_ADMIN], {"bp_admin"}),
        ([Role.BP_FINANCE, Role.BP_OPERATION], {"bp_finance", "bp_operation"}),
    ],
)
def test_the_partner_page_explains_each_role_and_marks_the_viewers(client, roles, held):
    partner = CompanyFactory(kind=Company.Kind.BUSINESS_PARTNER, name="Bridge")
    client.force_login(UserFactory(company=partner, roles=roles))
    page = client.get(reverse("companies:partner"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "What each partner role lets you do" in html
    for role, label in (
        ("bp_admin", "Partner admin"),
        ("bp_finance", "Partner finance"),
        ("bp_operation", "Partner operation"),
    ):
        start = html.index(f'data-testid="role-{role}"')
        section = html[start : html.index("</article>", start)]
        assert label in section
        assert ("your role" in section) is (role in held)
    admin = html[html.index('data-testid="role-bp_admin"') :]
    admin = admin[: admin.index("</article>")]
    assert f"In Bridge: {PROFILE}; {EQUIPMENT}".replace("'", "&#x27;") in admin
    assert f"For your customers: {LICENSES}." in admin
    assert f"Not with this role: {INVOICES}." in admin
