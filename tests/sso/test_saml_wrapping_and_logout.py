"""SAML v2 (SPEC §7.6), continued from test_saml.py: XML signature wrapping (XSW1–XSW8)
never signs anyone in, and single logout ends the sessions it should."""

import base64

import pytest
from django.urls import reverse
from lxml import etree

from sso import saml
from sso.models import IdentityProvider
from tests.factories import UserFactory

from .saml_helpers import last_refusal, post_acs, signed, signed_in_as, start
from .saml_idp import NS, LocalIdP

pytestmark = pytest.mark.django_db


# --- XML signature wrapping (XSW1-XSW8) ----------------------------------------------------------


def _tree(body):
    return etree.fromstring(base64.b64decode(body))


def _encode(tree):
    return base64.b64encode(etree.tostring(tree)).decode()


def _xsw_variants(idp, provider, request_id):
    """The eight classic wrapping shapes (Somorovsky et al., "On Breaking SAML"): the signed
    assertion stays somewhere in the document, an evil one naming the CEO sits where a
    careless validator would read it."""
    urls = saml.sp_urls(provider)
    good = _tree(signed(idp, provider, request_id))
    evil_xml = idp.assertion_xml(
        email="ceo@acme-sso.test",
        audience=urls["entity_id"],
        recipient=urls["acs"],
        in_response_to=request_id,
        assertion_id="_evil",
    )

    def fresh():
        tree = etree.fromstring(etree.tostring(good))
        signed_assertion = tree.find("saml:Assertion", NS)
        return tree, signed_assertion, etree.fromstring(evil_xml)

    variants = {}
    # XSW1/XSW2: a signed Response copied into an evil one (as Object / sibling).
    signed_response = etree.fromstring(
        idp.sign(etree.tostring(good).decode()).split("?>", 1)[-1].strip()
    )
    tree = etree.fromstring(etree.tostring(signed_response))
    sig = tree.find("ds:Signature", NS)
    tree.remove(tree.find("saml:Assertion", NS))
    tree.append(etree.fromstring(evil_xml))
    obj = etree.SubElement(sig, f"{{{NS['ds']}}}Object")
    obj.append(etree.fromstring(etree.tostring(signed_response)))
    variants["XSW1"] = tree
    tree = etree.fromstring(etree.tostring(signed_response))
    tree.remove(tree.find("saml:Assertion", NS))
    tree.append(etree.fromstring(evil_xml))
    tree.insert(0, etree.fromstring(etree.tostring(signed_response)))
    variants["XSW2"] = tree
    # XSW3: evil assertion before the signed one, same level.
    tree, original, evil = fresh()
    original.addprevious(evil)
    variants["XSW3"] = tree
    # XSW4: evil assertion wraps the signed one.
    tree, original, evil = fresh()
    tree.replace(original, evil)
    evil.append(original)
    variants["XSW4"] = tree
    # XSW5: evil assertion carries the original's signature; original appended after.
    tree, original, evil = fresh()
    evil.insert(1, etree.fromstring(etree.tostring(original.find("ds:Signature", NS))))
    tree.replace(original, evil)
    tree.append(original)
    variants["XSW5"] = tree
    # XSW6: evil assertion with the signature, original inside the signature's Object.
    tree, original, evil = fresh()
    sig = etree.fromstring(etree.tostring(original.find("ds:Signature", NS)))
    evil.insert(1, sig)
    obj = etree.SubElement(sig, f"{{{NS['ds']}}}Object")
    obj.append(original)
    tree.append(evil)
    variants["XSW6"] = tree
    # XSW7: the original hidden in an Extensions element, evil assertion in its place.
    tree, original, evil = fresh()
    extensions = etree.Element(f"{{{NS['samlp']}}}Extensions")
    tree.replace(original, evil)
    extensions.append(original)
    evil.addprevious(extensions)
    variants["XSW7"] = tree
    # XSW8: evil assertion with a copied Signature whose Object holds the original.
    tree, original, evil = fresh()
    sig = etree.fromstring(etree.tostring(original.find("ds:Signature", NS)))
    tree.replace(original, evil)
    original.remove(original.find("ds:Signature", NS))
    obj = etree.SubElement(sig, f"{{{NS['ds']}}}Object")
    obj.append(original)
    evil.insert(1, sig)
    variants["XSW8"] = tree
    return variants


