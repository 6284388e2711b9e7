"""Issue 14: the partner page says, in plain words, what each partner role lets its holder
do. The words come from companies.rights (ACTION_WORDS) and the yes/no from its RIGHTS table;
the expectations below are transcribed from SPEC §3.3–3.5, independently of that table."""

import pytest
from django.urls import reverse

from companies.models import Company, Role
from companies.rights import ACTION_WORDS
from tests.factories import CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db

PROFILE, EQUIPMENT = ACTION_WORDS["manage_company"], ACTION_WORDS["create_equipment"]
LICENSES, INVOICES = ACTION_WORDS["allocate_licenses"], ACTION_WORDS["view_invoices"]


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
