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


# --- Roles (SPEC §3.1–3.2), the partner portal and the increase-only delegation: each refusal
# and its words, asked of real rows (issue 9's mutation run).


def test_roles_fit_their_company_kind():
    partner = CompanyFactory(kind=Company.Kind.BUSINESS_PARTNER)
    customer = CompanyFactory(kind=Company.Kind.END_CUSTOMER)
    for role in (Role.BP_ADMIN, Role.BP_FINANCE, Role.BP_OPERATION):
        assert policies.role_fits_company(role=role, company=partner) is True
        assert policies.role_fits_company(role=role, company=customer) is False
    assert policies.role_fits_company(role=Role.COMPANY_ADMIN, company=partner) is False
    assert policies.role_fits_company(role=Role.COMPANY_ADMIN, company=customer) is True


def test_role_change_refusals_say_why_in_plain_words():
    from django.contrib.auth.models import AnonymousUser

    acme = CompanyFactory(name="Acme", kind=Company.Kind.END_CUSTOMER)
    admin = UserFactory(company=acme, roles=[Role.COMPANY_ADMIN])
    member = UserFactory(company=acme)
    refusal = policies.role_change_refusal
    assert refusal(actor=admin, member=member, role="pilot") == "“pilot” is not a company role."
    for nobody in (None, AnonymousUser(), UserFactory(company=acme, is_active=False)):
        assert refusal(actor=nobody, member=member, role=Role.COMPANY_ADMIN) == (
            "Sign in to change roles."
        )
    assert refusal(actor=admin, member=admin, role=Role.COMPANY_ADMIN).startswith(
        "Nobody changes their own roles"
    )
    assert refusal(actor=admin, member=member, role=Role.BP_ADMIN).startswith(
        "The role Partner admin does not exist in a company of this kind"
    )
    assert refusal(actor=admin, member=member, role=Role.COMPANY_ADMIN) is None


def test_only_a_holder_of_the_role_in_the_same_company_grants_it():
    acme = CompanyFactory(name="Acme", kind=Company.Kind.END_CUSTOMER)
    member = UserFactory(company=acme)
    # An admin elsewhere holds the role, but not in the member's company.
    elsewhere = UserFactory(company=CompanyFactory(), roles=[Role.COMPANY_ADMIN])
    plain = UserFactory(company=acme)
    for actor in (elsewhere, plain):
        assert policies.role_change_refusal(
            actor=actor, member=member, role=Role.COMPANY_ADMIN
        ).startswith("Only someone who holds the role Company admin can grant or remove it")
    root = UserFactory(is_superuser=True)
    assert policies.role_change_refusal(actor=root, member=member, role=Role.COMPANY_ADMIN) is None


def test_increase_only_binds_only_the_customers_own_admins():
    partner = CompanyFactory(kind=Company.Kind.BUSINESS_PARTNER)
    customer = CompanyFactory(
        business_partner=partner, subscription_delegation=SubscriptionDelegation.INCREASE_ONLY
    )
    admin = UserFactory(company=customer, roles=[Role.COMPANY_ADMIN])
    finance = UserFactory(company=partner, roles=[Role.BP_FINANCE])
    plain = UserFactory(company=customer)
    root = UserFactory(is_superuser=True)
    only = policies.subscription_increase_only
    assert only(actor=admin, company=customer) is True
    # The partner's Finance holds the right itself (SPEC §3.4): no "increase only" for it.
    assert only(actor=finance, company=customer) is False
    # Someone without the right is not "increase only": they may not manage at all.
    assert only(actor=plain, company=customer) is False
    assert only(actor=root, company=customer) is False


def test_admin_roles_held_are_the_admin_roles_only():
    company = CompanyFactory(kind=Company.Kind.BUSINESS_PARTNER)
    holder = UserFactory(company=company, roles=[Role.BP_FINANCE, Role.BP_OPERATION])
    plain = UserFactory(company=company)
    assert policies.holds_admin_role(holder) is True
    assert policies.holds_admin_role(plain) is False
    assert policies.admin_roles_held(holder) == {Role.BP_FINANCE, Role.BP_OPERATION}
    assert policies.admin_roles_held(plain) == frozenset()