@pytest.mark.parametrize("shape", [f"XSW{n}" for n in range(1, 9)])
def test_signature_wrapping_shapes_are_refused(client, saml_provider, idp, acme_user, shape):
    UserFactory(email="ceo@acme-sso.test", company=acme_user.company)
    request_id = start(client, saml_provider)
    tree = _xsw_variants(idp, saml_provider, request_id)[shape]
    response = post_acs(client, saml_provider, _encode(tree))
    assert response.status_code == 400, shape
    assert signed_in_as(client) is None


# --- Single logout ----------------------------------------------------------------------------


def _logout_query(idp, provider, *, sign=True, name_id="bob@acme-sso.test"):
    import datetime as _dt
    import zlib
    from urllib.parse import quote_plus

    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    sls = saml.sp_urls(provider)["sls"]
    now = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    xml = (
        f'<samlp:LogoutRequest xmlns:samlp="{NS["samlp"]}" xmlns:saml="{NS["saml"]}" '
        f'ID="_lr{now.replace(":", "")}" Version="2.0" IssueInstant="{now}" Destination="{sls}">'
        f"<saml:Issuer>{idp.entity_id}</saml:Issuer>"
        '<saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">'
        f"{name_id}</saml:NameID></samlp:LogoutRequest>"
    )
    request = base64.b64encode(zlib.compress(xml.encode())[2:-4]).decode()
    alg = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    query = f"SAMLRequest={quote_plus(request)}&SigAlg={quote_plus(alg)}"
    if sign:
        key = serialization.load_pem_private_key(idp.key_pem.encode(), None)
        signature = key.sign(query.encode(), padding.PKCS1v15(), hashes.SHA256())
        query += "&Signature=" + quote_plus(base64.b64encode(signature).decode())
    return query


def _slo_provider(saml_provider):
    IdentityProvider.objects.filter(pk=saml_provider.pk).update(saml_slo_url="https://idp.test/slo")
    saml_provider.refresh_from_db()
    return saml_provider


def _saml_sign_in(client, provider, idp, email):
    request_id = start(client, provider)
    assert (
        post_acs(client, provider, signed(idp, provider, request_id, email=email)).status_code
        == 302
    )


def test_signed_logout_request_ends_the_session(client, saml_provider, idp, acme_user):
    provider = _slo_provider(saml_provider)
    _saml_sign_in(client, provider, idp, acme_user.email)
    assert signed_in_as(client) == acme_user.pk
    response = client.get(
        reverse("sso:saml-sls", args=[provider.pk]) + "?" + _logout_query(idp, provider)
    )
    assert response.status_code == 302
    assert response["Location"].startswith("https://idp.test/slo")
    assert signed_in_as(client) is None


def test_logout_request_for_bob_leaves_alices_session(client, saml_provider, idp, acme_user):
    provider = _slo_provider(saml_provider)
    alice = UserFactory(email="alice@acme-sso.test", company=acme_user.company)
    _saml_sign_in(client, provider, idp, alice.email)
    response = client.get(
        reverse("sso:saml-sls", args=[provider.pk]) + "?" + _logout_query(idp, provider)
    )
    # The IdP is answered (Bob has no session here), Alice stays signed in.
    assert response.status_code == 302
    assert signed_in_as(client) == alice.pk


def test_logout_request_leaves_a_password_session(client, saml_provider, idp, acme_user):
    provider = _slo_provider(saml_provider)
    client.force_login(acme_user)  # signed in with a password, not through this provider
    client.get(reverse("sso:saml-sls", args=[provider.pk]) + "?" + _logout_query(idp, provider))
    assert signed_in_as(client) == acme_user.pk


