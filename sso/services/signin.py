"""Signing in through a company's identity provider (SPEC §7.6).

Each entry point returns an Outcome instead of raising: a refusal is recorded (with its
precise reason) and committed, then the view shows the person a generic message and the
admin's connection test the precise one. Nobody is signed in by a refusal or by a test;
the view starts the session only from an Outcome with a user.
"""

import hashlib
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy
from onelogin.saml2.constants import OneLogin_Saml2_Constants
from onelogin.saml2.logout_request import OneLogin_Saml2_Logout_Request
from onelogin.saml2.response import OneLogin_Saml2_Response

import activity
from accounts.models import User, normalize_email
from companies.models import CompanyDomain
from companies.services import user_create
from core.validation import name_refusal
from rainbow_portal.crypto import digest_matches, keyed_digest
from rainbow_portal.exceptions import ApplicationError

from .. import saml
from ..models import ConnectionTest, IdentityProvider, SamlRequest, SeenAssertion
from ..policies import company_may_use_sso, require_can_manage_identity_providers
from ..selectors import email_domain, sso_settings

REQUEST_LIFETIME = timedelta(minutes=10)
GENERIC_REFUSAL = (
    "Signing in through your company's identity provider did not work. Try again; if it "
    "keeps failing, your company's admin can see why."
)


# Refusals the person can act on get their own words; every other reason stays generic (the
# precise one is in the activity record and the admin's connection test).
PERSON_MESSAGES = {
    "other_browser": gettext_lazy(
        "This sign-in was started in another browser, or this browser did not keep its "
        "cookie. Start signing in again from this browser."
    ),
}
# SAML login CSRF: the browser that starts a sign-in gets a random key in a cookie; the ACS
# accepts an answer to that request only from a browser presenting it (the IdP's POST is
# cross-site, hence SameSite=None; the session cookie, SameSite=Lax, does not come with it).
SAML_BROWSER_COOKIE = "sso_saml"  # + a per-request suffix (saml_browser_cookie)
BROWSER_DIGEST_PURPOSE = "sso.saml.browser"
NAME_MAX_LENGTH = User._meta.get_field("first_name").max_length
# What a SAML sign-in keeps in the session (provider, NameID, its format, SessionIndex), for
# the single logouts in either direction.
SAML_SESSION_KEY = "sso_saml"


@dataclass
class Outcome:
    user: User | None = None
    test: ConnectionTest | None = None
    next_url: str = ""
    reason: str = ""
    detail: str = ""
    second_factor_satisfied: bool = False
    asserted: dict = field(default_factory=dict)
    # The provider that signed the user in (SAML and OIDC): marks the session as an SSO one.
    provider_id: str = ""
    # SAML: what a later single logout names (provider, NameID, SessionIndex).
    saml_session: dict = field(default_factory=dict)

    @property
    def message(self) -> str:
        if not self.reason:
            return ""
        return str(PERSON_MESSAGES.get(self.reason, GENERIC_REFUSAL))


def _test_for(test_id) -> ConnectionTest | None:
    return ConnectionTest.objects.filter(pk=test_id).first() if test_id else None


def _refused(
    *, provider, reason: str, detail: str, test: ConnectionTest | None = None, ip: str = ""
) -> Outcome:
    if test is not None:
        return _test_finished(test=test, ok=False, reason=detail, asserted={})
    activity.record(
        event="sso.signin.refused",
        company=getattr(provider, "company_id", None),
        target=provider,
        ip=ip,
        data={"reason": reason, "detail": detail[:200]},
    )
    return Outcome(reason=reason, detail=detail)


def _test_finished(*, test: ConnectionTest, ok: bool, reason: str, asserted: dict) -> Outcome:
    test.ok = ok
    test.reason = reason[:500]
    test.asserted = asserted
    test.finished_at = timezone.now()
    test.save(update_fields=["ok", "reason", "asserted", "finished_at"])
    activity.record(
        event="sso.test.finished",
        actor=test.actor,
        company=test.provider.company_id,
        target=test.provider,
        data={"ok": ok, "reason": reason[:200]},
    )
    return Outcome(test=test, reason="" if ok else "test_failed", detail=reason)


