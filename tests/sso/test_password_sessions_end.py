"""A password session ends when the company's "SSO required" rule comes to apply to it after
sign-in (SPEC §7.6; D17s.3, D17s.6, D17s.7): switched on, break-glass role lost, or joined
into. Sessions signed in through the company's IdP go on."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import UserSession
from companies.membership.services.join_requests import join_request_create, join_request_decide
from companies.selectors import default_company
from sso.services import config
from tests.factories import PASSWORD, UserFactory

from .saml_helpers import post_acs, signed, signed_in_as, start

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


def _password_sign_in(client, user):
    response = client.post(
        LOGIN + "?with=password",
        {"username": user.email, "password": PASSWORD, "step": "password"},
    )
    assert response.status_code == 302, response.content[:500]
    assert signed_in_as(client) == user.pk
    return client.session.session_key


def _require_sso(company, actor, break_glass):
    config.company_sso_settings_set(
        company=company,
        actor=actor,
        require_sso=True,
        jit_provisioning=False,
        break_glass_users=break_glass,
    )


def _page(client):
    return client.get(reverse("core:dashboard"))


@pytest.fixture
def ended(client, assert_activity):
    """Asserts the password session was ended for the SSO rule, and how the person is told."""

    def check(user, key, response):
        _assert_ended(client, user, key, response, assert_activity)

    return check


@pytest.fixture
def kept(client, assert_activity):
    """Asserts the session goes on: not ended, not sent to the login page."""

    def check(user, key, response):
        _assert_kept(client, user, key, response, assert_activity)

    return check


def _assert_ended(client, user, key, response, assert_activity):
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == LOGIN
    assert signed_in_as(client) is None
    assert not UserSession.objects.filter(session_key=key).exists()
    (record,) = assert_activity("user.logout", target=user)
    assert record.data == {"reason": "sso_required"}
    page = client.get(response["Location"]).content.decode()
    assert "identity provider" in page


def _assert_kept(client, user, key, response, assert_activity):
    assert signed_in_as(client) == user.pk
    assert UserSession.objects.filter(session_key=key).exists()
    assert_activity("user.logout", count=0)
    if response.status_code == 302:  # at most sent on to the second factor, never to login
        assert urlsplit(response["Location"]).path != LOGIN


def test_switching_require_sso_on_ends_a_members_password_session(
    client, saml_provider, acme, acme_admin, acme_user, ended
):
    key = _password_sign_in(client, acme_user)
    assert _page(client).status_code == 200
    _require_sso(acme, acme_admin, [acme_admin])
    ended(acme_user, key, _page(client))


def test_break_glass_admin_losing_the_role_ends_the_password_session(
    client, saml_provider, acme, acme_admin, ended
):
    _require_sso(acme, acme_admin, [acme_admin])
    key = _password_sign_in(client, acme_admin)
    acme_admin.roles.all().delete()  # still on the list, no longer an admin
    ended(acme_admin, key, _page(client))


def test_joining_an_sso_required_company_ends_the_password_session(
    client, saml_provider, acme, acme_admin, ended
):
    _require_sso(acme, acme_admin, [acme_admin])
    carol = UserFactory(email="carol@acme-sso.test", company=default_company())
    key = _password_sign_in(client, carol)
    join_request_decide(
        join_request=join_request_create(user=carol, company=acme), accept=True, actor=acme_admin
    )
    ended(carol, key, _page(client))


def test_saml_session_goes_on_after_require_sso(
    client, saml_provider, idp, acme, acme_admin, acme_user, kept
):
    request_id = start(client, saml_provider)
    assert post_acs(client, saml_provider, signed(idp, saml_provider, request_id)).status_code
    assert signed_in_as(client) == acme_user.pk
    key = client.session.session_key
    _require_sso(acme, acme_admin, [acme_admin])
    response = _page(client)
    assert response.status_code == 200
    kept(acme_user, key, response)


def test_oidc_session_goes_on_after_require_sso(client, sso_settings, op, acme, acme_admin, kept):
    from .test_oidc import callback, sign_in_at_op
    from .test_oidc import start as oidc_start

    provider = config.identity_provider_create(
        company=acme,
        kind="oidc",
        actor=acme_admin,
        name="Acme OP",
        enabled=True,
        oidc_discovery_url=op.discovery_url,
        oidc_client_id="portal",
        client_secret="portal-secret",
    )
    bob = UserFactory(email="bob@acme-sso.test", company=acme)
    authorize = oidc_start(client, provider)
    assert parse_qs(urlsplit(authorize).query)["state"]
    assert callback(client, sign_in_at_op(op, authorize, "bob")).status_code == 302
    assert signed_in_as(client) == bob.pk
    key = client.session.session_key
    _require_sso(acme, acme_admin, [acme_admin])
    response = _page(client)
    assert response.status_code == 200
    kept(bob, key, response)


def test_an_abandoned_sso_start_does_not_exempt_a_password_session(
    client, saml_provider, sso_settings, op, acme, acme_admin, acme_user, ended
):
    """What an unfinished OIDC start leaves in the session is no proof of an IdP sign-in."""
    from .test_oidc import start as oidc_start

    provider = config.identity_provider_create(
        company=acme,
        kind="oidc",
        actor=acme_admin,
        name="Acme OP",
        enabled=True,
        oidc_discovery_url=op.discovery_url,
        oidc_client_id="portal",
        client_secret="portal-secret",
    )
    oidc_start(client, provider)
    key = _password_sign_in(client, acme_user)
    _require_sso(acme, acme_admin, [acme_admin])
    ended(acme_user, key, _page(client))


def test_break_glass_admin_still_admin_keeps_the_password_session(
    client, saml_provider, acme, acme_admin, kept
):
    _require_sso(acme, acme_admin, [acme_admin])
    key = _password_sign_in(client, acme_admin)
    kept(acme_admin, key, _page(client))
    kept(acme_admin, key, _page(client))


def test_superuser_keeps_the_password_session(client, saml_provider, acme, acme_admin, kept):
    _require_sso(acme, acme_admin, [acme_admin])
    root = UserFactory(email="root@acme-sso.test", company=acme, is_superuser=True)
    key = _password_sign_in(client, root)
    kept(root, key, _page(client))


def test_the_check_costs_one_small_query_per_page(client, saml_provider, acme, acme_user):
    _password_sign_in(client, acme_user)
    _page(client)  # warm: the once-a-minute session touch is not what is measured
    with CaptureQueriesContext(connection) as queries:
        assert _page(client).status_code == 200
    print(f"dashboard page queries: {len(queries)}")
    sso_queries = [q["sql"] for q in queries if "sso_companyssosettings" in q["sql"]]
    assert len(sso_queries) == 1, sso_queries


def test_break_glass_check_is_one_query_too(client, saml_provider, acme, acme_admin):
    _require_sso(acme, acme_admin, [acme_admin])
    _password_sign_in(client, acme_admin)
    _page(client)
    with CaptureQueriesContext(connection) as queries:
        _page(client)
    print(f"break-glass admin page queries: {len(queries)}")
    sso = [q["sql"] for q in queries if "sso_companyssosettings" in q["sql"]]
    assert len(sso) == 1, sso


def test_an_sso_session_pays_no_query(client, saml_provider, idp, acme_user):
    assert post_acs(client, saml_provider, signed(idp, saml_provider, start(client, saml_provider)))
    _page(client)
    with CaptureQueriesContext(connection) as queries:
        assert _page(client).status_code == 200
    print(f"SAML session page queries: {len(queries)}")
    assert not [q for q in queries if "sso_companyssosettings" in q["sql"]]


def test_settings_left_on_the_default_company_refuse_no_standalone_user(client, kept):
    """Saved before the default company was refused SSO settings (D17s.1): such a row must not
    lock every standalone user out of the password, when no IdP may sign them in either."""
    from sso.models import CompanySsoSettings

    CompanySsoSettings.objects.create(company=default_company(), require_sso=True)
    dana = UserFactory(email="dana@gmail.test", company=default_company())
    key = _password_sign_in(client, dana)
    response = _page(client)
    assert response.status_code == 200
    kept(dana, key, response)