def test_logout_request_of_another_provider_leaves_the_session(
    client, saml_provider, idp, acme_user
):
    provider = _slo_provider(saml_provider)
    _saml_sign_in(client, provider, idp, acme_user.email)
    other = IdentityProvider.objects.create(
        company=acme_user.company,
        kind="saml",
        name="Second IdP",
        enabled=True,
        saml_entity_id=idp.entity_id,
        saml_sso_url=idp.sso_url,
        saml_slo_url="https://idp.test/slo",
        saml_certificates=idp.cert_pem,
    )
    client.get(reverse("sso:saml-sls", args=[other.pk]) + "?" + _logout_query(idp, other))
    assert signed_in_as(client) == acme_user.pk


def _logout_response_query(idp, provider):
    import datetime as _dt
    import zlib
    from urllib.parse import quote_plus

    sls = saml.sp_urls(provider)["sls"]
    now = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    xml = (
        f'<samlp:LogoutResponse xmlns:samlp="{NS["samlp"]}" xmlns:saml="{NS["saml"]}" '
        f'ID="_lresp1" Version="2.0" IssueInstant="{now}" Destination="{sls}" '
        'InResponseTo="_whatever">'
        f"<saml:Issuer>{idp.entity_id}</saml:Issuer>"
        '<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/>'
        "</samlp:Status></samlp:LogoutResponse>"
    )
    response = base64.b64encode(zlib.compress(xml.encode())[2:-4]).decode()
    return f"SAMLResponse={quote_plus(response)}"


def test_logout_response_never_ends_a_session(client, saml_provider, idp, acme_user):
    provider = _slo_provider(saml_provider)
    _saml_sign_in(client, provider, idp, acme_user.email)
    response = client.get(
        reverse("sso:saml-sls", args=[provider.pk]) + "?" + _logout_response_query(idp, provider)
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert signed_in_as(client) == acme_user.pk


def test_unsigned_or_forged_logout_request_changes_nothing(client, saml_provider, idp, acme_user):
    IdentityProvider.objects.filter(pk=saml_provider.pk).update(saml_slo_url="https://idp.test/slo")
    saml_provider.refresh_from_db()
    client.force_login(acme_user)
    url = reverse("sso:saml-sls", args=[saml_provider.pk])
    assert client.get(url + "?" + _logout_query(idp, saml_provider, sign=False)).status_code == 302
    assert signed_in_as(client) == acme_user.pk
    assert last_refusal() == "unsigned_logout"
    forged = _logout_query(LocalIdP(entity_id=idp.entity_id), saml_provider)
    client.get(url + "?" + forged)
    assert signed_in_as(client) == acme_user.pk


def test_signing_out_ends_the_idp_session_too(client, saml_provider, idp, acme_user):
    import html
    import re
    from urllib.parse import parse_qs, urlsplit

    from onelogin.saml2.utils import OneLogin_Saml2_Utils

    IdentityProvider.objects.filter(pk=saml_provider.pk).update(saml_slo_url="https://idp.test/slo")
    saml_provider.refresh_from_db()
    request_id = start(client, saml_provider)
    assert (
        post_acs(client, saml_provider, signed(idp, saml_provider, request_id)).status_code == 302
    )
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 200
    assert signed_in_as(client) is None
    onward = html.unescape(re.search(r'content="0;url=([^"]+)"', response.content.decode())[1])
    assert onward.startswith("https://idp.test/slo?")
    logout_request = OneLogin_Saml2_Utils.decode_base64_and_inflate(
        parse_qs(urlsplit(onward).query)["SAMLRequest"][0]
    )
    logout_request = (
        logout_request.decode() if isinstance(logout_request, bytes) else logout_request
    )
    assert "LogoutRequest" in logout_request and acme_user.email in logout_request


def test_password_sessions_sign_out_as_before(client, acme_user):
    client.force_login(acme_user)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
