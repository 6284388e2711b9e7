"""Password reset by emailed code, and password change (SPEC §7.2)."""

import secrets

from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

import activity
from accounts.security.password_policy import password_check
from core.services import email_send
from rainbow_portal.crypto import digest_matches
from rainbow_portal.exceptions import ApplicationError

from ...models import (
    EmailVerification,
    PasswordResetCode,
    User,
    UserSession,
    normalize_email,
)
from .. import ratelimit
from ..signals import email_verified
from .common import (
    IP_THROTTLED,
    LOCKED,
    RESET_CODE_ATTEMPTS,
    RESET_CODE_LIFETIME,
    RESET_REQUEST_WINDOW,
    RESET_REQUESTS_CAPPED,
    RESET_REQUESTS_PER_ACCOUNT,
    WRONG_RESET_CODE,
    Outcome,
    _digest,
    _security_for_update,
    user_verified_set,
)
from .lockout import account_failure, failures_clear
from .sessions import sessions_end
from .tokens import tokens_revoke_for_user

# --- Password reset and change (SPEC §7.2) ---------------------------------------------------


@transaction.atomic
def password_reset_request(*, email: str, ip: str = "") -> None:
    """Email a 6-digit code if the address has an account; the caller answers the same way
    either way (SPEC §7.2: the reset page never reveals whether an email exists)."""
    if ip and ratelimit.hit("reset-ip", ip, window=settings.ACCOUNT_IP_WINDOW) > (
        settings.ACCOUNT_IP_REQUEST_LIMIT
    ):
        raise ApplicationError(IP_THROTTLED, code="throttled")
    email = normalize_email(email)
    # Counted for every address, known or not, so the refusal is no tell (SPEC §7.2).
    requests = ratelimit.hit("reset-email", email, window=int(RESET_REQUEST_WINDOW.total_seconds()))
    if requests > RESET_REQUESTS_PER_ACCOUNT:
        raise ApplicationError(RESET_REQUESTS_CAPPED, code="throttled")
    user = User.objects.filter(email=email, is_active=True).first()
    if user is None:
        return
    PasswordResetCode.objects.filter(user=user, used_at__isnull=True).update(superseded=True)
    code = f"{secrets.randbelow(10**6):06d}"
    PasswordResetCode.objects.create(
        user=user,
        code_hash=_digest(f"{user.pk}:{code}", purpose="reset"),
        expires_at=timezone.now() + RESET_CODE_LIFETIME,
    )
    email_send(
        to=user.email,
        template="password_reset_code",
        context={
            "code": code,
            "minutes": int(RESET_CODE_LIFETIME.total_seconds() // 60),
            "link": settings.PORTAL_BASE_URL + reverse("accounts:password-update"),
        },
    )
    activity.record(
        event="user.password.reset_requested", company=user.company_id, target=user, ip=ip
    )


def password_reset_confirm(*, email: str, code: str, new_password: str, ip: str = "") -> User:
    outcome = _password_reset_confirm(
        email=normalize_email(email), code=code.strip(), new_password=new_password, ip=ip
    )
    if outcome.error:
        raise ApplicationError(outcome.error, fields={"code": [outcome.error]})
    return outcome.user


@transaction.atomic
def _password_reset_confirm(*, email: str, code: str, new_password: str, ip: str) -> Outcome:
    user = User.objects.filter(email=email, is_active=True).first() if email else None
    if user is None:
        return Outcome(error=WRONG_RESET_CODE)
    entry = (
        PasswordResetCode.objects.select_for_update()
        .filter(user=user, superseded=False)
        .order_by("-created_at")
        .first()
    )
    if entry is None:
        return Outcome(error=WRONG_RESET_CODE)
    # The code is bound to the user: another account's code never matches.
    matches = digest_matches("reset", f"{user.pk}:{code}", entry.code_hash)
    # Why a code fails is said only to whoever holds it, so nothing leaks about the account.
    if matches and entry.used_at:
        return Outcome(error="This code was already used. Ask for a new code.")
    if matches and entry.expires_at <= timezone.now():
        return Outcome(error="This code has expired (15 minutes). Ask for a new code.")
    if matches and entry.attempts >= RESET_CODE_ATTEMPTS:
        return Outcome(error="This code no longer works after 5 wrong attempts. Ask for a new one.")
    if not matches:
        usable = (
            not entry.used_at
            and entry.expires_at > timezone.now()
            and entry.attempts < RESET_CODE_ATTEMPTS
        )
        if usable:
            entry.attempts += 1
            entry.save(update_fields=["attempts"])
        activity.record(
            event="user.password.reset_failed",
            company=user.company_id,
            target=user,
            ip=ip,
            data={"attempts": entry.attempts},
        )
        return Outcome(error=WRONG_RESET_CODE)

    # The right code: now the new password must pass the policy; a refusal uses nothing up.
    password_check(new_password, user, field="new_password1")
    entry.used_at = timezone.now()
    entry.save(update_fields=["used_at"])
    user.set_password(new_password)
    user.save(update_fields=["password"])
    security = _security_for_update(user)
    was_locked = bool(security.locked_until and security.locked_until > timezone.now())
    confirms = not security.email_verified
    security.failed_logins = 0
    security.recent_failures = []
    security.locked_until = None
    # Receiving the code proved the mailbox: an unconfirmed sign-up is confirmed by it.
    security.email_verified = True
    security.save(
        update_fields=["failed_logins", "recent_failures", "locked_until", "email_verified"]
    )
    if confirms:
        user_verified_set(user=user, verified=True)
    ratelimit.clear("login-email", email)
    activity.record(
        event="user.password.reset",
        actor=user,
        target=user,
        ip=ip,
        data={"unlocked": was_locked, "email_confirmed": confirms},
    )
    if confirms:
        # Whoever pre-registered the address held its links; they die with their password.
        EmailVerification.objects.filter(user=user, used_at__isnull=True).delete()
        email_verified.send(sender=User, user=user)  # SPEC §2.5 step 3, as in email_verify
    sessions_end(user=user, actor=user)
    tokens_revoke_for_user(user=user, actor=user, reason="password_reset")  # SPEC §7.8
    return Outcome(user=user)


# nosec B105 - a message shown to the person, not a password
WRONG_CURRENT_PASSWORD = "The current password is not correct."  # nosec B105


@transaction.atomic
def _current_password_refusal(*, user: User, password: str, ip: str) -> str:
    """SPEC §7.3: wrong current passwords count toward the sign-in lock, and a locked
    account changes nothing, even with the right password. Committed before the refusal."""
    security = _security_for_update(user)
    now = timezone.now()
    if not user.check_password(password):
        locked = account_failure(
            user=user, security=security, now=now, ip=ip, reason="current_password"
        )
        return LOCKED if locked else WRONG_CURRENT_PASSWORD
    if security.locked_until and security.locked_until > now:
        return LOCKED
    return ""


def password_change(
    *, request, user: User, old_password: str, new_password: str, ip: str = ""
) -> User:
    """Change the password of the signed-in user: every other session ends (SPEC §7.2),
    this one stays."""
    refusal = _current_password_refusal(user=user, password=old_password, ip=ip)
    if refusal:
        raise ApplicationError(refusal, fields={"old_password": [refusal]})
    return _password_change(request=request, user=user, new_password=new_password)


@transaction.atomic
def _password_change(*, request, user: User, new_password: str) -> User:
    password_check(new_password, user, field="new_password1")
    user.set_password(new_password)
    user.save(update_fields=["password"])
    failures_clear(_security_for_update(user))
    old_key = request.session.session_key
    update_session_auth_hash(request, user)  # cycles the key: the list follows it
    UserSession.objects.filter(session_key=old_key).update(session_key=request.session.session_key)
    activity.record(event="user.password.changed", actor=user, target=user)
    sessions_end(user=user, actor=user, keep_session_key=request.session.session_key)
    tokens_revoke_for_user(user=user, actor=user, reason="password_change")  # SPEC §7.8
    return user
