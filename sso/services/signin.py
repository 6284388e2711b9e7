"""Signing in through a company's identity provider (SPEC §7.6).

Each entry point returns an Outcome instead of raising: a refusal is recorded (with its
precise reason) and committed, then the view shows the person a generic message and the
admin's connection test the precise one. Nobody is signed in by a refusal or by a test;
the view starts the session only from an Outcome with a user.
"""

import unicodedata
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy

import activity
from accounts.models import User, normalize_email
from companies.models import CompanyDomain
from companies.services import user_create
from core.validation import name_refusal
from rainbow_portal.exceptions import ApplicationError

from ..models import ConnectionTest, IdentityProvider
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
NAME_MAX_LENGTH = User._meta.get_field("first_name").max_length


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