def test_require_can_manage_company_raises_for_a_member_only():
    from django.core.exceptions import PermissionDenied

    company = CompanyFactory(kind=Company.Kind.END_CUSTOMER)
    admin = UserFactory(company=company, roles=[Role.COMPANY_ADMIN])
    assert policies.require_can_manage_company(actor=admin, company=company) is None
    with pytest.raises(
        PermissionDenied, match=r"^Your role does not allow this on this company\.$"
    ):
        policies.require_can_manage_company(actor=UserFactory(company=company), company=company)


@pytest.mark.parametrize(
    ("roles", "portal", "customers"),
    [
        ([Role.BP_ADMIN], True, False),
        ([Role.BP_FINANCE], True, True),
        ([Role.BP_OPERATION], True, True),
        ([], False, False),
    ],
)
def test_the_partner_portal_and_customer_creation_by_role(roles, portal, customers):
    from django.core.exceptions import PermissionDenied

    partner = CompanyFactory(kind=Company.Kind.BUSINESS_PARTNER)
    actor = UserFactory(company=partner, roles=roles)
    assert policies.is_partner_member(actor=actor) is portal
    assert policies.can_create_customer(actor=actor) is customers
    if portal:
        assert policies.require_partner_member(actor=actor) is None
    else:
        with pytest.raises(
            PermissionDenied, match=r"^The partner pages are for a business partner's members\.$"
        ):
            policies.require_partner_member(actor=actor)
    if customers:
        assert policies.require_can_create_customer(actor=actor) is None
    else:
        with pytest.raises(
            PermissionDenied, match=r"^Your partner role does not allow managing customers\.$"
        ):
            policies.require_can_create_customer(actor=actor)


def test_no_partner_portal_for_an_inactive_or_anonymous_or_customer_member():
    from django.contrib.auth.models import AnonymousUser

    partner = CompanyFactory(kind=Company.Kind.BUSINESS_PARTNER)
    gone = UserFactory(company=partner, roles=[Role.BP_OPERATION], is_active=False)
    customer_admin = UserFactory(
        company=CompanyFactory(kind=Company.Kind.END_CUSTOMER), roles=[Role.COMPANY_ADMIN]
    )
    for actor in (gone, AnonymousUser(), customer_admin):
        assert policies.is_partner_member(actor=actor) is False
        assert policies.can_create_customer(actor=actor) is False


def test_security_settings_refusal_names_who_may_change_them():
    from django.core.exceptions import PermissionDenied

    company = CompanyFactory(kind=Company.Kind.END_CUSTOMER)
    admin = UserFactory(company=company, roles=[Role.COMPANY_ADMIN])
    assert policies.require_can_manage_security(actor=admin, company=company) is None
    assert policies.require_can_manage_security(actor=None, company=company) is None
    with pytest.raises(
        PermissionDenied, match=r"^Only the company's own admins change its security settings\.$"
    ):
        policies.require_can_manage_security(actor=UserFactory(company=company), company=company)


def test_member_visibility_page_is_for_the_admins_and_operations_staff():
    from django.contrib.auth.models import AnonymousUser

    company = CompanyFactory(kind=Company.Kind.END_CUSTOMER)
    admin = UserFactory(company=company, roles=[Role.COMPANY_ADMIN])
    assert policies.can_view_member_visibility(actor=admin, company=company) is True
    assert (
        policies.can_view_member_visibility(actor=UserFactory(company=company), company=company)
        is False
    )
    assert policies.can_view_member_visibility(actor=AnonymousUser(), company=company) is False


def test_an_inactive_admin_manages_no_security_settings():
    company = CompanyFactory(kind=Company.Kind.END_CUSTOMER)
    admin = UserFactory(company=company, roles=[Role.COMPANY_ADMIN])
    assert policies.can_manage_security(actor=admin, company=company) is True
    admin.is_active = False
    assert policies.can_manage_security(actor=admin, company=company) is False


def test_an_unknown_action_is_a_programming_error_naming_it():
    company = CompanyFactory()
    with pytest.raises(ValueError, match=r"^Unknown action 'fly_to_the_moon'\.$"):
        policies.has_right(actor=None, company=company, action="fly_to_the_moon")
