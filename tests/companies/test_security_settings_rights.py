"""SPEC §3.3: a company's security settings — two-factor policy, password minimum, profile
locks, file sharing, mutual-visibility requests — belong to its own admins (company_admin;
bp_admin for the partner's own company) and to superadmins, not to the partner's
bp_operation / bp_finance on an end customer. Each service checks it itself."""

import pytest
from django.core.exceptions import PermissionDenied

from accounts.security.services import company_security_policy_set, user_profile_lock_set
from companies.membership.services import company_file_sharing_set, member_file_sharing_set
from companies.models import Company, Role
from companies.policies import can_manage_security
from companies.services import company_create, company_visibility_set
from companies.visibility.services import (
    visibility_request_accept,
    visibility_request_create,
    visibility_request_decline,
)
from tests.factories import CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    partner = CompanyFactory(kind=Company.Kind.BUSINESS_PARTNER)
    customer = company_create(name="Customer", region="EMEA", actor=None)
    customer.business_partner = partner
    customer.save(update_fields=["business_partner"])
    return partner, customer


def _changes(actor, company):
    member = UserFactory(company=company)
    other = company_create(name=f"Other of {company.pk}", region="EMEA", actor=None)
    company_visibility_set(company=other, visibility="public", actor=None)
    incoming = visibility_request_create(from_company=other, to_company=company, actor=None)
    incoming2 = visibility_request_create(
        from_company=company_create(name=f"Third of {company.pk}", region="EMEA", actor=None),
        to_company=company,
        actor=None,
    )
    return [
        lambda: company_security_policy_set(
            company=company,
            actor=actor,
            password_min_length=12,
            two_factor="always",
            lock_profiles=True,
        ),
        lambda: user_profile_lock_set(user=member, locked=True, actor=actor),
        lambda: company_file_sharing_set(company=company, enabled=False, actor=actor),
        lambda: member_file_sharing_set(member=member, mode="disabled", actor=actor),
        lambda: visibility_request_create(from_company=company, to_company=other, actor=actor),
        lambda: visibility_request_accept(request=incoming, actor=actor),
        lambda: visibility_request_decline(request=incoming2, actor=actor),
    ]


@pytest.mark.parametrize("role", [Role.BP_OPERATION, Role.BP_FINANCE, Role.BP_ADMIN])
def test_the_partners_roles_change_no_security_setting_of_a_customer(world, role):
    partner, customer = world
    actor = UserFactory(company=partner, roles=[role])
    assert not can_manage_security(actor=actor, company=customer)
    for change in _changes(actor, customer):
        with pytest.raises(PermissionDenied):
            change()


@pytest.mark.parametrize("who", ["company_admin", "bp_admin", "superadmin"])
def test_own_admins_and_superadmins_do(world, who):
    partner, customer = world
    if who == "company_admin":
        company, actor = customer, UserFactory(company=customer, roles=[Role.COMPANY_ADMIN])
    elif who == "bp_admin":
        company, actor = partner, UserFactory(company=partner, roles=[Role.BP_ADMIN])
    else:
        company, actor = customer, UserFactory(is_superuser=True, is_staff=True)
    for change in _changes(actor, company):
        change()


def test_bp_operation_does_not_hold_its_own_partners_security_either(world):
    partner, _ = world
    actor = UserFactory(company=partner, roles=[Role.BP_OPERATION, Role.BP_FINANCE])
    assert not can_manage_security(actor=actor, company=partner)
