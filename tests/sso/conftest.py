import pytest

from companies.models import CompanyDomain, Role
from sso.models import IdentityProvider
from tests.factories import CompanyFactory, UserFactory

from .oidc_idp.process import running_op
from .saml_idp import LocalIdP


@pytest.fixture
def sso_settings(settings):
    settings.SSO_ALLOW_LOOPBACK_FETCH = True
    return settings


@pytest.fixture
def acme(db):
    company = CompanyFactory(name="Acme SSO", slug="acme-sso")
    CompanyDomain.objects.create(company=company, domain="acme-sso.test")
    return company


@pytest.fixture
def acme_admin(acme):
    return UserFactory(email="admin@acme-sso.test", company=acme, roles=[Role.COMPANY_ADMIN])


@pytest.fixture
def acme_user(acme):
    return UserFactory(email="bob@acme-sso.test", company=acme)


@pytest.fixture
def idp():
    return LocalIdP()


@pytest.fixture
def saml_provider(acme, idp):
    # Saved directly: these tests are about the sign-in, the configuration services have
    # their own tests (test_config.py).
    return IdentityProvider.objects.create(
        company=acme,
        kind=IdentityProvider.Kind.SAML,
        name="Acme IdP",
        enabled=True,
        is_default=True,
        saml_entity_id=idp.entity_id,
        saml_sso_url=idp.sso_url,
        saml_certificates=idp.cert_pem,
    )


OP_PASSWORD = "Provider-Pass-1!"


@pytest.fixture(scope="session")
def op():
    """The real OpenID Provider (django-oauth-toolkit) in its own process, for the session."""
    from django.conf import settings

    redirect = settings.PORTAL_BASE_URL.rstrip("/") + "/sso/oidc/callback/"
    users = [
        {"username": "bob", "email": "bob@acme-sso.test", "first_name": "Bob"},
        {"username": "stranger", "email": "stranger@elsewhere.test"},
        {"username": "unverified", "email": "unverified@acme-sso.test"},
        {"username": "newbie", "email": "newbie@acme-sso.test", "first_name": "New"},
        # Names an IdP may send that the portal's name validator refuses (D10b.9).
        {"username": "ali", "email": "ali@acme-sso.test", "first_name": "Ali\u200f"},
        {
            "username": "newline",
            "email": "newline@acme-sso.test",
            "first_name": "Line\nTwo",
            "last_name": "Tab\tbed",
        },
        # email_verified sent as a string (validator.py: "text-<value>").
        {"username": "text-false", "email": "text-false@acme-sso.test"},
        {"username": "text-FALSE", "email": "text-upper@acme-sso.test"},
    ]
    for user in users:
        user["password"] = OP_PASSWORD
    clients = [{"client_id": "portal", "client_secret": "portal-secret", "redirect_uri": redirect}]
    with running_op(clients=clients, users=users) as running:
        yield running
