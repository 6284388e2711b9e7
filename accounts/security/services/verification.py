"""Email verification of a self-registration (SPEC §7.1)."""

import secrets

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

import activity
from core.services import email_send
from rainbow_portal.exceptions import ApplicationError

from ...models import (
    EmailVerification,
    User,
)
from .. import ratelimit
from ..signals import email_verified
from .common import (
    IP_THROTTLED,
    VERIFICATION_LIFETIME,
    VERIFY_ATTEMPTS_USED,
    VERIFY_PASSWORD_ATTEMPTS,
    WRONG_SIGNUP_PASSWORD,
    Outcome,
    _digest,
    _ip_throttled,
    _security_for_update,
)

# --- Self-registration (SPEC §7.1, §2.5) -----------------------------------------------------


def verification_send(*, user: User) -> None:
    token = secrets.token_urlsafe(32)
    EmailVerification.objects.create(
        user=user,
        token_hash=_digest(token, purpose="verify"),
        expires_at=timezone.now() + VERIFICATION_LIFETIME,
    )
    email_send(
        to=user.email,
        template="account_verify",
        context={
            "link": settings.PORTAL_BASE_URL + reverse("accounts:verify-email", args=[token]),
            "hours": int(VERIFICATION_LIFETIME.total_seconds() // 3600),
        },
    )
    activity.record(event="user.verification.sent", company=user.company_id, target=user)


def _verification_refusal(entry: EmailVerification | None) -> str | None:
    if entry is None:
        return "This confirmation link is not valid. Check that it is complete."
    if entry.used_at is not None:
        return "This confirmation link was already used: your address is confirmed. Sign in."
    if entry.expires_at <= timezone.now():
        return "This confirmation link has expired. Sign up again to receive a new one."
    if ratelimit.count("verify-token", entry.token_hash) >= VERIFY_PASSWORD_ATTEMPTS:
        return VERIFY_ATTEMPTS_USED
    return None


def email_verification_refusal(*, token: str) -> str | None:
    """Why a confirmation link cannot be used (shown before asking for the password), or
    None. Only the mailbox that received the link learns this."""
    digest = _digest(token, purpose="verify")
    return _verification_refusal(EmailVerification.objects.filter(token_hash=digest).first())


def email_verify(*, token: str, password: str, ip: str = "") -> User:
    """Confirm a self-registration. Following the link is not enough (a mail scanner follows
    links): the password chosen at sign-up must be given, so an address pre-registered by
    someone else is never confirmed for them."""
    outcome = _email_verify(token=token, password=password, ip=ip)
    if outcome.error:
        raise ApplicationError(outcome.error, fields={"password": [outcome.error]})
    return outcome.user


@transaction.atomic
def _email_verify(*, token: str, password: str, ip: str) -> Outcome:
    if _ip_throttled("login-ip", ip, settings.LOGIN_IP_FAILURE_LIMIT):
        return Outcome(error=IP_THROTTLED)
    # Checked under the row lock: two confirmations at once, or a sign-up again dropping the
    # link meanwhile, end in one clear answer.
    entry = (
        EmailVerification.objects.select_for_update()
        .select_related("user")
        .filter(token_hash=_digest(token, purpose="verify"))
        .first()
    )
    refusal = _verification_refusal(entry)
    if refusal:
        return Outcome(error=refusal)
    user = entry.user
    if not (user.check_password(password) and user.is_active):
        window = int(VERIFICATION_LIFETIME.total_seconds())
        failures = ratelimit.hit("verify-token", entry.token_hash, window=window)
        if ip:
            ratelimit.hit("login-ip", ip, window=settings.ACCOUNT_IP_WINDOW)
        activity.record(
            event="user.email.verify_failed",
            company=user.company_id,
            target=user,
            ip=ip,
            data={"failures": failures},
        )
        return Outcome(
            error=VERIFY_ATTEMPTS_USED
            if failures >= VERIFY_PASSWORD_ATTEMPTS
            else WRONG_SIGNUP_PASSWORD
        )
    entry.used_at = timezone.now()
    entry.save(update_fields=["used_at"])
    security = _security_for_update(user)
    security.email_verified = True
    security.save(update_fields=["email_verified"])
    activity.record(event="user.email.verified", actor=user, target=user, ip=ip)
    # SPEC §2.5 step 3: a pending company invitation for this address is claimed only once
    # the address is proven; the companies layer listens (accounts sits below it).
    email_verified.send(sender=User, user=user)
    return Outcome(user=user)
