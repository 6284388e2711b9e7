"""SAML v2 sign-in and single logout through a company's identity provider (SPEC §7.6):
the AuthnRequest bound to the browser that starts it (D17s.2), the ACS, and the logouts in
either direction (D17s.4). The shared steps (matching the account, signing in, refusals and
connection tests) are in signin.py, as for OpenID Connect (oidc_signin.py)."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from onelogin.saml2.constants import OneLogin_Saml2_Constants
from onelogin.saml2.logout_request import OneLogin_Saml2_Logout_Request
from onelogin.saml2.response import OneLogin_Saml2_Response

import activity
from rainbow_portal.crypto import digest_matches, keyed_digest

from .. import saml
from ..models import IdentityProvider, SamlRequest, SeenAssertion
from .signin import (
    REQUEST_LIFETIME,
    Outcome,
    _refused,
    _sign_in,
    _test_finished,
    _test_for,
)

# SAML login CSRF: the browser that starts a sign-in gets a random key in a cookie; the ACS
# accepts an answer to that request only from a browser presenting it (the IdP's POST is
# cross-site, hence SameSite=None; the session cookie, SameSite=Lax, does not come with it).
SAML_BROWSER_COOKIE = "sso_saml"  # + a per-request suffix (saml_browser_cookie)
BROWSER_DIGEST_PURPOSE = "sso.saml.browser"
# What a SAML sign-in keeps in the session (provider, NameID, its format, SessionIndex), for
# the single logouts in either direction.
SAML_SESSION_KEY = "sso_saml"


def new_browser_key() -> str:
    return secrets.token_urlsafe(32)


def saml_browser_cookie(request_id: str) -> str:
    """The binding cookie's name: one per AuthnRequest, so that sign-ins started in two tabs
    do not overwrite each other's key (the cookie reaches only the ACS path, so the start page
    could not read an earlier key back to share it)."""
    return SAML_BROWSER_COOKIE + "_" + hashlib.sha256(request_id.encode()).hexdigest()[:16]


@dataclass
class SamlRedirect:
    url: str  # the IdP's sign-in URL with the AuthnRequest
    cookie_name: str  # set to the browser key, for the ACS


@transaction.atomic
def saml_start(
    *,
    provider: IdentityProvider,
    browser_key: str,
    next_url: str = "",
    login_hint: str = "",
    test=None,
) -> SamlRedirect:
    """An AuthnRequest for this provider, remembered so that the ACS accepts a response to
    it once, from the browser holding `browser_key` (only its digest is kept). Returns the
    IdP URL to redirect the browser to and the cookie to hold the key in."""
    auth = saml.OneLogin_Saml2_Auth(
        {"https": "on", "http_host": "portal", "script_name": "/", "get_data": {}, "post_data": {}},
        old_settings=saml.saml_settings(provider),
    )
    url = auth.login(return_to="", name_id_value_req=login_hint or None)
    request_id = auth.get_last_request_id()
    SamlRequest.objects.create(
        id=request_id,
        provider=provider,
        purpose=SamlRequest.Purpose.TEST if test else SamlRequest.Purpose.LOGIN,
        next_url=next_url[:500],
        connection_test=test,
        browser_digest=keyed_digest(BROWSER_DIGEST_PURPOSE, browser_key),
        expires_at=timezone.now() + REQUEST_LIFETIME,
    )
    return SamlRedirect(url=url, cookie_name=saml_browser_cookie(request_id))


def _saml_asserted(provider, auth) -> dict:
    attributes = {k: [str(v) for v in values][:10] for k, values in auth.get_attributes().items()}
    lower = {k.lower(): v for k, v in attributes.items()}
    first = (lower.get("givenname") or lower.get("first_name") or [""])[0]
    last = (lower.get("sn") or lower.get("surname") or lower.get("last_name") or [""])[0]
    return {
        "issuer": provider.saml_entity_id,
        "subject": auth.get_nameid() or "",
        "email": saml.asserted_email(auth),
        "first_name": first,
        "last_name": last,
        "attributes": attributes,
    }


@transaction.atomic
def saml_acs(*, provider: IdentityProvider, request, path: str, ip: str = "") -> Outcome:
    raw = request.POST.get("SAMLResponse", "")
    if not raw:
        return _refused(provider=provider, reason="no_response", detail="No SAMLResponse.", ip=ip)
    try:
        in_response_to = OneLogin_Saml2_Response(
            saml.settings_object(provider), raw
        ).get_in_response_to()
    except Exception:  # not base64, not XML, not a Response: all the same to the person
        return _refused(
            provider=provider,
            reason="malformed",
            detail="The response is not a readable SAML response.",
            ip=ip,
        )
    pending = None
    now = timezone.now()
    if in_response_to:
        pending = (
            SamlRequest.objects.select_for_update()
            .filter(pk=in_response_to, provider=provider)
            .first()
        )
        if pending is None:
            return _refused(
                provider=provider,
                reason="unknown_request",
                detail="The response answers no sign-in this provider was asked for.",
                ip=ip,
            )
        test = _test_for(pending.connection_test_id)
        if pending.consumed_at is not None:
            return _refused(
                provider=provider,
                reason="request_used",
                detail="This sign-in request was already answered.",
                test=test,
                ip=ip,
            )
        presented = request.COOKIES.get(saml_browser_cookie(in_response_to), "")
        if not (
            presented
            and pending.browser_digest
            and digest_matches(BROWSER_DIGEST_PURPOSE, presented, pending.browser_digest)
        ):
            # Not consumed: the browser that started it may still bring its own answer.
            return _refused(
                provider=provider,
                reason="other_browser",
                detail="The answer was posted by a browser that did not start this sign-in.",
                test=test,
                ip=ip,
            )
        pending.consumed_at = now
        pending.save(update_fields=["consumed_at"])
        if pending.expires_at <= now:
            return _refused(
                provider=provider,
                reason="request_expired",
                detail="The sign-in request expired before the provider answered.",
                test=test,
                ip=ip,
            )
    else:
        test = None
        if not provider.saml_allow_idp_initiated:
            return _refused(
                provider=provider,
                reason="idp_initiated",
                detail="The provider started this sign-in; the company does not accept that.",
                ip=ip,
            )
    auth = saml.auth_for(provider, request, path=path)
    try:
        auth.process_response(request_id=in_response_to)
    except Exception as exc:  # python3-saml raises for shapes it cannot process at all
        return _refused(
            provider=provider, reason="invalid_response", detail=str(exc)[:300], test=test, ip=ip
        )
    if auth.get_errors() or not auth.is_authenticated():
        detail = auth.get_last_error_reason() or ", ".join(auth.get_errors()) or "Not signed."
        return _refused(
            provider=provider, reason="invalid_response", detail=detail[:300], test=test, ip=ip
        )
    assertion_id = auth.get_last_assertion_id() or ""
    not_on_or_after = auth.get_last_assertion_not_on_or_after()
    keep_until = (
        datetime.fromtimestamp(not_on_or_after, tz=UTC)
        if not_on_or_after
        else now + timedelta(hours=1)
    ) + timedelta(seconds=settings.SSO_CLOCK_SKEW_SECONDS)
    try:
        with transaction.atomic():
            SeenAssertion.objects.create(
                provider=provider, assertion_id=assertion_id[:255], expires_at=keep_until
            )
    except IntegrityError:
        return _refused(
            provider=provider,
            reason="replayed",
            detail="This assertion was already used once.",
            test=test,
            ip=ip,
        )
    asserted = _saml_asserted(provider, auth)
    if test is not None:
        return _test_finished(test=test, ok=True, reason="", asserted=asserted)
    outcome = _sign_in(
        provider=provider,
        email=asserted["email"],
        asserted=asserted,
        next_url=pending.next_url if pending else "",
        ip=ip,
    )
    if outcome.user is not None:
        outcome.saml_session = {
            "provider": str(provider.pk),
            "name_id": auth.get_nameid() or "",
            "name_id_format": auth.get_nameid_format() or "",
            "session_index": auth.get_session_index() or "",
        }
    return outcome


def _names_this_session(*, provider, held: dict, xml: str) -> bool:
    """Whether a (verified) LogoutRequest is about the session in this browser: signed in
    through this provider, as the NameID it names (and, when it names sessions, this one)."""
    if not held or held.get("provider") != str(provider.pk):
        return False
    try:
        name_id = OneLogin_Saml2_Logout_Request.get_nameid_data(xml).get("Value") or ""
        indexes = OneLogin_Saml2_Logout_Request.get_session_indexes(xml)
    except Exception:  # no NameID (or an encrypted one, which this SP cannot read)
        return False
    mine = held.get("name_id") or ""
    if held.get("name_id_format") == OneLogin_Saml2_Constants.NAMEID_EMAIL_ADDRESS:
        name_id, mine = name_id.strip().lower(), mine.strip().lower()
    if not mine or name_id != mine:
        return False
    return not indexes or held.get("session_index") in indexes


def saml_logout(*, provider: IdentityProvider, request, path: str, end_session) -> str | None:
    """Single logout from the IdP. A LogoutRequest (signed, checked by python3-saml in strict
    mode) ends the local session only when it names this browser's SAML session; the IdP is
    answered either way (a principal with no session here is signed out already). A
    LogoutResponse ends nothing: it answers the portal's own sign-out, which already ended
    the session, and the portal does not keep the requests it sent to check it against."""
    if "SAMLRequest" not in request.GET:
        return None
    if "Signature" not in request.GET:
        # An unsigned LogoutRequest could be any page's link: a logout forced on the user.
        activity.record(
            event="sso.signin.refused",
            company=provider.company_id,
            target=provider,
            data={"reason": "unsigned_logout", "detail": "A LogoutRequest must be signed."},
        )
        return None
    auth = saml.auth_for(provider, request, path=path)
    try:
        url = auth.process_slo(keep_local_session=True)
    except Exception:  # not an SLO message at all
        return None
    if auth.get_errors():
        activity.record(
            event="sso.signin.refused",
            company=provider.company_id,
            target=provider,
            data={"reason": "bad_logout", "detail": (auth.get_last_error_reason() or "")[:200]},
        )
        return None
    held = request.session.get(SAML_SESSION_KEY) or {}
    if _names_this_session(provider=provider, held=held, xml=auth.get_last_request_xml()):
        end_session()
    return url


def saml_logout_start(*, request) -> str | None:
    """Single logout started here: the URL of the IdP's logout endpoint with a LogoutRequest
    for the session it signed in, or None (not a SAML session, or the IdP has no SLO URL).
    Read before the portal's own session ends."""
    held = request.session.get(SAML_SESSION_KEY) or {}
    provider = IdentityProvider.objects.filter(pk=held.get("provider"), enabled=True).first()
    if provider is None or not provider.saml_slo_url:
        return None
    auth = saml.OneLogin_Saml2_Auth(
        {"https": "on", "http_host": "portal", "script_name": "/", "get_data": {}, "post_data": {}},
        old_settings=saml.saml_settings(provider),
    )
    return auth.logout(
        return_to="",
        name_id=held.get("name_id") or None,
        session_index=held.get("session_index") or None,
        name_id_format=held.get("name_id_format") or None,
    )
