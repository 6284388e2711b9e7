"""Legal holds: an operator stops the pipeline for an account or a company, with a reason."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import activity
from rainbow_portal.exceptions import ApplicationError

from .. import policies
from ..models import LegalHold


@transaction.atomic
def legal_hold_place(*, actor, reason: str, user=None, company=None) -> LegalHold:
    if not policies.can_run_retention(actor):
        raise PermissionDenied("Only operators place legal holds.")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Give the reason for the hold."), fields={"reason": ["Required."]})
    if (user is None) == (company is None):
        raise ApplicationError(_("A hold names one account or one company."))
    existing = LegalHold.objects.filter(released_at__isnull=True, user=user, company=company)
    if existing.exists():
        raise ApplicationError(_("This account or company is already under hold."), code="held")
    hold = LegalHold.objects.create(
        user=user, company=company, reason=reason[:500], placed_at=timezone.now()
    )
    activity.record(
        event="account.hold.placed",
        actor=actor,
        company=company.pk if company else user.company_id,
        target=user or company,
        data={"hold": hold.pk, "scope": "account" if user else "company"},
    )
    return hold


@transaction.atomic
def legal_hold_release(*, hold: LegalHold, actor) -> LegalHold:
    if not policies.can_run_retention(actor):
        raise PermissionDenied("Only operators release legal holds.")
    hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if hold.released_at is not None:
        raise ApplicationError(_("This hold was already released."), code="released")
    hold.released_at = timezone.now()
    hold.save(update_fields=["released_at"])
    activity.record(
        event="account.hold.released",
        actor=actor,
        company=hold.company_id or (hold.user.company_id if hold.user_id else None),
        target=hold.user or hold.company,
        data={"hold": hold.pk},
    )
    return hold
