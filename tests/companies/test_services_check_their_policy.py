"""Issue 10: services trust no caller — each checks its own policy (`actor=None` is the
system), and the page and the API share one validation path."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from companies.models import Company, CompanyDomain, Organization, Role
from companies.services import (
    company_organization_set,
    company_partner_set,
    company_update,
    company_visibility_set,
    domain_add,
    domain_remove,
    organization_rename,
)
from companies.visibility import network_services
from companies.visibility.services import user_visibility_override_set
from subscriptions.models import Offer, Subscription
from subscriptions.services import (
    extension_create,
    site_create,
    subscription_create,
    system_create,
)
from tests.factories import CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def company():
    return CompanyFactory(name="Acme")


@pytest.fixture
def admin(company):
    return UserFactory(company=company, roles=[Role.COMPANY_ADMIN])


def test_superadmin_only_services_refuse_a_company_admin(company, admin):
    org = Organization.objects.create(name="Group")
    partner = CompanyFactory(kind=Company.Kind.BUSINESS_PARTNER)
    refused = [
        lambda: domain_add(company=company, domain="acme.test", actor=admin),
        lambda: company_organization_set(company=company, organization=org, actor=admin),
        lambda: company_partner_set(company=company, partner=partner, actor=admin),
        lambda: organization_rename(organization=org, name="Other", actor=admin),
        lambda: company_update(company=company, status="suspended", actor=admin),
    ]
    for call in refused:
        with pytest.raises(PermissionDenied, match="Only a platform superadmin"):
            call()
    row = domain_add(company=company, domain="acme.test", actor=None)
    with pytest.raises(PermissionDenied):
        domain_remove(domain=row, actor=admin)
    assert CompanyDomain.objects.filter(domain="acme.test").exists()
    company.refresh_from_db()
    assert (company.organization_id, company.business_partner_id, company.status) == (
        None,
        None,
        "active",
    )
    root = UserFactory(is_superuser=True, is_staff=True)
    domain_remove(domain=row, actor=root)
    company_organization_set(company=company, organization=org, actor=root)


def test_company_services_refuse_someone_without_the_right(company, admin):
    member = UserFactory(company=company)
    stranger_admin = UserFactory(company=CompanyFactory(), roles=[Role.COMPANY_ADMIN])
    for actor in (member, stranger_admin):
        with pytest.raises(PermissionDenied):
            company_visibility_set(company=company, visibility="private", actor=actor)
        with pytest.raises(PermissionDenied):
            user_visibility_override_set(user=member, override="private", actor=actor)
        with pytest.raises(PermissionDenied):
            network_services.network_settings_set(
                company=company, auto_accept_within_company=False, actor=actor
            )
        with pytest.raises(PermissionDenied):
            company_update(company=company, name="Renamed", actor=actor)
        with pytest.raises(PermissionDenied):
            site_create(company=company, name="HQ", actor=actor)
        with pytest.raises(PermissionDenied):
            subscription_create(
                company=company,
                offer=Offer.objects.get(code="business"),
                billing="monthly",
                seats=1,
                start_date=dt.date.today(),
                actor=actor,
            )
    company_visibility_set(company=company, visibility="private", actor=admin)
    company_update(company=company, name="Renamed", actor=admin)
    # SPEC §3.3: an end customer's admin does not create equipment.
    with pytest.raises(PermissionDenied):
        site_create(company=company, name="HQ", actor=admin)
    site = site_create(company=company, name="HQ", actor=None)
    system = system_create(site=site, name="PBX", kind="oxe", actor=None)
    with pytest.raises(PermissionDenied):
        extension_create(system=system, number="100", actor=admin)


def test_a_backdated_subscription_is_refused_by_the_api_like_the_page(client, api_client):
    partner = CompanyFactory(kind=Company.Kind.BUSINESS_PARTNER)
    customer = CompanyFactory(business_partner=partner)
    finance = UserFactory(company=partner, roles=[Role.BP_FINANCE])
    business = Offer.objects.get(code="business")
    data = {"offer": "business", "billing": "monthly", "seats": 2, "start_date": "2020-01-01"}
    api_client.force_authenticate(finance)
    api = api_client.post(
        reverse("api:subscription-list", args=[customer.slug]), data, format="json"
    )
    assert api.status_code == 400
    assert api.json()["error"]["message"] == "A subscription starts today or later."
    client.force_login(finance)
    page = client.post(
        reverse("subscriptions:company", args=[customer.slug]), {**data, "offer": business.pk}
    )
    assert "A subscription starts today or later." in page.content.decode()
    assert not Subscription.objects.exists()
    # Out of any sane range, whoever asks.
    api = api_client.post(
        reverse("api:subscription-list", args=[customer.slug]),
        {**data, "start_date": "1900-01-01"},
        format="json",
    )
    assert api.status_code == 400
