"""SPEC §7.1: until its address is verified an account is not findable (directory, profile
page, API), cannot be invited in-app, and holds no license. A sign-up as ceo@<a company's
domain> must not appear as that company's "Chief Executive" before anyone proved it."""

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.security.services import user_verified_set
from companies.membership.signup import signup
from companies.services import company_create, domain_add
from companies.visibility import network_services as network
from companies.visibility import rules, search
from rainbow_portal.exceptions import ApplicationError
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme():
    company = company_create(name="Acme", region="EMEA", actor=None)
    domain_add(company=company, domain="acme.test", actor=None)
    return company


@pytest.fixture
def impostor(acme):
    signup(email="ceo@acme.test", password=PASSWORD, first_name="Chief", last_name="Executive")
    user = User.objects.select_related("company", "security").get(email="ceo@acme.test")
    assert user.company == acme and not user.security.email_verified
    return user


def test_an_unverified_account_is_found_by_nobody(client, api_client, acme, impostor):
    colleague = UserFactory(company=acme)
    outsider = UserFactory(company=company_create(name="Other", region="EMEA", actor=None))
    for viewer in (colleague, outsider):
        assert not rules.can_find(rules.person(viewer), rules.person(impostor), rules.DbWorld())
        assert impostor.pk not in dict(search.findable_ids(viewer))
        assert search.directory_search(viewer=viewer, query="chief").hits == []
    client.force_login(colleague)
    page = client.get(reverse("companies:directory"), {"q": "Chief"}).content.decode()
    assert "Executive" not in page
    assert client.get(reverse("companies:person", args=[impostor.pk])).status_code == 404
    company_page = client.get(reverse("companies:company-page", args=[acme.slug]))
    assert "Executive" not in company_page.content.decode()
    api_client.force_authenticate(colleague)
    assert api_client.get(reverse("api:directory-person", args=[impostor.pk])).status_code == 404
    assert api_client.get(reverse("api:directory"), {"q": "chief"}).json()["results"] == []


def test_an_unverified_account_cannot_be_invited_in_app(acme, impostor):
    colleague = UserFactory(company=acme)
    with pytest.raises(ApplicationError, match="No such person"):
        network.invitation_send_in_app(inviter=colleague, invitee=impostor, actor=colleague)


def test_once_verified_the_account_is_found(acme, impostor):
    colleague = UserFactory(company=acme)
    user_verified_set(user=impostor, verified=True)
    impostor = User.objects.select_related("company", "security").get(pk=impostor.pk)
    assert rules.can_find(rules.person(colleague), rules.person(impostor), rules.DbWorld())
    assert impostor.pk in dict(search.findable_ids(colleague))
