"""The identity-provider pages and API: who reaches them, the admin's connection test, and
what the API says (the client secret never comes back)."""

import html
import re

import pytest
from django.urls import reverse

from companies.models import Company, Role
from sso import saml
from sso.models import ConnectionTest, IdentityProvider
from tests.factories import CompanyFactory, UserFactory

from .saml_idp import request_from_redirect

pytestmark = pytest.mark.django_db


def idp_post(client, provider, body):
    """The IdP's cross-site POST from the admin's browser: it carries the SSO binding cookie
    (SameSite=None) and not the session cookie (SameSite=Lax)."""
    from django.test import Client

    from sso.services.saml_signin import SAML_BROWSER_COOKIE

    cross_site = Client()
    for name, cookie in client.cookies.items():
        if name.startswith(SAML_BROWSER_COOKIE + "_"):
            cross_site.cookies[name] = cookie.value
    return cross_site.post(reverse("sso:saml-acs", args=[provider.pk]), {"SAMLResponse": body})


def onward_url(response) -> str:
    url = re.search(r'content="0;url=([^"]+)"', response.content.decode()).group(1)
    return html.unescape(url)


def test_admin_adds_a_saml_provider_by_pasting_metadata(client, acme, acme_admin, idp):
    client.force_login(acme_admin)
    url = reverse("sso:provider-add", args=[acme.slug, "saml"])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"name": "Okta", "enabled": "on", "saml_metadata_xml": idp.metadata()}
    )
    assert response.status_code == 302
    provider = IdentityProvider.objects.get(company=acme)
    assert provider.saml_sso_url == idp.sso_url
    listing = client.get(reverse("sso:providers", args=[acme.slug])).content.decode()
    assert "Okta" in listing and "Service provider metadata" in listing


def test_bad_metadata_is_shown_next_to_the_field(client, acme, acme_admin):
    client.force_login(acme_admin)
    response = client.post(
        reverse("sso:provider-add", args=[acme.slug, "saml"]),
        {"name": "Okta", "saml_metadata_xml": "<garbage"},
    )
    assert response.status_code == 200
    assert "could not be read" in response.content.decode()
    assert not IdentityProvider.objects.exists()


def test_sp_metadata_is_valid_saml(client, saml_provider):
    response = client.get(reverse("sso:saml-metadata", args=[saml_provider.pk]))
    assert response.status_code == 200
    assert saml.sp_urls(saml_provider)["acs"] in response.content.decode()


@pytest.mark.parametrize("who", ["member", "other_admin", "bp_operation", "anonymous"])
def test_who_cannot_reach_the_pages(client, acme, saml_provider, who):
    partner = CompanyFactory(kind=Company.Kind.BUSINESS_PARTNER, slug="bp-pages")
    Company.objects.filter(pk=acme.pk).update(business_partner=partner)
    users = {
        "member": (UserFactory(company=acme), 403),
        "other_admin": (UserFactory(roles=[Role.COMPANY_ADMIN]), 404),
        "bp_operation": (UserFactory(company=partner, roles=[Role.BP_OPERATION]), 403),
        "anonymous": (None, 302),
    }
    user, expected = users[who]
    if user:
        client.force_login(user)
    for url in (
        reverse("sso:providers", args=[acme.slug]),
        reverse("sso:provider-edit", args=[acme.slug, saml_provider.pk]),
    ):
        assert client.get(url).status_code == expected, (who, url)


def test_own_slug_with_another_companys_provider_is_404(client, acme_admin, acme):
    other = CompanyFactory(slug="other-co")
    foreign = IdentityProvider.objects.create(company=other, kind="saml", name="X")
    client.force_login(acme_admin)
    assert client.get(reverse("sso:provider-edit", args=[acme.slug, foreign.pk])).status_code == 404
    assert (
        client.post(reverse("sso:provider-delete", args=[acme.slug, foreign.pk])).status_code == 404
    )
    assert IdentityProvider.objects.filter(pk=foreign.pk).exists()


def test_connection_test_shows_what_was_asserted_and_signs_no_one_in(
    client, acme_admin, saml_provider, idp, acme_user
):
    client.force_login(acme_admin)
    response = client.post(
        reverse("sso:test-start", args=[saml_provider.company.slug, saml_provider.pk])
    )
    assert response.status_code == 200
    request_id, acs = request_from_redirect(onward_url(response))
    urls = saml.sp_urls(saml_provider)
    body = idp.response(
        email=acme_user.email, acs_url=acs, audience=urls["entity_id"], in_response_to=request_id
    )
    # The IdP's POST comes cross-site: no session cookie with it, only the browser binding
    # (SameSite=None, limited to the ACS path).
    response = idp_post(client, saml_provider, body)
    test = ConnectionTest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("sso:test-result", args=[test.pk])
    assert "_auth_user_id" not in response.client.session
    page = client.get(response["Location"]).content.decode()
    assert acme_user.email in page and "Nobody was signed in" in page
    assert int(client.session["_auth_user_id"]) == acme_admin.pk
    # Another admin does not see the result.
    other = UserFactory(company=saml_provider.company, roles=[Role.COMPANY_ADMIN])
    client.force_login(other)
    assert client.get(reverse("sso:test-result", args=[test.pk])).status_code == 404


