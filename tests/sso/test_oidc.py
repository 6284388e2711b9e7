"""OpenID Connect sign-in against a real OpenID Provider running on this machine
(django-oauth-toolkit, in its own process): code flow with state, nonce and PKCE S256, and
every check mozilla-django-oidc leaves to us (SPEC §7.6)."""

import re
import time
from urllib.parse import parse_qs, urljoin, urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.urls import reverse

from activity.models import ActivityRecord
from sso import oidc
from sso.models import CompanySsoSettings, IdentityProvider
from sso.services import config
from sso.services.oidc_signin import OIDC_SESSION_KEY

from .conftest import OP_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider(sso_settings, op, acme, acme_admin):
    return config.identity_provider_create(
        company=acme,
        kind="oidc",
        actor=acme_admin,
        name="Acme OP",
        enabled=True,
        oidc_discovery_url=op.discovery_url,
        oidc_client_id="portal",
        client_secret="portal-secret",
    )


def sign_in_at_op(op, authorize_url: str, username: str) -> str:
    """What a person does at the provider: its login form, then the redirect back. Returns the
    portal callback URL the provider redirects to (not followed)."""
    browser = requests.Session()
    response = browser.get(authorize_url, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text[:300]
    login_url = urljoin(op.url, response.headers["Location"])
    page = browser.get(login_url, timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = browser.post(
        login_url,
        data={
            "username": username,
            "password": OP_PASSWORD,
            "csrfmiddlewaretoken": token,
            "next": parse_qs(urlsplit(login_url).query)["next"][0],
        },
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302
    response = browser.get(urljoin(op.url, response.headers["Location"]), allow_redirects=False)
    assert response.status_code == 302, response.text[:300]
    return response.headers["Location"]


def start(client, provider, next_url=""):
    response = client.get(reverse("sso:start", args=[provider.pk]), {"next": next_url})
    assert response.status_code == 302
    return response["Location"]


def callback(client, url):
    parts = urlsplit(url)
    return client.get(parts.path + "?" + parts.query)


def signed_in_as(client):
    user_id = client.session.get("_auth_user_id")
    return int(user_id) if user_id else None


def last_refusal():
    record = ActivityRecord.objects.filter(event="sso.signin.refused").order_by("-id").first()
    return record.data["reason"] if record else None


def test_code_flow_signs_the_member_in(client, op, provider, acme_user):
    authorize = start(client, provider, next_url="/accounts/security/")
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["response_type"] == ["code"]
    assert query["state"][0] and query["nonce"][0] and query["code_challenge"][0]
    response = callback(client, sign_in_at_op(op, authorize, "bob"))
    assert response.status_code == 302
    assert response["Location"] == "/accounts/security/"
    assert signed_in_as(client) == acme_user.pk
    assert ActivityRecord.objects.filter(event="sso.signin.succeeded").count() == 1


def test_state_is_single_use(client, op, provider, acme_user):
    url = sign_in_at_op(op, start(client, provider), "bob")
    assert callback(client, url).status_code == 302
    client.logout()
    assert callback(client, url).status_code == 400
    assert last_refusal() == "bad_state"


def test_bad_state_is_refused(client, op, provider, acme_user):
    url = sign_in_at_op(op, start(client, provider), "bob")
    response = callback(client, url.replace("state=", "state=x"))
    assert response.status_code == 400
    assert signed_in_as(client) is None
    assert last_refusal() == "bad_state"


def test_callback_in_another_browser_is_refused(client, op, provider, acme_user):
    from django.test import Client

    url = sign_in_at_op(op, start(client, provider), "bob")
    other = Client()
    assert callback(other, url).status_code == 400
    assert last_refusal() == "bad_state"


def test_wrong_nonce_is_refused(client, op, provider, acme_user):
    url = sign_in_at_op(op, start(client, provider), "bob")
    session = client.session
    for entry in session[OIDC_SESSION_KEY].values():
        entry["nonce"] = "not-the-nonce"
    session.save()
    assert callback(client, url).status_code == 400
    assert last_refusal() == "bad_nonce"
    assert signed_in_as(client) is None


def test_wrong_pkce_verifier_is_refused_by_the_provider(client, op, provider, acme_user):
    url = sign_in_at_op(op, start(client, provider), "bob")
    session = client.session
    for entry in session[OIDC_SESSION_KEY].values():
        entry["code_verifier"] = "x" * 64
    session.save()
    assert callback(client, url).status_code == 400
    assert last_refusal() == "token_failed"


def test_issuer_must_be_the_providers(client, op, provider, acme_user):
    IdentityProvider.objects.filter(pk=provider.pk).update(oidc_issuer="http://127.0.0.1:1/o")
    url = sign_in_at_op(op, start(client, provider), "bob")
    assert callback(client, url).status_code == 400
    assert last_refusal() == "bad_issuer"


def test_unknown_kid_refetches_the_keys_once(client, op, provider, acme_user):
    IdentityProvider.objects.filter(pk=provider.pk).update(oidc_jwks={"keys": []})
    url = sign_in_at_op(op, start(client, provider), "bob")
    assert callback(client, url).status_code == 302
    assert signed_in_as(client) == acme_user.pk
    provider.refresh_from_db()
    assert provider.oidc_jwks["keys"], "the refetched keys are kept"


def test_provider_error_is_a_clear_refusal(client, provider, acme_user):
    start(client, provider)
    state = next(iter(client.session[OIDC_SESSION_KEY]))
    response = client.get(reverse("sso:oidc-callback"), {"state": state, "error": "access_denied"})
    assert response.status_code == 400
    assert last_refusal() == "provider_error"


def test_foreign_domain_signs_no_one_in(client, op, provider):
    url = sign_in_at_op(op, start(client, provider), "stranger")
    assert callback(client, url).status_code == 400
    assert last_refusal() == "foreign_domain"
    record = ActivityRecord.objects.filter(event="sso.signin.refused").latest("id")
    assert "stranger" not in str(record.data)  # SPEC §10.2: no address in the record


def test_unverified_email_at_the_provider_is_refused(client, op, provider, acme):
    url = sign_in_at_op(op, start(client, provider), "unverified")
    assert callback(client, url).status_code == 400
    assert last_refusal() == "email_unverified"


def test_jit_creates_the_account_in_the_company(client, op, provider, acme):
    from accounts.models import User

    url = sign_in_at_op(op, start(client, provider), "newbie")
    assert callback(client, url).status_code == 400
    assert last_refusal() == "no_account"
    CompanySsoSettings.objects.create(company=acme, jit_provisioning=True)
    url = sign_in_at_op(op, start(client, provider), "newbie")
    assert callback(client, url).status_code == 302
    user = User.objects.get(email="newbie@acme-sso.test")
    assert user.company == acme and user.first_name == "New"


def test_client_secret_is_stored_sealed_and_bound_to_its_row(provider):
    raw = bytes(provider.oidc_client_secret_sealed)
    assert b"portal-secret" not in raw
    assert oidc.client_secret(provider) == "portal-secret"
    other = IdentityProvider(pk=None, oidc_client_secret_sealed=raw)
    other.pk = "00000000-0000-0000-0000-000000000000"
    with pytest.raises(Exception):  # noqa: B017 - DecryptionError: the AAD names the row
        oidc.client_secret(other)


# --- ID-token checks with a key we hold (crafted tokens, the real verifier) -----------------


@pytest.fixture
def signing(provider):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    jwk.update({"kid": "test-kid", "alg": "RS256", "use": "sig"})
    provider.oidc_jwks = {"keys": [jwk]}
    return key


def token(key, provider, **overrides):
    now = int(time.time())
    claims = {
        "iss": provider.oidc_issuer,
        "aud": "portal",
        "sub": "1",
        "iat": now,
        "exp": now + 300,
        "nonce": "n-1",
    }
    claims.update(overrides)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "test-kid"})


@pytest.mark.parametrize(
    "overrides,reason",
    [
        ({"aud": "someone-else"}, "bad_audience"),
        ({"aud": ["portal", "other"], "azp": "other"}, "bad_audience"),
        ({"iss": "https://evil.test"}, "bad_issuer"),
        ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}, "expired"),
        ({"iat": int(time.time()) + 3600}, "bad_token"),
        ({"nonce": "other"}, "bad_nonce"),
        ({"exp": None}, "bad_token"),
    ],
)
def test_id_token_claims(provider, signing, overrides, reason):
    backend = oidc.CompanyOIDCBackend(provider)
    with pytest.raises(oidc.OidcError) as caught:
        backend.verify_token(token(signing, provider, **overrides), nonce="n-1")
    assert caught.value.reason == reason


