"""Browser journeys of issue 13: email-first sign-in routed to a SAML IdP and to an OpenID
Provider (both real, on loopback) and back, the admin's connection test, and a break-glass
admin signing in with a password while SSO is required (SPEC §7.6)."""

import re

import pytest
from playwright.sync_api import expect

from companies.models import CompanyDomain, Role
from sso import saml
from sso.models import CompanySsoSettings, IdentityProvider
from sso.services import config
from tests.factories import PASSWORD, CompanyFactory, UserFactory
from tests.sso.oidc_idp.process import running_op
from tests.sso.saml_idp import IdPServer, LocalIdP

pytestmark = pytest.mark.django_db(transaction=True)
OP_PASSWORD = "Provider-Pass-1!"


@pytest.fixture
def portal(settings, live_server):
    # Links the IdPs send the browser back to are built from the public base URL.
    settings.PORTAL_BASE_URL = live_server.url
    settings.SSO_ALLOW_LOOPBACK_FETCH = True
    company = CompanyFactory(name="Acme SSO", slug="acme-sso")
    CompanyDomain.objects.create(company=company, domain="acme-sso.test")
    return company


@pytest.fixture
def saml_idp(portal):
    idp = LocalIdP()
    holder = {}

    def audience(acs):
        return saml.sp_urls(holder["provider"])["entity_id"]

    with IdPServer(idp, audience_for=audience, email="bob@acme-sso.test") as server:
        holder["provider"] = IdentityProvider.objects.create(
            company=portal,
            kind="saml",
            name="Acme IdP",
            enabled=True,
            is_default=True,
            saml_entity_id=idp.entity_id,
            saml_sso_url=server.url + "/sso",
            saml_certificates=idp.cert_pem,
        )
        yield holder["provider"]


def email_step(page, email):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Continue").click()


def test_email_first_to_the_saml_idp_and_back(page, portal, saml_idp):
    bob = UserFactory(email="bob@acme-sso.test", company=portal, first_name="Bob")
    email_step(page, bob.email)
    expect(page.get_by_role("heading", name="Test IdP")).to_be_visible()
    page.get_by_role("button", name="Sign in as bob@acme-sso.test").click()
    expect(page.get_by_role("button", name=re.compile("Sign out"))).to_be_visible()
    assert page.csp_errors == []


def test_email_first_to_the_openid_provider_and_back(page, portal, live_server):
    bob = UserFactory(email="bob@acme-sso.test", company=portal, first_name="Bob")
    admin = UserFactory(email="admin@acme-sso.test", company=portal, roles=[Role.COMPANY_ADMIN])
    clients = [
        {
            "client_id": "portal",
            "client_secret": "portal-secret",
            "redirect_uri": live_server.url + "/sso/oidc/callback/",
        }
    ]
    users = [{"username": "bob", "email": bob.email, "password": OP_PASSWORD}]
    with running_op(clients=clients, users=users) as op:
        config.identity_provider_create(
            company=portal,
            kind="oidc",
            actor=admin,
            name="Acme OP",
            enabled=True,
            oidc_discovery_url=op.discovery_url,
            oidc_client_id="portal",
            client_secret="portal-secret",
        )
        email_step(page, bob.email)
        expect(page.get_by_role("heading", name="Test OpenID Provider")).to_be_visible()
        page.get_by_label("Username").fill("bob")
        page.get_by_label("Password").fill(OP_PASSWORD)
        page.get_by_role("button", name="Sign in at the provider").click()
        expect(page.get_by_role("button", name=re.compile("Sign out"))).to_be_visible()
    assert page.csp_errors == []


def test_admin_tests_the_connection_without_signing_anyone_in(page, portal, saml_idp):
    admin = UserFactory(email="admin@acme-sso.test", company=portal, roles=[Role.COMPANY_ADMIN])
    UserFactory(email="bob@acme-sso.test", company=portal)
    # The admin is the designated break-glass way in: a password, with SSO on for the domain.
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Sign in with a password").click()
    page.get_by_label("Email").fill(admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"/companies/{portal.slug}/security/identity-providers/")
    with page.context.expect_page() as tab:
        page.get_by_role("button", name="Test connection").click()
    idp_tab = tab.value
    idp_tab.get_by_role("button", name="Sign in as bob@acme-sso.test").click()
    expect(idp_tab.get_by_test_id("test-ok")).to_be_visible()
    expect(idp_tab.get_by_test_id("asserted")).to_contain_text("bob@acme-sso.test")
    # Still the admin (bob would have no "My company" entry), in both tabs.
    page.goto("/")
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="My company")
    ).to_be_visible()
    idp_tab.goto("/")
    expect(
        idp_tab.get_by_role("navigation", name="Main").get_by_role("link", name="My company")
    ).to_be_visible()


def test_break_glass_admin_keeps_the_password_while_sso_is_required(page, portal, saml_idp):
    admin = UserFactory(email="admin@acme-sso.test", company=portal, roles=[Role.COMPANY_ADMIN])
    bob = UserFactory(email="bob@acme-sso.test", company=portal)
    row = CompanySsoSettings.objects.create(company=portal, require_sso=True)
    row.break_glass_users.add(admin)
    # A member's password is refused: their company signs them in through its IdP.
    page.goto("/accounts/login/?with=password")
    page.get_by_label("Email").fill(bob.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("identity provider")
    # The break-glass admin signs in with email and password.
    page.goto("/accounts/login/?with=password")
    page.get_by_label("Email").fill(admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name=re.compile("Sign out"))).to_be_visible()
