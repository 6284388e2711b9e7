"""Email-first sign-in (SPEC §7.6): the domain decides, never the account; break-glass."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from companies.models import Role
from sso.models import CompanySsoSettings, IdentityProvider
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


def _normalized(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    html = re.sub(r'"X-CSRFToken": "[^"]+"', "", html)
    return re.sub(r'value="[^"]*@[^"]*"', 'value=""', html)


def test_login_page_asks_for_the_email_first(client):
    page = client.get(LOGIN).content.decode()
    assert 'type="password"' not in page
    assert ">Continue<" in page
    assert "Sign in with a password" in page


def test_sso_domain_goes_to_its_provider(client, saml_provider):
    response = client.post(
        LOGIN, {"username": "anyone@ACME-sso.test", "next": "/accounts/security/"}
    )
    # A page that moves on by itself: the CSP's form-action would stop a redirect to the IdP.
    assert response.status_code == 200
    onward = re.search(r'content="0;url=([^"]+)"', response.content.decode()).group(1)
    onward = onward.replace("&amp;", "&")
    assert onward.startswith(reverse("sso:start", args=[saml_provider.pk]))
    assert "login_hint=anyone%40acme-sso.test" in onward


def test_disabled_provider_means_password_step(client, saml_provider):
    IdentityProvider.objects.filter(pk=saml_provider.pk).update(enabled=False)
    response = client.post(LOGIN, {"username": "bob@acme-sso.test"})
    assert response.status_code == 200
    assert 'type="password"' in response.content.decode()


def test_unknown_and_known_addresses_answer_alike(client):
    UserFactory(email="known@plain.test")
    answers, counts = [], []
    for email in ("known@plain.test", "unknown@plain.test"):
        with CaptureQueriesContext(connection) as queries:
            response = client.post(LOGIN, {"username": email})
        assert response.status_code == 200
        answers.append(_normalized(response.content.decode()))
        counts.append(len(queries))
    assert answers[0] == answers[1]
    assert counts[0] == counts[1]


def test_email_and_password_in_one_post_still_sign_in(client):
    user = UserFactory(email="direct@plain.test")
    response = client.post(LOGIN, {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk


def test_password_refused_when_sso_is_required(client, saml_provider, acme, acme_user, acme_admin):
    row = CompanySsoSettings.objects.create(company=acme, require_sso=True)
    row.break_glass_users.add(acme_admin)
    response = client.post(
        LOGIN + "?with=password",
        {"username": acme_user.email, "password": PASSWORD, "step": "password"},
    )
    assert response.status_code == 200
    assert "identity provider" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # The break-glass admin keeps email + password.
    response = client.post(
        LOGIN + "?with=password",
        {"username": acme_admin.email, "password": PASSWORD, "step": "password"},
    )
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == acme_admin.pk


def test_wrong_password_for_sso_user_says_only_not_correct(client, saml_provider, acme, acme_user):
    CompanySsoSettings.objects.create(company=acme, require_sso=True)
    response = client.post(
        LOGIN, {"username": acme_user.email, "password": "wrong-Password-1!", "step": "password"}
    )
    page = response.content.decode()
    assert "not correct" in page and "identity provider" not in page


def test_password_step_without_password_is_a_field_error(client):
    response = client.post(LOGIN, {"username": "x@plain.test", "step": "password"})
    assert "Enter your password." in response.content.decode()


def test_partner_admin_counts_as_break_glass_only_when_named(client, saml_provider, acme):
    admin = UserFactory(email="second@acme-sso.test", company=acme, roles=[Role.COMPANY_ADMIN])
    CompanySsoSettings.objects.create(company=acme, require_sso=True)
    response = client.post(
        LOGIN, {"username": admin.email, "password": PASSWORD, "step": "password"}
    )
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200


# --- Break-glass lasts only while the admin role does (SPEC §7.6) -----------------------------


def _password_step(client, user):
    return client.post(
        LOGIN + "?with=password",
        {"username": user.email, "password": PASSWORD, "step": "password"},
    )


def test_break_glass_ends_with_the_admin_role(client, saml_provider, acme, acme_admin):
    row = CompanySsoSettings.objects.create(company=acme, require_sso=True)
    row.break_glass_users.add(acme_admin)
    acme_admin.roles.all().delete()  # no longer an admin, still on the list
    response = _password_step(client, acme_admin)
    assert response.status_code == 200
    assert "identity provider" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_break_glass_does_not_survive_leaving_and_rejoining(
    client, saml_provider, acme, acme_admin
):
    from companies.selectors import default_company
    from companies.services import user_move_to_company

    row = CompanySsoSettings.objects.create(company=acme, require_sso=True)
    row.break_glass_users.add(acme_admin)
    # Roles do not travel: back in the company as a plain member, still on the list.
    user_move_to_company(user=acme_admin, company=default_company(), actor=None)
    user_move_to_company(user=acme_admin, company=acme, actor=None)
    response = _password_step(client, acme_admin)
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200


def test_may_use_password_policy(acme, acme_admin, acme_user):
    from sso.policies import BREAK_GLASS_ROLES, may_use_password
    from sso.selectors import sso_settings_for_user

    def row_for(user):
        return sso_settings_for_user(user=user, roles=BREAK_GLASS_ROLES)

    created = CompanySsoSettings.objects.create(company=acme, require_sso=True)
    created.break_glass_users.add(acme_admin, acme_user)
    assert may_use_password(user=acme_admin, settings_row=row_for(acme_admin))
    row = row_for(acme_user)
    assert not may_use_password(user=acme_user, settings_row=row)  # listed, not an admin
    row.require_sso = False
    assert may_use_password(user=acme_user, settings_row=row)
