"""Signing in through a company's OpenID Provider (SPEC §7.6): the code flow's start and its
callback. The outcome, refusals and account matching are shared with SAML (signin.py)."""

from urllib.parse import urlencode

from django.db import transaction
from django.utils import timezone

from .. import oidc
from ..models import IdentityProvider
from .signin import REQUEST_LIFETIME, Outcome, _refused, _sign_in, _test_finished, _test_for

OIDC_SESSION_KEY = "sso_oidc"
OIDC_PENDING_MAX = 5
# Claims and attributes that are protocol plumbing, not facts about the person.
HIDDEN_CLAIMS = {"nonce", "at_hash", "c_hash", "sid", "auth_time"}


def email_unverified(value) -> bool:
    """D13.4: an answer whose email_verified is false is refused. Some providers send the
    claim as the string "false" (a bool() of it would be True)."""
    return value is False or (isinstance(value, str) and value.strip().lower() == "false")


def oidc_start(
    *, provider: IdentityProvider, request, next_url: str = "", login_hint: str = "", test=None
) -> str:
    url, pending = oidc.authorization_request(provider)
    if login_hint:
        url += "&" + urlencode({"login_hint": login_hint})
    states = request.session.get(OIDC_SESSION_KEY, {})
    # Keep the newest few: several tabs may sign in at once; old states expire anyway.
    states = dict(
        sorted(states.items(), key=lambda kv: kv[1]["created"])[-(OIDC_PENDING_MAX - 1) :]
    )
    states[pending["state"]] = {
        "provider": str(provider.pk),
        "nonce": pending["nonce"],
        "code_verifier": pending["code_verifier"],
        "next": next_url[:500],
        "test": str(test.pk) if test else "",
        "created": int(timezone.now().timestamp()),
    }
    request.session[OIDC_SESSION_KEY] = states
    return url


def oidc_callback(*, request, ip: str = "") -> Outcome:
    state = request.GET.get("state", "")
    states = request.session.get(OIDC_SESSION_KEY, {})
    pending = states.pop(state, None) if state else None
    request.session[OIDC_SESSION_KEY] = states
    if pending is None:
        with transaction.atomic():
            return _refused(
                provider=None,
                reason="bad_state",
                detail="The answer does not belong to a sign-in started in this browser.",
                ip=ip,
            )
    provider = IdentityProvider.objects.filter(pk=pending["provider"], enabled=True).first()
    test = _test_for(pending["test"])
    if provider is None:
        with transaction.atomic():
            return _refused(
                provider=None, reason="provider_gone", detail="Provider removed.", ip=ip
            )
    age = timezone.now().timestamp() - pending["created"]

    def refuse(reason, detail):
        with transaction.atomic():
            return _refused(provider=provider, reason=reason, detail=detail, test=test, ip=ip)

    if age > REQUEST_LIFETIME.total_seconds():
        return refuse("state_expired", "The sign-in took too long; start again.")
    if request.GET.get("error"):
        text = request.GET.get("error_description") or request.GET["error"]
        return refuse("provider_error", f"The provider answered: {text[:200]}")
    code = request.GET.get("code", "")
    if not code:
        return refuse("no_code", "The provider sent no authorization code.")
    backend = oidc.CompanyOIDCBackend(provider)
    try:  # network calls: outside any transaction
        claims = backend.verified_claims(
            code=code, nonce=pending["nonce"], code_verifier=pending["code_verifier"]
        )
    except oidc.OidcError as exc:
        return refuse(exc.reason, exc.detail)
    with transaction.atomic():
        if backend.jwks_refreshed is not None:
            IdentityProvider.objects.filter(pk=provider.pk).update(oidc_jwks=backend.jwks_refreshed)
        email = str(claims.get(provider.oidc_email_claim) or "")
        if email_unverified(claims.get("email_verified")):
            return _refused(
                provider=provider,
                reason="email_unverified",
                detail="The provider says this email address is not verified.",
                test=test,
                ip=ip,
            )
        asserted = {
            "issuer": claims.get("iss", ""),
            "subject": claims.get("sub", ""),
            "email": email.lower(),
            "first_name": claims.get("given_name", ""),
            "last_name": claims.get("family_name", ""),
            "attributes": {
                k: v for k, v in claims.items() if k not in HIDDEN_CLAIMS and len(str(v)) < 500
            },
        }
        if test is not None:
            return _test_finished(test=test, ok=True, reason="", asserted=asserted)
        return _sign_in(
            provider=provider, email=email, asserted=asserted, next_url=pending["next"], ip=ip
        )
