"""SAML v2 sign-in against a real signed IdP response (SPEC §7.6): strict checks, replay
cache, account matching, and the refusals that must sign no one in."""

import base64
import datetime as dt

import pytest
from django.urls import reverse
from lxml import etree

from activity.models import ActivityRecord
from companies.models import CompanyDomain
from sso import saml
from sso.models import CompanySsoSettings, IdentityProvider, SamlRequest, SeenAssertion
from tests.factories import CompanyFactory, UserFactory

from .saml_idp import NS, LocalIdP, request_from_redirect

pytestmark = pytest.mark.django_db


def start(client, provider, next_url=""):
    response = client.get(reverse("sso:start", args=[provider.pk]), {"next": next_url})
    assert response.status_code == 302
    request_id, acs = request_from_redirect(response["Location"])
    assert acs == saml.sp_urls(provider)["acs"]
    return request_id


def post_acs(client, provider, saml_response):
    return client.post(reverse("sso:saml-acs", args=[provider.pk]), {"SAMLResponse": saml_response})


def signed(idp, provider, request_id, email="bob@acme-sso.test", **kwargs):
    urls = saml.sp_urls(provider)
    return idp.response(
        email=email,
        acs_url=urls["acs"],
        audience=urls["entity_id"],
        in_response_to=request_id,
        **kwargs,
    )


def signed_in_as(client):
    user_id = client.session.get("_auth_user_id")
    return int(user_id) if user_id else None


def last_refusal():
    record = ActivityRecord.objects.filter(event="sso.signin.refused").order_by("-id").first()
    return record.data["reason"] if record else None


def test_signed_response_signs_the_member_in(client, saml_provider, idp, acme_user):
    request_id = start(client, saml_provider, next_url="/accounts/security/")
    response = post_acs(client, saml_provider, signed(idp, saml_provider, request_id))
    assert response.status_code == 302
    assert response["Location"] == "/accounts/security/"
    assert signed_in_as(client) == acme_user.pk
    assert ActivityRecord.objects.filter(event="sso.signin.succeeded").count() == 1
    assert SamlRequest.objects.get(pk=request_id).consumed_at is not None


def test_same_assertion_twice_is_a_replay(client, saml_provider, idp, acme_user):
    request_id = start(client, saml_provider)
    body = signed(idp, saml_provider, request_id)
    assert post_acs(client, saml_provider, body).status_code == 302
    client.logout()
    # Another request is pending, but the same assertion (same ID) is posted again.
    start(client, saml_provider)
    replay = post_acs(client, saml_provider, body)
    assert replay.status_code == 400
    assert signed_in_as(client) is None


def test_assertion_id_reused_in_a_new_response_is_refused(client, saml_provider, idp, acme_user):
    first = start(client, saml_provider)
    assert post_acs(client, saml_provider, signed(idp, saml_provider, first, assertion_id="_x1"))
    client.logout()
    second = start(client, saml_provider)
    response = post_acs(
        client, saml_provider, signed(idp, saml_provider, second, assertion_id="_x1")
    )
    assert response.status_code == 400
    assert last_refusal() == "replayed"
    assert signed_in_as(client) is None
    seen = SeenAssertion.objects.get(assertion_id="_x1")
    # Kept until the assertion's NotOnOrAfter plus the skew, no longer.
    assert seen.expires_at < dt.datetime.now(dt.UTC) + dt.timedelta(minutes=8)


@pytest.mark.parametrize(
    "case,kwargs,reason",
    [
        ("unsigned", {"sign_assertion": False}, "invalid_response"),
        ("wrong audience", {"audience_override": "https://other-sp.test"}, "invalid_response"),
        ("wrong destination", {"destination": "https://evil.test/acs"}, "invalid_response"),
        (
            "expired",
            {
                "not_before": dt.datetime.now(dt.UTC) - dt.timedelta(hours=2),
                "not_on_or_after": dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10),
            },
            "invalid_response",
        ),
        (
            "not yet valid",
            {
                "not_before": dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10),
                "not_on_or_after": dt.datetime.now(dt.UTC) + dt.timedelta(minutes=20),
            },
            "invalid_response",
        ),
        ("wrong issuer", {"issuer": "https://evil-idp.test"}, "invalid_response"),
    ],
)
def test_invalid_responses_sign_no_one_in(
    client, saml_provider, idp, acme_user, case, kwargs, reason
):
    request_id = start(client, saml_provider)
    urls = saml.sp_urls(saml_provider)
    audience = kwargs.pop("audience_override", urls["entity_id"])
    body = idp.response(
        email=acme_user.email,
        acs_url=urls["acs"],
        audience=audience,
        in_response_to=request_id,
        **kwargs,
    )
    response = post_acs(client, saml_provider, body)
    assert response.status_code == 400, case
    assert "did not work" in response.content.decode()
    assert signed_in_as(client) is None
    assert last_refusal() == reason