def test_failed_connection_test_names_the_precise_reason(client, acme_admin, saml_provider, idp):
    client.force_login(acme_admin)
    response = client.post(
        reverse("sso:test-start", args=[saml_provider.company.slug, saml_provider.pk])
    )
    request_id, acs = request_from_redirect(onward_url(response))
    body = idp.response(
        email="x@acme-sso.test",
        acs_url=acs,
        audience="https://wrong-audience",
        in_response_to=request_id,
    )
    idp_post(client, saml_provider, body)
    test = ConnectionTest.objects.get()
    assert not test.ok and "audience" in test.reason.lower()
    page = client.get(reverse("sso:test-result", args=[test.pk])).content.decode()
    assert "refused" in page and "udience" in page


# --- API ---------------------------------------------------------------------------------


def test_api_create_list_patch_delete(api_client, sso_settings, acme, acme_admin, idp, op):
    api_client.force_authenticate(acme_admin)
    base = f"/api/v1/companies/{acme.slug}/identity-providers/"
    created = api_client.post(
        base,
        {
            "kind": "oidc",
            "name": "OP",
            "enabled": True,
            "oidc_discovery_url": op.discovery_url,
            "oidc_client_id": "portal",
            "client_secret": "portal-secret",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["has_client_secret"] is True
    assert "client_secret" not in body and "portal-secret" not in created.content.decode()
    listing = api_client.get(base).json()
    assert [p["name"] for p in listing] == ["OP"]
    patched = api_client.patch(base + body["id"] + "/", {"enabled": False}, format="json")
    assert patched.status_code == 200 and patched.json()["enabled"] is False
    assert (
        api_client.patch(base + body["id"] + "/", {"kind": "saml"}, format="json").status_code
        == 400
    )
    assert api_client.delete(base + body["id"] + "/").status_code == 204
    assert not IdentityProvider.objects.exists()


def test_api_refusals_are_400_with_fields(api_client, acme, acme_admin):
    api_client.force_authenticate(acme_admin)
    base = f"/api/v1/companies/{acme.slug}/identity-providers/"
    response = api_client.post(
        base, {"kind": "saml", "name": "X", "metadata_xml": "<x"}, format="json"
    )
    assert response.status_code == 400
    assert "metadata" in str(response.json()["error"]["fields"])
    response = api_client.post(base, {"name": "X"}, format="json")
    assert response.status_code == 400


def test_api_sso_settings(api_client, acme, acme_admin, acme_user, saml_provider):
    api_client.force_authenticate(acme_admin)
    url = f"/api/v1/companies/{acme.slug}/sso-settings/"
    assert api_client.get(url).json() == {
        "require_sso": False,
        "jit_provisioning": False,
        "break_glass_users": [],
    }
    response = api_client.put(
        url,
        {"require_sso": True, "jit_provisioning": False, "break_glass_users": [acme_admin.pk]},
        format="json",
    )
    assert response.status_code == 200 and response.json()["break_glass_users"] == [acme_admin.pk]
    stranger = UserFactory()
    response = api_client.put(
        url,
        {"require_sso": True, "jit_provisioning": False, "break_glass_users": [stranger.pk]},
        format="json",
    )
    assert response.status_code == 400


# --- The default company has no identity provider (SPEC §2.2, §7.6) -----------------------------


def test_default_company_pages_show_the_refusal(client, idp):
    from companies.selectors import default_company
    from tests.factories import login_with_second_factor

    rainbow = default_company()
    login_with_second_factor(client, UserFactory(is_superuser=True, is_staff=True))
    response = client.post(
        reverse("sso:provider-add", args=[rainbow.slug, "saml"]),
        {"name": "Okta", "enabled": "on", "saml_metadata_xml": idp.metadata()},
    )
    assert response.status_code == 200
    assert "standalone" in response.content.decode()
    response = client.post(
        reverse("sso:providers", args=[rainbow.slug]), {"jit_provisioning": "on"}
    )
    assert response.status_code == 200
    assert "standalone" in response.content.decode()
    assert not IdentityProvider.objects.filter(company=rainbow).exists()


def test_default_company_api_refuses_with_400(api_client, idp):
    from companies.selectors import default_company

    rainbow = default_company()
    api_client.force_authenticate(UserFactory(is_superuser=True, is_staff=True))
    base = f"/api/v1/companies/{rainbow.slug}/"
    response = api_client.post(
        base + "identity-providers/",
        {"kind": "saml", "name": "Okta", "metadata_xml": idp.metadata()},
        format="json",
    )
    assert response.status_code == 400
    assert "standalone" in response.json()["error"]["message"]
    response = api_client.put(
        base + "sso-settings/",
        {"require_sso": False, "jit_provisioning": True, "break_glass_users": []},
        format="json",
    )
    assert response.status_code == 400
    assert not IdentityProvider.objects.filter(company=rainbow).exists()
