"""Issue 14: no company owns a public webmail domain (gmail.com, outlook.com, …), whether the
superadmin uses the Django admin, the operator API or the service itself. The list is a data
file in the repository (companies/data/public_mail_domains.txt)."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from companies.mail_domains import LIST_FILE, is_public_mail_domain, public_mail_domains
from companies.models import CompanyDomain
from companies.services import domain_add
from rainbow_portal.exceptions import ApplicationError
from tests.factories import CompanyFactory, UserFactory, login_with_second_factor

pytestmark = pytest.mark.django_db


def test_the_list_is_a_data_file_with_the_common_providers():
    text = LIST_FILE.read_text(encoding="utf-8")
    for provider in ("gmail.com", "outlook.com", "hotmail.com", "yahoo.com", "icloud.com"):
        assert f"\n{provider}\n" in text
    assert len(public_mail_domains()) > 50
    assert not any(d.startswith("#") or d != d.strip().lower() for d in public_mail_domains())


@pytest.mark.parametrize(
    ("domain", "public"),
    [
        ("gmail.com", True),
        ("GMail.COM.", True),
        ("mail.gmail.com", True),
        ("outlook.fr", True),
        ("acme.test", False),
        ("notgmail.com", False),
        ("gmail.com.acme.test", False),
        ("com", False),
    ],
)
def test_a_domain_is_public_when_it_or_its_parent_is_listed(domain, public):
    assert is_public_mail_domain(domain) is public


@pytest.mark.parametrize("domain", ["gmail.com", "@Outlook.com", "proton.me"])
def test_the_service_refuses_a_public_mail_domain_with_a_clear_message(domain, assert_activity):
    with pytest.raises(ApplicationError, match="public email service") as caught:
        domain_add(company=CompanyFactory(), domain=domain, actor=None)
    assert caught.value.fields["domain"]
    assert not CompanyDomain.objects.exists()
    assert assert_activity.events() == []


def test_the_service_still_accepts_a_company_domain():
    assert (
        domain_add(company=CompanyFactory(), domain="acme.test", actor=None).domain == "acme.test"
    )


def test_the_admin_refuses_a_public_mail_domain(client):
    login_with_second_factor(client, UserFactory(is_staff=True, is_superuser=True))
    company = CompanyFactory(name="Acme")
    response = client.post(
        reverse("admin:companies_companydomain_add"), {"company": company.pk, "domain": "gmail.com"}
    )
    assert response.status_code == 200
    assert "public email service" in response.content.decode()
    assert not CompanyDomain.objects.exists()


def test_the_operator_api_refuses_a_public_mail_domain():
    company = CompanyFactory(name="Acme")
    api = APIClient()
    api.force_authenticate(UserFactory(is_staff=True, is_superuser=True))
    response = api.post(
        reverse("api:operator-domains", args=[company.slug]),
        {"domain": "hotmail.com"},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "domain_refused"
    assert "public email service" in body["message"]
    assert not CompanyDomain.objects.exists()