def test_skew_inside_the_setting_is_accepted(client, settings, saml_provider, idp, acme_user):
    request_id = start(client, saml_provider)
    body = signed(
        idp,
        saml_provider,
        request_id,
        not_before=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=60),
    )
    assert post_acs(client, saml_provider, body).status_code == 302
    assert signed_in_as(client) == acme_user.pk


def test_wrong_in_response_to_is_refused(client, saml_provider, idp, acme_user):
    start(client, saml_provider)
    body = signed(idp, saml_provider, "_not-a-request-we-sent")
    assert post_acs(client, saml_provider, body).status_code == 400
    assert last_refusal() == "unknown_request"


def test_answer_to_a_used_request_is_refused(client, saml_provider, idp, acme_user):
    request_id = start(client, saml_provider)
    assert (
        post_acs(client, saml_provider, signed(idp, saml_provider, request_id)).status_code == 302
    )
    client.logout()
    again = post_acs(client, saml_provider, signed(idp, saml_provider, request_id))
    assert again.status_code == 400
    assert last_refusal() == "request_used"


def test_expired_request_is_refused(client, saml_provider, idp, acme_user):
    request_id = start(client, saml_provider)
    SamlRequest.objects.filter(pk=request_id).update(
        expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    )
    assert (
        post_acs(client, saml_provider, signed(idp, saml_provider, request_id)).status_code == 400
    )
    assert last_refusal() == "request_expired"


def test_idp_initiated_refused_unless_the_company_opts_in(client, saml_provider, idp, acme_user):
    assert post_acs(client, saml_provider, signed(idp, saml_provider, None)).status_code == 400
    assert last_refusal() == "idp_initiated"
    IdentityProvider.objects.filter(pk=saml_provider.pk).update(saml_allow_idp_initiated=True)
    saml_provider.refresh_from_db()
    assert post_acs(client, saml_provider, signed(idp, saml_provider, None)).status_code == 302
    assert signed_in_as(client) == acme_user.pk


def test_signed_by_another_key_is_refused(client, saml_provider, acme_user):
    impostor = LocalIdP()  # same entity ID, its own key
    request_id = start(client, saml_provider)
    assert (
        post_acs(client, saml_provider, signed(impostor, saml_provider, request_id)).status_code
        == 400
    )
    assert signed_in_as(client) is None


def test_tampered_nameid_is_refused(client, saml_provider, idp, acme_user):
    UserFactory(email="ceo@acme-sso.test", company=acme_user.company)
    request_id = start(client, saml_provider)
    xml = base64.b64decode(signed(idp, saml_provider, request_id)).decode()
    tampered = xml.replace("bob@acme-sso.test", "ceo@acme-sso.test")
    response = post_acs(client, saml_provider, base64.b64encode(tampered.encode()).decode())
    assert response.status_code == 400
    assert signed_in_as(client) is None


def test_assertion_of_company_a_posted_to_company_b(client, saml_provider, idp, acme_user):
    other = CompanyFactory(slug="other-sso")
    other_idp = LocalIdP(entity_id="https://other-idp.test")
    other_provider = IdentityProvider.objects.create(
        company=other,
        kind="saml",
        name="Other",
        enabled=True,
        saml_entity_id=other_idp.entity_id,
        saml_sso_url=other_idp.sso_url,
        saml_certificates=other_idp.cert_pem,
    )
    request_id = start(client, saml_provider)
    body = signed(idp, saml_provider, request_id)
    response = post_acs(client, other_provider, body)
    assert response.status_code == 400
    assert signed_in_as(client) is None


def test_rollover_accepts_either_certificate(client, saml_provider, idp, acme_user):
    new_idp = LocalIdP(entity_id=idp.entity_id)
    IdentityProvider.objects.filter(pk=saml_provider.pk).update(
        saml_certificates=idp.cert_pem + new_idp.cert_pem
    )
    saml_provider.refresh_from_db()
    for signer in (idp, new_idp):
        client.logout()
        request_id = start(client, saml_provider)
        assert (
            post_acs(client, saml_provider, signed(signer, saml_provider, request_id)).status_code
            == 302
        )
        assert signed_in_as(client) == acme_user.pk


def test_malformed_body_is_a_clear_refusal(client, saml_provider):
    for body in ("not base64 !!", base64.b64encode(b"<not-saml/>").decode(), ""):
        response = post_acs(client, saml_provider, body)
        assert response.status_code == 400
    assert signed_in_as(client) is None


# --- Account matching (SPEC §7.6) --------------------------------------------------------------


def test_user_of_another_company_is_never_matched(client, saml_provider, idp):
    elsewhere = CompanyFactory(slug="elsewhere")
    UserFactory(email="carol@elsewhere.test", company=elsewhere)
    request_id = start(client, saml_provider)
    body = signed(idp, saml_provider, request_id, email="carol@elsewhere.test")
    assert post_acs(client, saml_provider, body).status_code == 400
    assert last_refusal() == "foreign_domain"
    assert signed_in_as(client) is None


