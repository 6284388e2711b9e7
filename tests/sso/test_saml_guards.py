"""SAML sign-in's guards added by the review of 2026-12-04 (SPEC §2.2, §7.6): no identity
provider speaks for the default company's standalone users, an answer is bound to the browser
that started the sign-in (D17s.2), and names from the IdP are cleaned for a just-in-time
account (D17s.5)."""

import pytest
from django.urls import reverse

from sso.models import CompanySsoSettings, IdentityProvider, SamlRequest
from tests.factories import UserFactory

from .saml_helpers import last_refusal, post_acs, signed, signed_in_as, start

pytestmark = pytest.mark.django_db


# --- The default company: standalone users belong to no company (SPEC §2.2, §7.6) -------------


@pytest.fixture
def rainbow_provider(idp):
    """A provider on the default company, as one could be made before that was refused."""
    from companies.selectors import default_company

    rainbow = default_company()
    CompanySsoSettings.objects.create(company=rainbow, jit_provisioning=True)
    return IdentityProvider.objects.create(
        company=rainbow,
        kind=IdentityProvider.Kind.SAML,
        name="Rainbow IdP",
        enabled=True,
        saml_entity_id=idp.entity_id,
        saml_sso_url=idp.sso_url,
        saml_certificates=idp.cert_pem,
        saml_allow_idp_initiated=True,
    )


def _acs_request(provider, body):
    from django.test import RequestFactory

    return RequestFactory().post(
        reverse("sso:saml-acs", args=[provider.pk]), {"SAMLResponse": body}
    )


def test_default_company_idp_never_signs_a_standalone_user_in(client, rainbow_provider, idp):
    from companies.selectors import default_company

    standalone = UserFactory(email="alice@gmail.test", company=default_company())
    response = post_acs(
        client,
        rainbow_provider,
        signed(idp, rainbow_provider, None, email=standalone.email),
    )
    assert response.status_code in (400, 404)
    assert signed_in_as(client) is None


def test_default_company_member_is_never_matched(rainbow_provider, idp):
    from accounts.models import User
    from companies.models import CompanyDomain as Domain
    from companies.selectors import default_company
    from sso.services import saml_signin

    UserFactory(email="alice@gmail.test", company=default_company())
    # Even with a domain on the default company and JIT on, nothing is matched or created.
    Domain.objects.create(company=default_company(), domain="rainbow-jit.test")
    for email in ("alice@gmail.test", "new@rainbow-jit.test"):
        outcome = saml_signin.saml_acs(
            provider=rainbow_provider,
            request=_acs_request(
                rainbow_provider, signed(idp, rainbow_provider, None, email=email)
            ),
            path=reverse("sso:saml-acs", args=[rainbow_provider.pk]),
        )
        assert outcome.user is None
        assert outcome.reason == "default_company"
    assert not User.objects.filter(email="new@rainbow-jit.test").exists()


# --- The response is bound to the browser that started the sign-in (login CSRF) ---------------


def test_start_sets_the_browser_binding_cookie(client, saml_provider):
    from sso.services.saml_signin import saml_browser_cookie

    request_id = start(client, saml_provider)
    cookie = client.cookies[saml_browser_cookie(request_id)]
    assert cookie.value
    assert cookie["secure"] and cookie["httponly"]
    assert cookie["samesite"] == "None"
    assert cookie["path"] == reverse("sso:saml-acs", args=[saml_provider.pk])
    row = SamlRequest.objects.get(pk=request_id)
    assert row.browser_digest and cookie.value not in row.browser_digest


def test_response_to_a_request_started_in_another_browser_is_refused(
    client, saml_provider, idp, acme_user
):
    from django.test import Client

    # The attacker starts a sign-in in their own browser and signs in at the IdP...
    attacker = Client()
    request_id = start(attacker, saml_provider)
    body = signed(idp, saml_provider, request_id)
    # ...then makes the victim's browser post the answer (no cookie, or the victim's own).
    response = post_acs(client, saml_provider, body)
    assert response.status_code == 400
    assert "another browser" in response.content.decode()
    assert signed_in_as(client) is None
    assert last_refusal() == "other_browser"
    start(client, saml_provider)  # the victim's own cookie does not fit either
    assert post_acs(client, saml_provider, body).status_code == 400
    assert signed_in_as(client) is None
    # The request stays open for the browser that started it.
    assert post_acs(attacker, saml_provider, body).status_code == 302
    assert signed_in_as(attacker) == acme_user.pk


def test_two_sign_ins_in_one_browser_both_work(client, saml_provider, idp, acme_user):
    # Two tabs: each request has its own cookie, the second does not replace the first's.
    first = start(client, saml_provider)
    second = start(client, saml_provider)
    assert len([name for name in client.cookies if name.startswith("sso_saml_")]) == 2
    assert post_acs(client, saml_provider, signed(idp, saml_provider, first)).status_code == 302
    assert post_acs(client, saml_provider, signed(idp, saml_provider, second)).status_code == 302


# --- Names from the IdP are cleaned for a just-in-time account (SPEC §7.6, D10b.9) ------------


@pytest.mark.parametrize(
    "given,family,expected",
    [
        ("Ali\u200f", "Person", ("Ali", "Person")),
        ("Line\nTwo", "Ok\u202eko", ("Line Two", "Okko")),
        ("\u200b", "x" * 400, ("", "x" * 150)),
        ("\u0645\u200c\u06cc", "Nasr", ("\u0645\u200c\u06cc", "Nasr")),  # a ZWNJ Persian needs
    ],
)
def test_jit_names_with_invisible_characters_are_cleaned(
    client, saml_provider, idp, acme, given, family, expected
):
    from accounts.models import User

    CompanySsoSettings.objects.create(company=acme, jit_provisioning=True)
    request_id = start(client, saml_provider)
    body = signed(
        idp,
        saml_provider,
        request_id,
        email="ali@acme-sso.test",
        attributes={"givenName": given, "sn": family},
    )
    response = post_acs(client, saml_provider, body)
    assert response.status_code == 302
    user = User.objects.get(email="ali@acme-sso.test")
    assert (user.first_name, user.last_name) == expected
    assert signed_in_as(client) == user.pk
