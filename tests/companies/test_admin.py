"""The Django admin for superadmins goes through the services: one activity record per
action, and a refused change shows its message and writes nothing."""

import pytest
from django.urls import reverse

from companies.models import Company, CompanyDomain, Organization, Role, RoleAssignment
from tests.factories import CompanyFactory, UserFactory, login_with_second_factor

pytestmark = pytest.mark.django_db


@pytest.fixture
def root_client(client):
    root = UserFactory(is_staff=True, is_superuser=True)
    login_with_second_factor(client, root)  # the admin sits behind OTP (SPEC §7.5)
    return client


def company_form(**overrides):
    data = {
        "name": "Hospital",
        "kind": "end_customer",
        "region": "Germany",
        "is_hds": "on",
        "visibility": "public",
        "status": "active",
        "organization": "",
        "business_partner": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_create_company_leaves_one_record(root_client, assert_activity):
    response = root_client.post(reverse("admin:companies_company_add"), company_form())
    assert response.status_code == 302, response.content
    assert "Hospital</a>” was added" in root_client.get(response["Location"]).content.decode()
    company = Company.objects.get(name="Hospital")
    assert (company.region, company.is_hds, company.slug) == ("Germany", True, "hospital")
    assert assert_activity.events() == ["company.created"]


@pytest.mark.parametrize("change", [{"region": "NA"}, {"is_hds": None}])
def test_region_and_hds_change_refused_with_a_message(root_client, change, assert_activity):
    company = CompanyFactory(name="Hospital", region="Germany", is_hds=True)
    response = root_client.post(
        reverse("admin:companies_company_change", args=[company.pk]), company_form(**change)
    )
    assert response.status_code == 200
    assert "cannot be changed" in response.content.decode()
    company.refresh_from_db()
    assert (company.region, company.is_hds) == ("Germany", True)
    assert assert_activity.events() == []


@pytest.mark.parametrize(
    "field, value, event",
    [
        ("name", "Clinic", "company.updated"),
        ("visibility", "private", "company.visibility.changed"),
        ("status", "suspended", "company.updated"),
    ],
)
def test_each_change_leaves_one_record(root_client, field, value, event, assert_activity):
    company = CompanyFactory(name="Hospital", region="Germany", is_hds=True)
    response = root_client.post(
        reverse("admin:companies_company_change", args=[company.pk]),
        company_form(**{field: value}),
    )
    assert response.status_code == 302, response.content
    company.refresh_from_db()
    assert getattr(company, field) == value
    assert assert_activity.events() == [event]


def test_attach_to_organization_and_partner(root_client, assert_activity):
    org = Organization.objects.create(name="Nordic")
    partner = CompanyFactory(kind=Company.Kind.BUSINESS_PARTNER)
    company = CompanyFactory(name="Hospital", region="Germany", is_hds=True)
    url = reverse("admin:companies_company_change", args=[company.pk])
    root_client.post(url, company_form(organization=org.pk))
    assert assert_activity.events() == ["company.organization.changed"]
    root_client.post(url, company_form(organization=org.pk, business_partner=partner.pk))
    company.refresh_from_db()
    assert (company.organization, company.business_partner) == (org, partner)
    assert assert_activity.events() == ["company.organization.changed", "company.partner.changed"]


def test_refused_service_change_shows_message_and_writes_nothing(root_client, assert_activity):
    company = CompanyFactory(name="Hospital", region="Germany", is_hds=True)
    response = root_client.post(
        reverse("admin:companies_company_change", args=[company.pk]),
        company_form(name="Renamed", visibility="organization"),
        follow=True,
    )
    assert "organization" in response.content.decode()
    company.refresh_from_db()
    assert (company.name, company.visibility) == ("Hospital", "public")
    assert assert_activity.events() == []


def test_domain_owned_elsewhere_refused(root_client, assert_activity):
    first, second = CompanyFactory(name="First"), CompanyFactory(name="Second")
    url = reverse("admin:companies_companydomain_add")
    response = root_client.post(url, {"company": first.pk, "domain": "First.test"})
    assert response.status_code == 302
    assert CompanyDomain.objects.get().domain == "first.test"
    response = root_client.post(url, {"company": second.pk, "domain": "first.TEST"})
    assert response.status_code == 200
    assert "already belongs to “First”" in response.content.decode()
    assert CompanyDomain.objects.count() == 1
    domain = CompanyDomain.objects.get()
    root_client.post(
        reverse("admin:companies_companydomain_delete", args=[domain.pk]), {"post": "yes"}
    )
    assert not CompanyDomain.objects.exists()
    assert assert_activity.events() == ["company.domain.added", "company.domain.removed"]


def test_organization_and_roles_through_services(root_client, assert_activity):
    root_client.post(reverse("admin:companies_organization_add"), {"name": "Nordic Group"})
    assert Organization.objects.filter(name="Nordic Group").exists()
    member = UserFactory(company=CompanyFactory())
    url = reverse("admin:companies_roleassignment_add")
    response = root_client.post(url, {"user": member.pk, "role": Role.BP_ADMIN})
    assert response.status_code == 200 and "does not exist" in response.content.decode()
    response = root_client.post(url, {"user": member.pk, "role": Role.COMPANY_ADMIN})
    assert response.status_code == 302
    assignment = RoleAssignment.objects.get(user=member)
    root_client.post(
        reverse("admin:companies_roleassignment_delete", args=[assignment.pk]), {"post": "yes"}
    )
    assert not RoleAssignment.objects.exists()
    assert assert_activity.events() == ["organization.created", "role.granted", "role.revoked"]


def test_admin_pages_render(root_client):
    company = CompanyFactory()
    for name in (
        "company",
        "organization",
        "companydomain",
        "roleassignment",
        "companyinvitation",
        "joinrequest",
        "joinlink",
        "partnerinvitation",
    ):
        assert root_client.get(reverse(f"admin:companies_{name}_changelist")).status_code == 200
    assert (
        root_client.get(reverse("admin:companies_company_change", args=[company.pk])).status_code
        == 200
    )