def test_owned_domain_address_of_another_company_user_is_refused(client, saml_provider, idp):
    # An account with an address on Acme's domain but living in another company (e.g. it
    # was created before the domain was added) is not taken over by Acme's IdP.
    UserFactory(email="old@acme-sso.test", company=CompanyFactory(slug="legacy"))
    request_id = start(client, saml_provider)
    body = signed(idp, saml_provider, request_id, email="old@acme-sso.test")
    assert post_acs(client, saml_provider, body).status_code == 400
    assert last_refusal() == "other_company"


def test_no_account_and_no_jit_signs_no_one_in(client, saml_provider, idp):
    request_id = start(client, saml_provider)
    body = signed(idp, saml_provider, request_id, email="new@acme-sso.test")
    assert post_acs(client, saml_provider, body).status_code == 400
    assert last_refusal() == "no_account"
    from accounts.models import User

    assert not User.objects.filter(email="new@acme-sso.test").exists()


def test_jit_creates_only_for_owned_domains(client, saml_provider, idp, acme):
    from accounts.models import User

    CompanySsoSettings.objects.create(company=acme, jit_provisioning=True)
    request_id = start(client, saml_provider)
    body = signed(idp, saml_provider, request_id, email="New@Acme-SSO.test")
    assert post_acs(client, saml_provider, body).status_code == 302
    user = User.objects.get(email="new@acme-sso.test")
    assert user.company == acme
    assert (user.first_name, user.last_name) == ("Sso", "Person")
    client.logout()
    request_id = start(client, saml_provider)
    body = signed(idp, saml_provider, request_id, email="stranger@gmail.test")
    assert post_acs(client, saml_provider, body).status_code == 400
    assert not User.objects.filter(email="stranger@gmail.test").exists()
    assert CompanyDomain.objects.filter(domain="gmail.test").count() == 0


def test_second_factor_still_asked_unless_the_idp_enforces_mfa(
    client, saml_provider, idp, acme_user
):
    from accounts.models import CompanySecurityPolicy

    CompanySecurityPolicy.objects.update_or_create(
        company=acme_user.company, defaults={"two_factor": "always"}
    )
    request_id = start(client, saml_provider)
    response = post_acs(client, saml_provider, signed(idp, saml_provider, request_id))
    assert response.status_code == 302
    assert client.session.get("two_factor_pending") is True
    client.logout()
    IdentityProvider.objects.filter(pk=saml_provider.pk).update(enforces_mfa=True)
    saml_provider.refresh_from_db()
    request_id = start(client, saml_provider)
    post_acs(client, saml_provider, signed(idp, saml_provider, request_id))
    assert signed_in_as(client) == acme_user.pk
    assert not client.session.get("two_factor_pending")


def test_disabled_provider_answers_404(client, saml_provider, idp, acme_user):
    request_id = start(client, saml_provider)
    IdentityProvider.objects.filter(pk=saml_provider.pk).update(enabled=False)
    response = post_acs(client, saml_provider, signed(idp, saml_provider, request_id))
    assert response.status_code == 404
    assert signed_in_as(client) is None


def test_activity_never_holds_the_assertion(client, saml_provider, idp, acme_user):
    request_id = start(client, saml_provider)
    body = signed(idp, saml_provider, request_id)
    post_acs(client, saml_provider, body)
    for record in ActivityRecord.objects.all():
        text = str(record.data)
        assert "SAMLResponse" not in text and body[:40] not in text
        assert "Signature" not in text


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


def _logout_query(idp, provider, *, sign=True):
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
        "bob@acme-sso.test</saml:NameID></samlp:LogoutRequest>"
    )
    request = base64.b64encode(zlib.compress(xml.encode())[2:-4]).decode()
    alg = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    query = f"SAMLRequest={quote_plus(request)}&SigAlg={quote_plus(alg)}"
    if sign:
        key = serialization.load_pem_private_key(idp.key_pem.encode(), None)
        signature = key.sign(query.encode(), padding.PKCS1v15(), hashes.SHA256())
        query += "&Signature=" + quote_plus(base64.b64encode(signature).decode())
    return query


def test_signed_logout_request_ends_the_session(client, saml_provider, idp, acme_user):
    IdentityProvider.objects.filter(pk=saml_provider.pk).update(saml_slo_url="https://idp.test/slo")
    saml_provider.refresh_from_db()
    client.force_login(acme_user)
    response = client.get(
        reverse("sso:saml-sls", args=[saml_provider.pk]) + "?" + _logout_query(idp, saml_provider)
    )
    assert response.status_code == 302
    assert response["Location"].startswith("https://idp.test/slo")
    assert signed_in_as(client) is None


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