def test_id_token_good_claims_pass(provider, signing):
    backend = oidc.CompanyOIDCBackend(provider)
    assert backend.verify_token(token(signing, provider), nonce="n-1")["sub"] == "1"


def test_id_token_signed_by_another_key(provider, signing):
    impostor = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    backend = oidc.CompanyOIDCBackend(provider)
    with pytest.raises(oidc.OidcError) as caught:
        backend.verify_token(token(impostor, provider), nonce="n-1")
    assert caught.value.reason == "bad_signature"


def test_hs256_and_none_are_refused(provider, signing):
    backend = oidc.CompanyOIDCBackend(provider)
    forged = jwt.encode({"iss": provider.oidc_issuer}, "portal-secret", algorithm="HS256")
    with pytest.raises(oidc.OidcError) as caught:
        backend.verify_token(forged, nonce="n-1")
    assert caught.value.reason == "bad_algorithm"


@pytest.mark.parametrize("username", ["text-false", "text-FALSE"])
def test_email_verified_false_as_a_string_is_refused(client, op, provider, acme, username):
    from accounts.models import User

    CompanySsoSettings.objects.create(company=acme, jit_provisioning=True)
    url = sign_in_at_op(op, start(client, provider), username)
    assert callback(client, url).status_code == 400
    assert last_refusal() == "email_unverified"
    assert signed_in_as(client) is None
    assert not User.objects.filter(email__startswith="text-").exists()


@pytest.mark.parametrize(
    "value,unverified",
    [
        (False, True),
        ("false", True),
        ("False", True),
        (" FALSE ", True),
        (True, False),
        ("true", False),
        (None, False),
    ],
)
def test_email_unverified_reading(value, unverified):
    from sso.services.oidc_signin import email_unverified

    assert email_unverified(value) is unverified


@pytest.mark.parametrize(
    "username,names",
    [("ali", ("Ali", "")), ("newline", ("Line Two", "Tab bed"))],
)
def test_jit_cleans_names_the_validator_refuses(client, op, provider, acme, username, names):
    from accounts.models import User

    CompanySsoSettings.objects.create(company=acme, jit_provisioning=True)
    url = sign_in_at_op(op, start(client, provider), username)
    response = callback(client, url)
    assert response.status_code == 302
    user = User.objects.get(email=f"{username}@acme-sso.test")
    assert (user.first_name, user.last_name) == names
    assert signed_in_as(client) == user.pk