def connection_test_start(*, provider: IdentityProvider, actor) -> ConnectionTest:
    require_can_manage_identity_providers(actor=actor, company=provider.company)
    return ConnectionTest.objects.create(provider=provider, actor=actor)


def name_from_idp(value) -> str:
    """A name as the IdP sent it, made acceptable to the portal's name validator (D10b.9):
    line breaks and tabs become spaces, the characters it refuses are dropped (a ZWNJ/ZWJ
    only where it is refused, so Persian or emoji names keep theirs), cut to the column's
    length. Anything still refused gives a blank name: the account matters more."""
    text = "".join(
        " " if unicodedata.category(ch) == "Cc" and ch.isspace() else ch for ch in str(value or "")
    )
    for _pass in range(2):  # again after the cut: it may leave a joiner at the end
        kept = [ch for ch in text if ch in ("\u200c", "\u200d") or not name_refusal(ch)]
        text = "".join(
            ch
            for i, ch in enumerate(kept)
            if ch not in ("\u200c", "\u200d")
            or not name_refusal("".join(kept[max(i - 1, 0) : i + 2]))
        )
        text = " ".join(text.split())[:NAME_MAX_LENGTH].strip()
    return "" if name_refusal(text) else text


def _match_user(*, provider: IdentityProvider, email: str, asserted: dict) -> tuple:
    """SPEC §7.6: the user is looked up in the IdP's company only, by their login email;
    an account is created only for a domain the company owns, and only when the company
    turned just-in-time creation on."""
    company = provider.company
    if not company_may_use_sso(company=company):
        # SPEC §2.2: standalone users belong to no company, so no IdP speaks for them (the
        # configuration services refuse such a provider; this holds for one made before).
        return None, "default_company", "The default company's users never sign in by SSO."
    user = User.objects.filter(company=company, email=email).first()
    if user is not None:
        if not user.is_active:
            return None, "inactive_account", "The account is deactivated."
        return user, "", ""
    # The details go into the activity record: they never name the address (SPEC §10.2).
    if not CompanyDomain.objects.filter(company=company, domain__iexact=email_domain(email)):
        return None, "foreign_domain", "The address's domain is not one of the company's."
    if User.objects.filter(email=email).exists():
        return None, "other_company", "The address belongs to an account of another company."
    row = sso_settings(company=company)
    if row is None or not row.jit_provisioning:
        return None, "no_account", "No account for the address here; just-in-time creation is off."
    try:
        user = user_create(
            email=email,
            company=company,
            actor=None,
            first_name=name_from_idp(asserted.get("first_name")),
            last_name=name_from_idp(asserted.get("last_name")),
        )
    except ApplicationError as exc:
        return None, "provisioning_failed", exc.message
    except ValidationError as exc:  # full_clean() on what the IdP sent: a refusal, not a 500
        return None, "provisioning_failed", "; ".join(exc.messages)[:300]
    activity.record(
        event="sso.user.provisioned",
        company=company,
        target=user,
        data={"provider": str(provider.pk)},
    )
    return user, "", ""


def _sign_in(*, provider, email: str, asserted: dict, next_url: str, ip: str) -> Outcome:
    email = normalize_email(email or "")
    if not email or "@" not in email:
        return _refused(
            provider=provider, reason="no_email", detail="No email was asserted.", ip=ip
        )
    user, reason, detail = _match_user(provider=provider, email=email, asserted=asserted)
    if user is None:
        return _refused(provider=provider, reason=reason, detail=detail, ip=ip)
    activity.record(
        event="sso.signin.succeeded",
        actor=user,
        company=provider.company_id,
        target=user,
        ip=ip,
        data={"provider": str(provider.pk), "kind": provider.kind},
    )
    return Outcome(
        user=user,
        next_url=next_url,
        second_factor_satisfied=provider.enforces_mfa,
        asserted=asserted,
        provider_id=str(provider.pk),
    )


# --- SAML ------------------------------------------------------------------------------------


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
