"""T0: closing and restoring an account (SPEC §8.1–8.2)."""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

import activity
from accounts.models import User
from accounts.security.selectors import totp_device
from core.services import email_send
from rainbow_portal.exceptions import ApplicationError

from .. import policies
from ..models import AccountClosure, RestoreToken, Stage
from . import steps

ANONYMIZE_AFTER = timedelta(days=30)
DELETE_AFTER = timedelta(days=60)
OPEN_STAGES = (Stage.CLOSED, Stage.ANONYMIZED, Stage.DELETED)


def token_hash(token: str) -> str:
    return hashlib.sha256(f"retention.restore:{token}".encode()).hexdigest()


def _check_identity(*, user: User, password: str, otp: str) -> None:
    """A standalone user closing their own account proves it again: the password, and the
    second factor where enrolled (SPEC §8.1)."""
    if not password or not user.check_password(password):
        message = _("The password is not correct.")
        raise ApplicationError(message, fields={"password": [message]})
    # The portal's device (seed sealed, D10c.2), as the sign-in's second step loads it: the
    # plain django-otp model would read the sealed seed as hex and fail.
    device = totp_device(user=user)
    code = (otp or "").strip()
    if device is not None and not (code.isdigit() and device.verify_token(code)):
        message = _("Enter the current code from your authenticator app.")
        raise ApplicationError(message, fields={"otp": [message]})


@transaction.atomic
def account_close(
    *,
    user: User,
    actor,
    password: str = "",
    otp: str = "",
    now: datetime | None = None,
    verify_identity: bool = True,
) -> AccountClosure:
    """Close `user` as `actor`. At once: sign-in refused (is_active off), every session and
    API token revoked, licenses freed; the profile stays visible, marked closed, until T+30.

    `verify_identity` is False only for the management command run by an operator at the
    console (the actor's identity is then the operator's shell access)."""
    user = User.objects.select_for_update().select_related("company").get(pk=user.pk)
    kind = policies.require_can_close(actor=actor, user=user)
    if AccountClosure.objects.filter(user_ref=user.pk, stage__in=OPEN_STAGES).exists():
        raise ApplicationError(_("This account is already closed."), code="already_closed")
    if kind == policies.SELF and verify_identity:
        _check_identity(user=user, password=password, otp=otp)
    now = now or timezone.now()
    closure = AccountClosure.objects.create(
        user=user,
        user_ref=user.pk,
        company_id=user.company_id,
        standalone=user.company.is_default,
        closed_at=now,
        anonymize_due_at=now + ANONYMIZE_AFTER,
        delete_due_at=now + DELETE_AFTER,
        closed_by_kind=kind,
    )
    user.is_active = False
    user.save(update_fields=["is_active"])
    sessions = steps.sessions_revoke(user_ids=[user.pk])
    tokens = steps.tokens_revoke_for_user(user=user, actor=actor)
    licenses = steps.licenses_release(user=user, actor=actor)
    join_requests = steps.join_requests_cancel(user=user, actor=actor)
    activity.record(
        event="account.closed",
        actor=actor,
        company=user.company_id,
        target=user,
        data={
            "closure": closure.pk,
            "by": kind,
            "standalone": closure.standalone,
            "browsers_signed_out": sessions,
            "api_access_revoked": tokens,
            "licenses": licenses,
            "join_requests_canceled": join_requests,
            "anonymize_due_at": closure.anonymize_due_at.isoformat(),
        },
    )
    if closure.standalone:
        _send_restore_link(closure=closure, user=user)
    return closure


def _send_restore_link(*, closure: AccountClosure, user: User) -> None:
    token = secrets.token_urlsafe(32)
    RestoreToken.objects.create(
        closure=closure, token_hash=token_hash(token), expires_at=closure.anonymize_due_at
    )
    email_send(
        to=user.email,
        template="account_closed",
        context={
            "due_at": closure.anonymize_due_at,
            "link": settings.PORTAL_BASE_URL + reverse("retention:restore", args=[token]),
        },
    )
    activity.record(
        event="account.restore_link.sent",
        company=user.company_id,
        target=user,
        data={"closure": closure.pk},
    )


def _closure_for_restore(*, user_ref: int, now: datetime) -> AccountClosure:
    closure = (
        AccountClosure.objects.select_for_update()
        .filter(user_ref=user_ref, stage__in=OPEN_STAGES)
        .first()
    )
    if closure is None:
        raise ApplicationError(_("This account is not closed."), code="not_closed")
    if closure.stage != Stage.CLOSED or now >= closure.anonymize_due_at:
        raise ApplicationError(
            _(
                "This account can no longer be restored: it was closed more "
                "than thirty days ago and has been (or is being) anonymized."
            ),
            code="too_late",
        )
    return closure


def _restore(*, closure: AccountClosure, actor, now: datetime, via: str) -> AccountClosure:
    user = User.objects.select_for_update().get(pk=closure.user_ref)
    closure.stage = Stage.RESTORED
    closure.restored_at = now
    closure.save(update_fields=["stage", "restored_at"])
    RestoreToken.objects.filter(closure=closure, used_at__isnull=True).update(used_at=now)
    user.is_active = True
    user.save(update_fields=["is_active"])
    activity.record(
        event="account.restored",
        actor=actor,
        company=user.company_id,
        target=user,
        data={"closure": closure.pk, "via": via},
    )
    return closure


@transaction.atomic
def account_restore(*, user: User, actor, now: datetime | None = None) -> AccountClosure:
    """An admin restores a closed account before T+30 (SPEC §8.2). Licenses freed at T0 are
    not given back (seats may have been reassigned); the admin assigns them again."""
    user = User.objects.select_related("company").get(pk=user.pk)
    kind = policies.require_can_restore(actor=actor, user=user)
    now = now or timezone.now()
    closure = _closure_for_restore(user_ref=user.pk, now=now)
    return _restore(closure=closure, actor=actor, now=now, via=kind)


def account_restore_by_token(*, token: str, now: datetime | None = None) -> AccountClosure:
    """A standalone user follows the emailed link: single use, expires at T+30. A refused
    link is recorded (outside the rolled-back transaction) and answered with one message."""
    now = now or timezone.now()
    closure, refusal = _restore_by_token(token=token, now=now)
    if refusal:
        activity.record(event="account.restore_link.refused", data={"reason": refusal})
        raise ApplicationError(
            _(
                "This restore link is not valid: it was already used, it has "
                "expired, or it is incomplete. After thirty days a closed "
                "account can no longer be restored."
            ),
            code=f"link_{refusal}",
        )
    return closure


@transaction.atomic
def _restore_by_token(*, token: str, now: datetime) -> tuple[AccountClosure | None, str]:
    entry = (
        RestoreToken.objects.select_for_update()
        .select_related("closure")
        .filter(token_hash=token_hash(token or ""))
        .first()
    )
    if entry is None:
        return None, "unknown"
    if entry.used_at is not None:
        return None, "used"
    if now >= entry.expires_at:
        return None, "expired"
    try:
        closure = _closure_for_restore(user_ref=entry.closure.user_ref, now=now)
    except ApplicationError:
        return None, "too_late"
    entry.used_at = now
    entry.save(update_fields=["used_at"])
    user = User.objects.get(pk=closure.user_ref)
    return _restore(closure=closure, actor=user, now=now, via="link"), ""
