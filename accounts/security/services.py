"""Writes for authentication and account security (SPEC §7.1–7.5, §7.7).

Failures that must leave a trace (a wrong password, a wrong code) are committed before the
error reaches the person: those services return an outcome instead of raising inside their
transaction, and the public wrapper raises `ApplicationError` after the commit.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

import activity
from accounts.passwords import password_check
from core.services import email_send
from rainbow_portal.crypto import digest_candidates, digest_matches, keyed_digest
from rainbow_portal.exceptions import ApplicationError

from ..models import (
    AuthenticatorDevice,
    CompanySecurityPolicy,
    EmailVerification,
    PasswordResetCode,
    RecoveryCode,
    TwoFactorPolicy,
    User,
    UserSecurity,
    UserSession,
    normalize_email,
)
from ..models.authenticator import SEED_BYTES, seal_seed
from . import ratelimit
from .selectors import has_two_factor, totp_device, two_factor_required

LOCK_AFTER_FAILURES = 5  # SPEC §7.3
LOCK_DURATION = timedelta(minutes=60)
RESET_CODE_LIFETIME = timedelta(minutes=15)  # SPEC §7.2
RESET_CODE_ATTEMPTS = 5
# Each code brings RESET_CODE_ATTEMPTS guesses, so codes per account are capped too.
RESET_REQUESTS_PER_ACCOUNT = 5
RESET_REQUEST_WINDOW = timedelta(hours=1)
VERIFY_PASSWORD_ATTEMPTS = 5
VERIFICATION_LIFETIME = timedelta(hours=48)
RECOVERY_CODE_COUNT = 10

SESSION_TWO_FACTOR_PENDING = "two_factor_pending"
SESSION_LAST_ACTIVITY = "last_activity"

INVALID_LOGIN = "The email or password is not correct."
LOCKED = (
    "This account is locked for 60 minutes after 5 failed sign-ins. "
    "Reset your password to unlock it now."
)
UNVERIFIED = "Confirm your email address first: follow the link we emailed you."
IP_THROTTLED = "Too many attempts from your network. Wait 15 minutes and try again."
WRONG_RESET_CODE = (
    "This code is not correct. A code works for 15 minutes and 5 attempts; "
    "after that, ask for a new one."
)
WRONG_TOTP = "This code is not correct or was already used. Wait for the next code."
RESET_REQUESTS_CAPPED = (
    "Too many codes were asked for this address in the last hour, so no new code is sent. "
    "Use the latest code you received if it is less than 15 minutes old, or try again later."
)
# bandit B105 accepted: a message shown to a person, not a password.
WRONG_SIGNUP_PASSWORD = (  # nosec B105
    "This is not the password chosen at sign-up. If you do not know it, set a new password "
    "instead (link below)."
)
VERIFY_ATTEMPTS_USED = (
    "This confirmation link no longer works after 5 wrong passwords. Set a new password "
    "instead: the code we email proves the address is yours and confirms it."
)


def _digest(value: str, *, purpose: str) -> str:
    # Keyed by DIGEST_KEY, one derived key per purpose (D10c.1); SECRET_KEY plays no part.
    return keyed_digest(purpose, value)


def _security_for_update(user) -> UserSecurity:
    UserSecurity.objects.get_or_create(user=user)
    return UserSecurity.objects.select_for_update().get(user=user)


def _ip_throttled(bucket: str, ip: str, limit: int) -> bool:
    return bool(ip) and ratelimit.count(bucket, ip) >= limit


# --- Sign-in and lockout (SPEC §7.3) ---------------------------------------------------------


@dataclass
class Outcome:
    user: User | None = None
    error: str = ""


def login_attempt(*, email: str, password: str, ip: str = "") -> User:
    """Check a password sign-in. Returns the user, or raises ApplicationError with a message
    that never says whether the email has an account (except to someone who knows its
    password)."""
    outcome = _login_attempt(email=normalize_email(email), password=password, ip=ip)
    if outcome.error:
        raise ApplicationError(outcome.error, code="login_refused")
    return outcome.user


@transaction.atomic
def _login_attempt(*, email: str, password: str, ip: str) -> Outcome:
    if _ip_throttled("login-ip", ip, settings.LOGIN_IP_FAILURE_LIMIT):
        activity.record(event="user.login.throttled", ip=ip)
        return Outcome(error=IP_THROTTLED)
    user = User.objects.filter(email=email).first() if email else None
    now = timezone.now()
    if user is None:
        # Same work and same answers as for a real account, lock included: no enumeration.
        User().set_password(password)
        if ip:
            ratelimit.hit("login-ip", ip, window=settings.ACCOUNT_IP_WINDOW)
        window = int(LOCK_DURATION.total_seconds())
        failures = ratelimit.hit("login-email", email, window=window)
        if failures > LOCK_AFTER_FAILURES:  # restarted like a real lock
            ratelimit.restart("login-email", email, at_least=failures, window=window)
        activity.record(event="user.login.failed", ip=ip, data={"reason": "unknown_email"})
        return Outcome(error=LOCKED if failures >= LOCK_AFTER_FAILURES else INVALID_LOGIN)

    security = _security_for_update(user)
    password_ok = user.check_password(password) and user.is_active
    if security.locked_until and security.locked_until > now:
        if not password_ok:
            # SPEC §7.3: a failed attempt during the lock restarts it.
            security.locked_until = now + LOCK_DURATION
            security.save(update_fields=["locked_until"])
            if ip:
                ratelimit.hit("login-ip", ip, window=settings.ACCOUNT_IP_WINDOW)
        activity.record(
            event="user.login.failed",
            actor=None,
            company=user.company_id,
            target=user,
            ip=ip,
            data={"reason": "locked", "lock_restarted": not password_ok},
        )
        return Outcome(error=LOCKED)
    lock_ran_out = security.locked_until is not None
    if lock_ran_out:  # a fresh count
        security.locked_until = None
        security.failed_logins = 0

    if not password_ok:
        security.failed_logins += 1
        locked = security.failed_logins >= LOCK_AFTER_FAILURES
        if locked:
            security.locked_until = now + LOCK_DURATION
        security.save(update_fields=["failed_logins", "locked_until"])
        if ip:
            ratelimit.hit("login-ip", ip, window=settings.ACCOUNT_IP_WINDOW)
        activity.record(
            event="user.login.failed",
            company=user.company_id,
            target=user,
            ip=ip,
            data={"reason": "password", "failures": security.failed_logins},
        )
        if locked:
            activity.record(
                event="user.locked",
                company=user.company_id,
                target=user,
                ip=ip,
                data={"minutes": int(LOCK_DURATION.total_seconds() // 60)},
            )
            return Outcome(error=LOCKED)
        return Outcome(error=INVALID_LOGIN)

    if not security.email_verified:
        activity.record(
            event="user.login.failed",
            company=user.company_id,
            target=user,
            ip=ip,
            data={"reason": "unverified"},
        )
        return Outcome(error=UNVERIFIED)
    if security.failed_logins or lock_ran_out:
        security.failed_logins = 0
        security.save(update_fields=["failed_logins", "locked_until"])
    return Outcome(user=user)


@transaction.atomic
def session_start(*, request, user: User, ip: str = "") -> bool:
    """Sign the user in: a new session key (rotated), registered for the session list.
    Returns True when a second factor is still needed before anything else."""
    user.backend = "django.contrib.auth.backends.ModelBackend"
    auth_login(request, user)  # cycles the session key (no fixation)
    request.session[SESSION_LAST_ACTIVITY] = int(timezone.now().timestamp())
    pending = two_factor_required(user=user) or has_two_factor(user=user)
    if pending:
        request.session[SESSION_TWO_FACTOR_PENDING] = True
    request.session.save()
    UserSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={
            "user": user,
            "last_seen": timezone.now(),
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:200],
        },
    )
    activity.record(
        event="user.login.succeeded",
        actor=user,
        target=user,
        ip=ip,
        data={"second_factor_pending": pending},
    )
    return pending


@transaction.atomic
def session_end(*, request, reason: str = "logout") -> None:
    user = request.user
    if user.is_authenticated:
        key = request.session.session_key
        if key:
            UserSession.objects.filter(session_key=key).delete()
        activity.record(event="user.logout", actor=user, target=user, data={"reason": reason})
    auth_logout(request)


def session_touch(*, request) -> None:
    """Keep `last_seen` of the session list roughly current (at most one write a minute)."""
    key = request.session.session_key
    if key:
        UserSession.objects.filter(
            session_key=key, last_seen__lt=timezone.now() - timedelta(minutes=1)
        ).update(last_seen=timezone.now())


@transaction.atomic
def sessions_end(*, user: User, actor, keep_session_key: str | None = None) -> int:
    """End every session of the user (but `keep_session_key`): "sign out everywhere", and
    what a password reset or change does to the other sessions (SPEC §7.2)."""
    rows = UserSession.objects.filter(user=user)
    if keep_session_key:
        rows = rows.exclude(session_key=keep_session_key)
    keys = list(rows.values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    rows.delete()
    activity.record(
        event="user.sessions.ended",
        actor=actor,
        company=user.company_id,
        target=user,
        data={"count": len(keys), "kept_current": bool(keep_session_key)},
    )
    return len(keys)


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
    security.locked_until = None
    # Receiving the code proved the mailbox: an unconfirmed sign-up is confirmed by it.
    security.email_verified = True
    security.save(update_fields=["failed_logins", "locked_until", "email_verified"])
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
        _claim_pending_invitation(user)
    sessions_end(user=user, actor=user)
    return Outcome(user=user)


@transaction.atomic
def password_change(*, request, user: User, old_password: str, new_password: str) -> User:
    """Change the password of the signed-in user: every other session ends (SPEC §7.2),
    this one stays."""
    if not user.check_password(old_password):
        raise ApplicationError(
            "The current password is not correct.",
            fields={"old_password": ["The current password is not correct."]},
        )
    password_check(new_password, user, field="new_password1")
    user.set_password(new_password)
    user.save(update_fields=["password"])
    security = _security_for_update(user)
    security.failed_logins = 0
    security.locked_until = None
    security.save(update_fields=["failed_logins", "locked_until"])
    old_key = request.session.session_key
    update_session_auth_hash(request, user)  # cycles the key: the list follows it
    UserSession.objects.filter(session_key=old_key).update(session_key=request.session.session_key)
    activity.record(event="user.password.changed", actor=user, target=user)
    sessions_end(user=user, actor=user, keep_session_key=request.session.session_key)
    return user


# --- Self-registration (SPEC §7.1, §2.5) -----------------------------------------------------


def _send_verification(*, user: User) -> None:
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


@transaction.atomic
def signup(
    *, email: str, password: str, first_name: str = "", last_name: str = "", ip: str = ""
) -> User | None:
    """Self-registration. The account is placed by SPEC §2.5 (domain match, else the default
    company) and stays unusable until its email is confirmed. An address that already has an
    account gets an email instead, and the caller answers the same way (no enumeration)."""
    from companies.services import company_for_signup

    email = normalize_email(email)
    company = company_for_signup(email=email)
    # Checked first, against the company the address would join: the answer is the same
    # whether or not the address already has an account.
    password_check(password, User(email=email, company=company))
    if ip and ratelimit.hit("signup-ip", ip, window=settings.ACCOUNT_IP_WINDOW) > (
        settings.ACCOUNT_IP_REQUEST_LIMIT
    ):
        raise ApplicationError(IP_THROTTLED, code="throttled")
    existing = User.objects.filter(email=email).first()
    if existing is not None:
        security = UserSecurity.objects.filter(user=existing).first()
        if security is not None and not security.email_verified:
            # Nobody proved this address yet: the latest sign-up wins, so a password chosen
            # by someone who pre-registered it (and the links it was sent) stops counting.
            EmailVerification.objects.filter(user=existing, used_at__isnull=True).delete()
            existing.set_password(password)
            existing.first_name = first_name
            existing.last_name = last_name
            existing.save(update_fields=["password", "first_name", "last_name"])
            activity.record(
                event="user.signup.repeated",
                company=existing.company_id,
                target=existing,
                ip=ip,
            )
            _send_verification(user=existing)
        else:
            # One password hash on every branch: a taken address must not answer faster.
            make_password(password)
            email_send(
                to=existing.email,
                template="account_exists",
                context={
                    "link": settings.PORTAL_BASE_URL + reverse("accounts:login"),
                    "reset_link": settings.PORTAL_BASE_URL + reverse("accounts:password-reset"),
                },
            )
        return None
    from ..services import user_create

    user = user_create(
        email=email,
        company=company,
        actor=None,
        password=password,
        first_name=first_name,
        last_name=last_name,
    )
    UserSecurity.objects.create(user=user, email_verified=False)
    _send_verification(user=user)
    return user


def _claim_pending_invitation(user: User) -> None:
    # SPEC §2.5 step 3: sign-up placed the user by a pending invitation for this address; it
    # is claimed only once the address is proven, so its role cannot be had unverified.
    from companies.membership.services import invitation_claim_pending

    invitation_claim_pending(user=user)


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
    digests = digest_candidates("verify", token)
    return _verification_refusal(EmailVerification.objects.filter(token_hash__in=digests).first())


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
        .filter(token_hash__in=digest_candidates("verify", token))
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
    _claim_pending_invitation(user)
    return Outcome(user=user)


# --- Two-factor (SPEC §7.5) ------------------------------------------------------------------


@transaction.atomic
def authenticator_device_create(*, user: User, name: str, confirmed: bool, actor=None):
    """A device with a fresh TOTP seed, sealed to its own row id (known once inserted), so
    the plain seed never reaches the database (D10c.2)."""
    device = AuthenticatorDevice.objects.create(
        user=user, name=name, confirmed=confirmed, key="pending"
    )
    device.key = seal_seed(secrets.token_bytes(SEED_BYTES), device_id=device.pk)
    device.save(update_fields=["key"])
    return device


@transaction.atomic
def two_factor_setup_start(*, user: User):
    """A new, unconfirmed TOTP device whose secret the enrollment page shows once."""
    AuthenticatorDevice.objects.filter(user=user, confirmed=False).delete()
    return authenticator_device_create(
        user=user, name="Authenticator app", confirmed=False, actor=user
    )


def _new_recovery_codes(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, code_hash=_digest(f"{user.pk}:{c}", purpose="recovery"))
        for c in codes
    )
    return codes


def two_factor_setup_confirm(*, request, user: User, token: str) -> list[str]:
    """Confirm enrollment with a first code. Returns the recovery codes, shown once."""
    from django_otp import login as otp_login

    with transaction.atomic():
        device = totp_device(user=user, confirmed=False)
        if device is None:
            raise ApplicationError("Start the enrollment again: no pending authenticator.")
        if not device.verify_token(token.strip()):
            raise ApplicationError(WRONG_TOTP, fields={"token": [WRONG_TOTP]})
        AuthenticatorDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(user)
        otp_login(request, device)
        request.session.pop(SESSION_TWO_FACTOR_PENDING, None)
        activity.record(event="user.two_factor.enabled", actor=user, target=user)
    return codes


def two_factor_verify(*, request, user: User, token: str, ip: str = "") -> None:
    """The second sign-in step: a TOTP code (never the same one twice) or a recovery code."""
    outcome = _two_factor_verify(request=request, user=user, token=token.strip(), ip=ip)
    if outcome.error:
        raise ApplicationError(outcome.error, fields={"token": [outcome.error]})


@transaction.atomic
def _two_factor_verify(*, request, user: User, token: str, ip: str) -> Outcome:
    from django_otp import login as otp_login

    device = totp_device(user=user)
    if device is None:
        return Outcome(error="Set up two-factor authentication first.")
    if token.isdigit() and len(token) == 6:
        # django-otp keeps the last accepted time step: a replayed code is refused.
        if device.verify_token(token):
            otp_login(request, device)
            request.session.pop(SESSION_TWO_FACTOR_PENDING, None)
            activity.record(event="user.two_factor.verified", actor=user, target=user, ip=ip)
            return Outcome(user=user)
    else:
        recovery = (
            RecoveryCode.objects.select_for_update()
            .filter(
                user=user,
                used_at__isnull=True,
                code_hash__in=digest_candidates("recovery", f"{user.pk}:{token.lower()}"),
            )
            .first()
        )
        if recovery is not None:
            recovery.used_at = timezone.now()
            recovery.save(update_fields=["used_at"])
            otp_login(request, device)
            request.session.pop(SESSION_TWO_FACTOR_PENDING, None)
            activity.record(
                event="user.two_factor.recovery_used",
                actor=user,
                target=user,
                ip=ip,
                data={"left": RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()},
            )
            return Outcome(user=user)
    activity.record(event="user.two_factor.failed", actor=user, target=user, ip=ip)
    return Outcome(error=WRONG_TOTP)


@transaction.atomic
def two_factor_disable(*, user: User, actor, password: str) -> None:
    if two_factor_required(user=user):
        raise ApplicationError(
            "Two-factor authentication is required for your account: it cannot be turned off."
        )
    if not user.check_password(password):
        raise ApplicationError(
            "The password is not correct.", fields={"password": ["The password is not correct."]}
        )
    AuthenticatorDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    activity.record(event="user.two_factor.disabled", actor=actor, target=user)


@transaction.atomic
def recovery_codes_regenerate(*, user: User, actor) -> list[str]:
    if not has_two_factor(user=user):
        raise ApplicationError("Set up two-factor authentication first.")
    codes = _new_recovery_codes(user)
    activity.record(event="user.two_factor.recovery_regenerated", actor=actor, target=user)
    return codes


# --- Company policy and profile locks (SPEC §7.1, §7.5, §7.7) --------------------------------


@transaction.atomic
def company_security_policy_set(
    *, company, actor, password_min_length: int, two_factor: str, lock_profiles: bool
) -> CompanySecurityPolicy:
    if two_factor not in TwoFactorPolicy.values:
        raise ApplicationError(f"“{two_factor}” is not a two-factor policy.")
    policy, _ = CompanySecurityPolicy.objects.select_for_update().get_or_create(company=company)
    before = {
        "password_min_length": policy.password_min_length,
        "two_factor": policy.two_factor,
        "lock_profiles": policy.lock_profiles,
    }
    after = {
        "password_min_length": password_min_length,
        "two_factor": two_factor,
        "lock_profiles": lock_profiles,
    }
    changed = sorted(k for k in after if before[k] != after[k])
    if not changed:
        return policy
    for key, value in after.items():
        setattr(policy, key, value)
    try:
        policy.full_clean()
    except ValidationError as exc:
        raise ApplicationError(
            " ".join(exc.messages), fields=getattr(exc, "message_dict", {})
        ) from None
    policy.save()
    company.__dict__.pop("_security_policy_cache", None)
    activity.record(
        event="company.security_policy.changed",
        actor=actor,
        company=company,
        target=company,
        # "min_length", not the field name: keys that look like passwords are scrubbed.
        data={
            "fields": changed,
            **{("min_length" if k == "password_min_length" else k): after[k] for k in changed},
        },
    )
    return policy


@transaction.atomic
def user_profile_lock_set(*, user: User, locked: bool, actor) -> UserSecurity:
    if actor is not None and actor.pk == user.pk:
        raise ApplicationError("Nobody locks or unlocks their own profile.")
    security = _security_for_update(user)
    if security.profile_locked == locked:
        return security
    security.profile_locked = locked
    security.save(update_fields=["profile_locked"])
    activity.record(
        event="user.profile_lock.changed",
        actor=actor,
        company=user.company_id,
        target=user,
        data={"locked": locked},
    )
    return security


@transaction.atomic
def account_unlock(*, user: User, actor) -> bool:
    """An operator lifts a sign-in lock (SPEC §7.3) without resetting the password. Returns
    whether the account was locked; an account that was not is left as it is, unrecorded."""
    security = _security_for_update(user)
    was_locked = bool(security.locked_until and security.locked_until > timezone.now())
    if not was_locked and not security.failed_logins:
        return False
    security.failed_logins = 0
    security.locked_until = None
    security.save(update_fields=["failed_logins", "locked_until"])
    transaction.on_commit(lambda: ratelimit.clear("login-email", user.email))
    activity.record(
        event="user.unlocked",
        actor=actor,
        company=user.company_id,
        target=user,
        data={"was_locked": was_locked},
    )
    return was_locked
