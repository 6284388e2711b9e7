"""Accepting a company invitation in a company that requires SSO (SPEC §2.6, §7.6): the
account is made or moved as usual, but no password session starts; the person is sent to the
company's identity provider instead."""

import html
import re

import pytest
from django.urls import reverse

from companies.membership import services
from companies.selectors import default_company
from core.models import OutboundEmail
from sso.models import CompanySsoSettings
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sso_required(acme, acme_admin, saml_provider):
    row = CompanySsoSettings.objects.create(company=acme, require_sso=True)
    row.break_glass_users.add(acme_admin)
    return row


def _link(acme, admin, email):
    services.invitations_create(company=acme, emails=[email], actor=admin)
    token = OutboundEmail.objects.get(to=email).body_text.split("/invitations/")[1].split("/")[0]
    return reverse("companies:invitation", args=[token])


def _signup(client, link):
    return client.post(
        link,
        {
            "first_name": "New",
            "last_name": "Person",
            "password": PASSWORD,
            "password_again": PASSWORD,
        },
    )


def _onward(response) -> str:
    found = re.search(r'content="0;url=([^"]+)"', response.content.decode())
    return html.unescape(found[1]) if found else ""


def test_signup_sends_the_new_member_to_the_idp(client, acme, acme_admin, sso_required):
    from accounts.models import User

    response = _signup(client, _link(acme, acme_admin, "new@acme-sso.test"))
    user = User.objects.get(email="new@acme-sso.test")
    assert user.company == acme
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200
    assert _onward(response).startswith(
        reverse("sso:start", args=[sso_required.company.identity_providers.get().pk])
    )


def test_signup_with_an_address_off_the_domains_goes_to_the_sign_in_page(
    client, acme, acme_admin, sso_required
):
    from accounts.models import User

    response = _signup(client, _link(acme, acme_admin, "personal@elsewhere.test"))
    assert User.objects.get(email="personal@elsewhere.test").company == acme
    assert "_auth_user_id" not in client.session
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_signed_in_standalone_user_joins_and_is_sent_to_the_idp(
    client, acme, acme_admin, sso_required
):
    person = UserFactory(email="solo@acme-sso.test", company=default_company())
    link = _link(acme, acme_admin, person.email)
    client.force_login(person)
    response = client.post(link)
    person.refresh_from_db()
    assert person.company == acme
    assert "_auth_user_id" not in client.session
    assert _onward(response).startswith("/sso/")


def test_without_required_sso_the_signup_signs_in_as_before(
    client, acme, acme_admin, saml_provider
):
    response = _signup(client, _link(acme, acme_admin, "new@acme-sso.test"))
    assert response.status_code == 302
    assert client.session.get("_auth_user_id")
