"""OpenID Connect relying party over mozilla-django-oidc, made per company.

mozilla-django-oidc reads one global provider from settings and checks neither `iss` nor
`aud` (its issues #340 and #415). Here one backend instance is built for one company's
provider: endpoints, client and keys come from the IdentityProvider row; the ID token is
checked for signature (RS256/ES256 from the provider's JWKS, refreshed on an unknown `kid`),
`iss`, `aud`, `azp`, `exp`, `iat` and the nonce; PKCE S256 is always used. No writes here.
"""

import json
import time
from urllib.parse import urlencode

import jwt
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.urls import reverse
from django.utils.crypto import get_random_string
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import generate_code_challenge

from rainbow_portal import crypto

from . import fetch
from .models import IdentityProvider

ALGORITHMS = ("RS256", "ES256")
IAT_MAX_AGE_SECONDS = 600


class OidcError(Exception):
    """A refused OIDC step; `reason` is a stable code for the activity log and the test."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(detail or reason)
        self.reason = reason
        self.detail = detail or reason


SECRET_PURPOSE = "sso.oidc.client_secret"  # nosec B105 - a key-derivation label, not a secret


def _secret_aad(provider: IdentityProvider) -> bytes:
    return crypto.associated_data(SECRET_PURPOSE, table="sso_identityprovider", row=provider.pk)


def client_secret(provider: IdentityProvider) -> str:
    if not provider.oidc_client_secret_sealed:
        return ""
    blob = bytes(provider.oidc_client_secret_sealed)
    return crypto.data_keyring().unseal(SECRET_PURPOSE, blob, aad=_secret_aad(provider)).decode()


def seal_client_secret(provider: IdentityProvider, secret: str) -> bytes:
    """Sealed with the project's key ring (key id in the blob, rotation as for TOTP seeds),
    bound to this provider's row."""
    return crypto.data_keyring().seal(SECRET_PURPOSE, secret.encode(), aad=_secret_aad(provider))


def client_secret_reseal(provider: IdentityProvider) -> bytes | None:
    """Master-key rotation (`rotate_keys`): the provider's sealed secret sealed again under
    the ring's current key id, bound to the same row, or None when it already is. Raises
    DecryptionError when it does not open."""
    blob = bytes(provider.oidc_client_secret_sealed)
    return crypto.data_keyring().reseal(SECRET_PURPOSE, blob, aad=_secret_aad(provider))


def callback_url() -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse("sso:oidc-callback")


def discover(url: str) -> dict:
    """Read a discovery document; raises OidcError with what is wrong."""
    try:
        status, body, _headers = fetch.get(url)
    except fetch.FetchError as exc:
        raise OidcError("discovery_failed", str(exc)) from None
    if status != 200:
        raise OidcError("discovery_failed", f"The discovery URL answered {status}.")
    try:
        document = json.loads(body)
    except ValueError:
        raise OidcError("discovery_failed", "The discovery document is not JSON.") from None
    needed = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
    missing = [k for k in needed if not isinstance(document.get(k), str) or not document[k]]
    if missing:
        raise OidcError("discovery_failed", "The discovery document lacks " + ", ".join(missing))
    methods = document.get("code_challenge_methods_supported")
    if methods is not None and "S256" not in methods:
        raise OidcError("discovery_failed", "The provider does not support PKCE with S256.")
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        refusal = fetch.url_refusal(document[key])
        if refusal:
            raise OidcError("discovery_failed", f"{key}: {refusal}")
    return document


def fetch_jwks(url: str) -> dict:
    try:
        status, body, _headers = fetch.get(url)
        if status != 200:
            raise OidcError("jwks_failed", f"The JWKS URL answered {status}.")
        jwks = json.loads(body)
    except fetch.FetchError as exc:
        raise OidcError("jwks_failed", str(exc)) from None
    except ValueError:
        raise OidcError("jwks_failed", "The JWKS document is not JSON.") from None
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
        raise OidcError("jwks_failed", "The JWKS document has no keys.")
    return jwks


def authorization_request(provider: IdentityProvider) -> tuple[str, dict]:
    """The URL to send the browser to, and the state to keep (state, nonce, PKCE verifier)."""
    state = get_random_string(43)
    nonce = get_random_string(43)
    verifier = get_random_string(64)
    params = {
        "response_type": "code",
        "client_id": provider.oidc_client_id,
        "redirect_uri": callback_url(),
        "scope": provider.oidc_scopes or "openid email",
        "state": state,
        "nonce": nonce,
        "code_challenge": generate_code_challenge(verifier, "S256"),
        "code_challenge_method": "S256",
    }
    url = provider.oidc_authorization_endpoint + "?" + urlencode(params)
    return url, {"state": state, "nonce": nonce, "code_verifier": verifier}


class CompanyOIDCBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's code flow for one IdentityProvider. `verified_claims()` returns
    the checked ID-token claims merged with userinfo; matching users is the caller's job
    (it is company-scoped, SPEC §7.6), so the library's user lookup is never used."""

    def __init__(self, provider: IdentityProvider):
        self.provider = provider
        self.OIDC_OP_TOKEN_ENDPOINT = provider.oidc_token_endpoint
        self.OIDC_OP_USER_ENDPOINT = provider.oidc_userinfo_endpoint
        self.OIDC_OP_JWKS_ENDPOINT = provider.oidc_jwks_uri
        self.OIDC_RP_CLIENT_ID = provider.oidc_client_id
        self.OIDC_RP_CLIENT_SECRET = client_secret(provider)
        self.OIDC_RP_SIGN_ALGO = "RS256"
        self.OIDC_RP_IDP_SIGN_KEY = None
        self.jwks_refreshed = None  # set when an unknown kid made us refetch the keys

    def get_settings(self, attr, *args):
        overrides = {
            "OIDC_USE_NONCE": True,
            "OIDC_VERIFY_SSL": True,
            "OIDC_TIMEOUT": fetch.TIMEOUT_SECONDS,
            "OIDC_ALLOW_UNSECURED_JWT": False,
            "OIDC_VERIFY_KID": True,
            # nosec B105 (three lines) - switches of the library, no secret in them
            "OIDC_TOKEN_USE_BASIC_AUTH": False,  # nosec B105
            "OIDC_STORE_ACCESS_TOKEN": False,  # nosec B105
            "OIDC_STORE_ID_TOKEN": False,  # nosec B105
            "OIDC_CREATE_USER": False,
        }
        if attr in overrides:
            return overrides[attr]
        if args:
            return args[0]
        raise SuspiciousOperation(f"{attr} is not configurable per provider.")

    # --- token endpoint (through the SSRF-guarded client) -------------------------------
    def get_token(self, payload):
        try:
            status, body = fetch.post_form(self.OIDC_OP_TOKEN_ENDPOINT, data=payload)
        except fetch.FetchError as exc:
            raise OidcError("token_failed", str(exc)) from None
        if status != 200:
            raise OidcError("token_failed", f"The token endpoint answered {status}.")
        try:
            answer = json.loads(body)
        except ValueError:
            raise OidcError("token_failed", "The token answer is not JSON.") from None
        if not isinstance(answer, dict) or not answer.get("id_token"):
            raise OidcError("token_failed", "The token answer has no ID token.")
        return answer

    # --- keys -------------------------------------------------------------------------------
    def _key_for(self, token: str):
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise OidcError("bad_token", "The ID token is not a JWT.") from None
        alg, kid = header.get("alg"), header.get("kid")
        if alg not in ALGORITHMS:
            raise OidcError("bad_algorithm", f"The ID token is signed with {alg!r}.")
        for attempt in range(2):
            keys = (self.provider.oidc_jwks or {}).get("keys", [])
            for jwk in keys:
                if kid is not None and jwk.get("kid") != kid:
                    continue
                if jwk.get("alg") and jwk["alg"] != alg:
                    continue
                if jwk.get("use") and jwk["use"] != "sig":
                    continue
                try:
                    return alg, jwt.PyJWK(jwk, algorithm=alg)
                except jwt.PyJWTError:
                    continue
            if attempt == 0:
                # An unknown kid: the provider may have rotated its keys. Refetch once.
                self.provider.oidc_jwks = fetch_jwks(self.OIDC_OP_JWKS_ENDPOINT)
                self.jwks_refreshed = self.provider.oidc_jwks
        raise OidcError("unknown_key", "No key of the provider matches the ID token's kid.")

    def verify_token(self, token, **kwargs):
        """Signature, then every claim the library leaves unchecked."""
        alg, key = self._key_for(token)
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[alg],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=self.provider.oidc_issuer,
                leeway=settings.SSO_CLOCK_SKEW_SECONDS,
                options={"require": ["iss", "aud", "exp", "iat", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise OidcError("expired", "The ID token has expired.") from None
        except jwt.InvalidAudienceError:
            raise OidcError("bad_audience", "The ID token is not for this client.") from None
        except jwt.InvalidIssuerError:
            raise OidcError("bad_issuer", "The ID token comes from another issuer.") from None
        except jwt.InvalidSignatureError:
            raise OidcError("bad_signature", "The ID token's signature is wrong.") from None
        except jwt.PyJWTError as exc:
            raise OidcError("bad_token", f"The ID token was refused ({exc}).") from None
        aud = claims["aud"]
        if isinstance(aud, list) and len(aud) > 1 and claims.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise OidcError("bad_audience", "The ID token's azp is not this client.")
        if "azp" in claims and claims["azp"] != self.OIDC_RP_CLIENT_ID:
            raise OidcError("bad_audience", "The ID token's azp is not this client.")
        now = time.time()
        if claims["iat"] > now + settings.SSO_CLOCK_SKEW_SECONDS:
            raise OidcError("bad_token", "The ID token was issued in the future.")
        if claims["iat"] < now - IAT_MAX_AGE_SECONDS - settings.SSO_CLOCK_SKEW_SECONDS:
            raise OidcError("expired", "The ID token was issued too long ago.")
        if kwargs.get("nonce") is None or claims.get("nonce") != kwargs["nonce"]:
            raise OidcError("bad_nonce", "The ID token's nonce does not match this sign-in.")
        return claims

    def get_userinfo(self, access_token, id_token, payload):
        if not self.OIDC_OP_USER_ENDPOINT or not access_token:
            return {}
        try:
            status, body, ctype = fetch.get(
                self.OIDC_OP_USER_ENDPOINT, headers={"Authorization": f"Bearer {access_token}"}
            )
        except fetch.FetchError as exc:
            raise OidcError("userinfo_failed", str(exc)) from None
        if status != 200 or not ctype.lower().startswith("application/json"):
            return {}
        try:
            info = json.loads(body)
        except ValueError:
            return {}
        # OIDC Core §5.3.2: userinfo's sub must equal the ID token's, or it is ignored.
        return info if isinstance(info, dict) and info.get("sub") == payload.get("sub") else {}

    def verified_claims(self, *, code: str, nonce: str, code_verifier: str) -> dict:
        token_info = self.get_token(
            {
                "client_id": self.OIDC_RP_CLIENT_ID,
                "client_secret": self.OIDC_RP_CLIENT_SECRET,
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": callback_url(),
                "code_verifier": code_verifier,
            }
        )
        claims = self.verify_token(token_info["id_token"], nonce=nonce)
        info = self.get_userinfo(token_info.get("access_token"), token_info["id_token"], claims)
        return {**info, **claims}
