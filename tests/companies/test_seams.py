import pytest
from django.http import Http404

from activity.models import ActivityRecord
from companies.models import Company, Role, RoleAssignment
from companies.selectors import company_get_for_actor, default_company
from companies.services import (
    company_for_signup,
    company_organization_set,
    company_visibility_set,
    user_move_to_company,
)
from rainbow_portal.exceptions import ApplicationError
from tests.factories import CompanyFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_visibility_set_records_once_and_refuses_org_mode_without_org():
    company = CompanyFactory()
    with pytest.raises(ApplicationError, match="organization"):
        company_visibility_set(company=company, visibility="organization", actor=None)
    company_visibility_set(company=company, visibility="private", actor=None)
    company_visibility_set(company=company, visibility="private", actor=None)
    company.refresh_from_db()
    assert company.visibility == "private"
    assert ActivityRecord.objects.filter(event="company.visibility.changed").count() == 1


def test_organization_cannot_be_removed_while_in_organization_mode():
    org = OrganizationFactory()
    company = CompanyFactory()
    company_organization_set(company=company, organization=org, actor=None)
    company_visibility_set(company=company, visibility="organization", actor=None)
    with pytest.raises(ApplicationError):
        company_organization_set(company=company, organization=None, actor=None)
    company.refresh_from_db()
    assert company.organization == org


def test_move_to_company_drops_old_roles():
    user = UserFactory(company=default_company(), roles=[Role.COMPANY_ADMIN])
    target = CompanyFactory()
    user_move_to_company(user=user, company=target, actor=None)
    user.refresh_from_db()
    assert user.company == target
    assert not RoleAssignment.objects.filter(user=user).exists()
    assert ActivityRecord.objects.filter(event="user.company.changed").count() == 1


def test_signup_placement_domain_then_default():
    from companies.models import CompanyDomain

    company = CompanyFactory()
    CompanyDomain.objects.create(company=company, domain="owned.test")
    assert company_for_signup(email="new@owned.test") == company
    assert company_for_signup(email="new@free.test") == default_company()


def test_company_get_for_actor_hides_unrelated_companies():
    partner = CompanyFactory(kind=Company.Kind.BUSINESS_PARTNER)
    customer = CompanyFactory(business_partner=partner)
    stranger = CompanyFactory()
    actor = UserFactory(company=partner)
    assert company_get_for_actor(actor=actor, slug=partner.slug) == partner
    assert company_get_for_actor(actor=actor, slug=customer.slug) == customer
    for slug in (stranger.slug, "no-such-company"):
        with pytest.raises(Http404):
            company_get_for_actor(actor=actor, slug=slug)
