"""Operators manage identity providers in the Django admin, through the services."""

import pytest

from activity.models import ActivityRecord
from sso.models import IdentityProvider
from tests.factories import UserFactory, login_with_second_factor

pytestmark = pytest.mark.django_db
ADD = "/admin/sso/identityprovider/add/"


@pytest.fixture
def operator(client):
    user = UserFactory(is_superuser=True, is_staff=True)
    login_with_second_factor(client, user)
    return user


def test_operator_adds_changes_and_removes_a_provider(client, operator, acme, idp):
    response = client.post(
        ADD,
        {
            "company": acme.pk,
            "kind": "saml",
            "name": "Okta",
            "enabled": "on",
            "metadata_xml": idp.metadata(),
            "oidc_scopes": "openid email profile",
            "oidc_email_claim": "email",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    provider = IdentityProvider.objects.get(company=acme)
    assert provider.saml_sso_url == idp.sso_url and provider.is_default
    assert ActivityRecord.objects.filter(event="sso.provider.created").count() == 1
    change = f"/admin/sso/identityprovider/{provider.pk}/change/"
    response = client.post(
        change,
        {
            "name": "Okta EU",
            "enabled": "on",
            "saml_entity_id": provider.saml_entity_id,
            "saml_sso_url": provider.saml_sso_url,
            "saml_certificates": provider.saml_certificates,
            "oidc_scopes": "openid email profile",
            "oidc_email_claim": "email",
        },
    )
    assert response.status_code == 302
    provider.refresh_from_db()
    assert provider.name == "Okta EU"
    assert ActivityRecord.objects.filter(event="sso.provider.updated").count() == 1
    client.post(f"/admin/sso/identityprovider/{provider.pk}/delete/", {"post": "yes"})
    assert not IdentityProvider.objects.exists()
    assert ActivityRecord.objects.filter(event="sso.provider.deleted").count() == 1


def test_a_refused_provider_shows_why_and_saves_nothing(client, operator, acme):
    response = client.post(
        ADD,
        {
            "company": acme.pk,
            "kind": "saml",
            "name": "Broken",
            "metadata_xml": "<nope",
            "oidc_scopes": "openid",
            "oidc_email_claim": "email",
        },
        follow=True,
    )
    assert "could not be read" in response.content.decode()
    assert not IdentityProvider.objects.exists()
