"""Two-factor: enrollment, verification, recovery codes (SPEC §7.5)."""

import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import login as otp_login

import activity
from rainbow_portal.crypto import digest_candidates
from rainbow_portal.exceptions import ApplicationError

from ...models import (
    AuthenticatorDevice,
    RecoveryCode,
    User,
)
from ...models.authenticator import SEED_BYTES, seal_seed
from ...policies import is_superadmin
from ..selectors import has_two_factor, totp_device, two_factor_required
from .common import (
    RECOVERY_CODE_COUNT,
    SESSION_TWO_FACTOR_PENDING,
    WRONG_TOTP,
    Outcome,
    _digest,
)
from .sessions import sessions_end

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
    with transaction.atomic():
        device = totp_device(user=user, confirmed=False)
        if device is None:
            raise ApplicationError(_("Start the enrollment again: no pending authenticator."))
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
            _("Two-factor authentication is required for your account: it cannot be turned off.")
        )
    if not user.check_password(password):
        raise ApplicationError(
            _("The password is not correct."), fields={"password": ["The password is not correct."]}
        )
    AuthenticatorDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    activity.record(event="user.two_factor.disabled", actor=actor, target=user)


@transaction.atomic
def two_factor_reset(*, user: User, actor) -> None:
    """A superadmin's reset for someone who lost both the authenticator and the recovery
    codes (D17h.2): the devices and codes go, every session of the user ends, and the next
    sign-in asks for a new enrollment where one is required. Never one's own: that is the
    security page's, behind the password and the second factor."""
    if not is_superadmin(actor):
        raise ApplicationError(_("Only a superadmin resets someone's two-factor sign-in."))
    if actor.pk == user.pk:
        raise ApplicationError(
            _("Nobody resets their own two-factor sign-in here: use your security page.")
        )
    devices = AuthenticatorDevice.objects.filter(user=user).delete()[0]
    codes = RecoveryCode.objects.filter(user=user).delete()[0]
    sessions_end(user=user, actor=actor)
    activity.record(
        event="user.two_factor.reset",
        actor=actor,
        target=user,
        data={"devices": devices, "recovery": codes},  # "code" keys are scrubbed
    )


@transaction.atomic
def recovery_codes_regenerate(*, user: User, actor) -> list[str]:
    if not has_two_factor(user=user):
        raise ApplicationError(_("Set up two-factor authentication first."))
    codes = _new_recovery_codes(user)
    activity.record(event="user.two_factor.recovery_regenerated", actor=actor, target=user)
    return codes
