"""SPEC §2.3: no link crosses the China boundary — no business partner, organization or
visibility grant between a China company and one outside China, whoever asks (admin pages,
portal flows, services)."""

import pytest
from django.urls import reverse

from companies.models import Company, Organization, VisibilityGrant
from companies.services import company_create, company_organization_set, company_partner_set
from companies.visibility.services import visibility_grant_create
from rainbow_portal.exceptions import ApplicationError
from tests.factories import CompanyFactory, UserFactory, login_with_second_factor

pytestmark = pytest.mark.django_db


def partner(region):
    return CompanyFactory(region=region, kind=Company.Kind.BUSINESS_PARTNER)


@pytest.mark.parametrize(
    ("customer_region", "partner_region"), [("China", "EMEA"), ("NA", "China")]
)
def test_no_business_partner_across_the_boundary(customer_region, partner_region):
    customer = CompanyFactory(region=customer_region)
    bp = partner(partner_region)
    with pytest.raises(ApplicationError, match="China boundary") as exc:
        company_partner_set(company=customer, partner=bp, actor=None)
    assert exc.value.code == "china_boundary"
    customer.refresh_from_db()
    assert customer.business_partner_id is None
    with pytest.raises(ApplicationError, match="China boundary"):
        company_create(name="New", region=customer_region, business_partner=bp, actor=None)
    assert not Company.objects.filter(name="New").exists()


def test_a_partner_on_the_same_side_is_fine():
    customer = CompanyFactory(region="China")
    company_partner_set(company=customer, partner=partner("China"), actor=None)
    assert customer.business_partner.region == "China"


@pytest.mark.parametrize(("first", "second"), [("China", "EMEA"), ("APAC", "China")])
def test_an_organization_never_mixes_china_and_other_regions(first, second):
    org = Organization.objects.create(name="Group")
    a, b = CompanyFactory(region=first), CompanyFactory(region=second)
    company_organization_set(company=a, organization=org, actor=None)
    with pytest.raises(ApplicationError, match="never both"):
        company_organization_set(company=b, organization=org, actor=None)
    b.refresh_from_db()
    assert b.organization_id is None
    with pytest.raises(ApplicationError, match="never both"):
        company_create(name="Other", region=second, organization=org, actor=None)
    # Same side: allowed.
    company_organization_set(company=CompanyFactory(region=first), organization=org, actor=None)


def test_no_visibility_grant_across_the_boundary():
    with pytest.raises(ApplicationError, match="China"):
        visibility_grant_create(
            company=CompanyFactory(region="China"), visible_by=CompanyFactory(), actor=None
        )
    assert not VisibilityGrant.objects.exists()


def test_the_django_admin_shows_the_refusal_and_saves_nothing(client):
    root = UserFactory(is_staff=True, is_superuser=True)
    login_with_second_factor(client, root)
    china = CompanyFactory(name="Great Wall", region="China")
    bp = partner("EMEA")
    org = Organization.objects.create(name="Group")
    company_organization_set(company=CompanyFactory(region="EMEA"), organization=org, actor=None)
    url = reverse("admin:companies_company_change", args=[china.pk])
    form = {
        "name": "Great Wall",
        "kind": "end_customer",
        "region": "China",
        "visibility": "public",
        "status": "active",
        "organization": "",
        "business_partner": bp.pk,
    }
    response = client.post(url, form, follow=True)
    assert "no link crosses the China boundary" in response.content.decode()
    response = client.post(
        url, {**form, "business_partner": "", "organization": org.pk}, follow=True
    )
    assert "never both" in response.content.decode()
    china.refresh_from_db()
    assert china.business_partner_id is None and china.organization_id is None
