"""Every cell of SPEC §3.3–3.5, each "no" included, asked of the policy functions with real
rows. The expected table is transcribed here from SPEC.md, independently of companies/rights.py."""

import pytest

from companies import policies
from companies.models import Company, Role, SubscriptionDelegation
from tests.factories import CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db

# action: {role: (own, customer)} — "Y" yes, "-" no, "D" only when the partner delegated.
SPEC = {
    "manage_company": {
        "bp_operation": "YY",
        "bp_finance": "YY",
        "bp_admin": "Y-",
        "company_admin": "Y-",
    },
    "create_equipment": {
        "bp_operation": "YY",
        "bp_finance": "--",
        "bp_admin": "Y-",
        "company_admin": "--",
    },
    "manage_systems": {
        "bp_operation": "YY",
        "bp_finance": "--",
        "bp_admin": "Y-",
        "company_admin": "Y-",
    },
    "create_subscription": {
        "bp_operation": "--",
        "bp_finance": "YY",
        "bp_admin": "Y-",
        "company_admin": "Y-",
    },
    "manage_subscriptions": {
        "bp_operation": "--",
        "bp_finance": "YY",
        "bp_admin": "Y-",
        "company_admin": "D-",
    },
    "allocate_licenses": {
        "bp_operation": "YY",
        "bp_finance": "YY",
        "bp_admin": "YY",
        "company_admin": "Y-",
    },
    "view_invoices": {
        "bp_operation": "--",
        "bp_finance": "YY",
        "bp_admin": "--",
        "company_admin": "--",
    },
}
CASES = [
    (action, role, target, cells[role][i])
    for action, cells in SPEC.items()
    for role in cells
    for i, target in enumerate(["own_company", "customer_company"])
] + [(action, role, "unrelated_company", "-") for action in SPEC for role in SPEC[action]]


def world(role: str, delegation=SubscriptionDelegation.NONE):
    kind = Company.Kind.END_CUSTOMER if role == "company_admin" else Company.Kind.BUSINESS_PARTNER
    own = CompanyFactory(kind=kind, subscription_delegation=delegation)
    customer = CompanyFactory(business_partner=own)
    unrelated = CompanyFactory(subscription_delegation=delegation)
    actor = UserFactory(company=own, roles=[role])
    return actor, {"own_company": own, "customer_company": customer, "unrelated_company": unrelated}


@pytest.mark.parametrize(("action", "role", "target", "expected"), CASES)
def test_every_cell(action, role, target, expected):
    actor, targets = world(role)
    verdict = getattr(policies, f"can_{action}")(actor=actor, company=targets[target])
    assert verdict is (expected == "Y"), (role, action, target)


@pytest.mark.parametrize(
    ("delegation", "allowed", "increase_only"),
    [("none", False, False), ("full", True, False), ("increase_only", True, True)],
)
def test_customer_admin_manages_subscriptions_only_by_delegation(
    delegation, allowed, increase_only
):
    actor, targets = world("company_admin", delegation)
    own = targets["own_company"]
    assert policies.can_manage_subscriptions(actor=actor, company=own) is allowed
    assert policies.subscription_increase_only(actor=actor, company=own) is increase_only
    # Delegation on an unrelated company grants nothing.
    assert (
        policies.can_manage_subscriptions(actor=actor, company=targets["unrelated_company"])
        is False
    )


def test_rights_combine_for_partner_roles():
    actor, targets = world("bp_operation")
    assert not policies.can_manage_subscriptions(actor=actor, company=targets["own_company"])
    from companies.models import RoleAssignment

    RoleAssignment.objects.create(user=actor, role=Role.BP_FINANCE)
    actor.refresh_from_db()
    actor._role_cache = None
    assert policies.can_manage_subscriptions(actor=actor, company=targets["own_company"])


def test_partner_role_in_a_customer_company_grants_nothing():
    company = CompanyFactory(kind=Company.Kind.END_CUSTOMER)
    actor = UserFactory(company=company, roles=[Role.BP_FINANCE])
    assert not policies.can_view_invoices(actor=actor, company=company)


def test_user_without_role_and_inactive_admin_get_nothing():
    actor, targets = world("company_admin")
    plain = UserFactory(company=targets["own_company"])
    assert not policies.can_manage_company(actor=plain, company=targets["own_company"])
    actor.is_active = False
    assert not policies.can_manage_company(actor=actor, company=targets["own_company"])


def test_superadmin_may_do_everything():
    admin = UserFactory(is_superuser=True, is_staff=True)
    company = CompanyFactory()
    for action in SPEC:
        assert getattr(policies, f"can_{action}")(actor=admin, company=company)


def test_company_for_email_domain_is_case_insensitive():
    from companies.models import CompanyDomain
    from companies.selectors import company_for_email_domain

    company = CompanyFactory()
    CompanyDomain.objects.create(company=company, domain="acme.test")
    assert company_for_email_domain(email="Someone@ACME.test") == company
    assert company_for_email_domain(email="someone@other.test") is None


def test_a_cell_outside_the_table_is_no():
    """What the rights table does not name is refused (SPEC §3.3), never an error: an
    unknown role, an unknown action, a scope that is neither own nor customer."""
    from companies import rights

    role, action = next(
        (r, a) for r, row in rights.RIGHTS.items() for a, (own, cust) in row.items() if own and cust
    )
    assert rights.cell(role, action, rights.OWN) and rights.cell(role, action, rights.CUSTOMER)
    assert rights.cell("no_such_role", action, rights.OWN) is False
    assert rights.cell(role, "no_such_action", rights.OWN) is False
    assert rights.cell(role, action, "another_company") is False
