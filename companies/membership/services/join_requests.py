"""Join requests, and a standalone user creating a company (SPEC §2.6, §2.7)."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import activity
from accounts.models import User
from rainbow_portal.exceptions import ApplicationError

from ...models import (
    Company,
    JoinRequest,
    Role,
)
from ...policies import require_actor_right
from ...rights import MANAGE_COMPANY
from ...services import company_create, role_grant, user_move_to_company
from ..policies import can_create_company, join_refusal


@transaction.atomic
def join_request_create(*, user, company: Company) -> JoinRequest:
    reason = join_refusal(user=user, company=company)
    if reason:
        raise ApplicationError(reason)
    if JoinRequest.objects.filter(
        company=company, user=user, status=JoinRequest.Status.PENDING
    ).exists():
        raise ApplicationError(f"You already asked to join {company.name}: wait for its admins.")
    join_request = JoinRequest.objects.create(company=company, user=user)
    activity.record(event="join_request.created", actor=user, company=company, target=join_request)
    return join_request


@transaction.atomic
def join_request_decide(*, join_request: JoinRequest, accept: bool, actor) -> JoinRequest:
    join_request = (
        JoinRequest.objects.select_for_update(of=("self",))
        .select_related("company")
        .get(pk=join_request.pk)
    )
    require_actor_right(
        actor=actor, company=join_request.company, action=MANAGE_COMPANY
    )  # SPEC §3.3
    if join_request.status != JoinRequest.Status.PENDING:
        raise ApplicationError(
            _("This request is already %(status)s.")
            % {"status": join_request.get_status_display().lower()}
        )
    if accept:
        user = User.objects.select_related("company").get(pk=join_request.user_id)
        reason = join_refusal(user=user, company=join_request.company)
        if reason:
            raise ApplicationError(f"This request can no longer be accepted: {reason}")
        user_move_to_company(user=user, company=join_request.company, actor=actor)
    join_request.status = JoinRequest.Status.ACCEPTED if accept else JoinRequest.Status.DECLINED
    join_request.decided_by = actor
    join_request.decided_at = timezone.now()
    join_request.save(update_fields=["status", "decided_by", "decided_at"])
    activity.record(
        event="join_request.accepted" if accept else "join_request.declined",
        actor=actor,
        company=join_request.company_id,
        target=join_request,
    )
    return join_request


@transaction.atomic
def join_requests_cancel_for_user(*, user, actor, reason: str) -> int:
    """End the user's pending requests (account closure, SPEC §8.2): a closed standalone
    account must not become a member afterwards. One record per request; returns how many.
    A restore does not revive them: the user asks again."""
    pending = list(
        JoinRequest.objects.select_for_update()
        .filter(user=user, status=JoinRequest.Status.PENDING)
        .order_by("pk")
    )
    now = timezone.now()
    for join_request in pending:
        join_request.status = JoinRequest.Status.CANCELED
        join_request.decided_at = now
        join_request.save(update_fields=["status", "decided_at"])
        activity.record(
            event="join_request.canceled",
            actor=actor,
            company=join_request.company_id,
            target=join_request,
            data={"reason": reason},
        )
    return len(pending)


@transaction.atomic
def company_create_by_user(*, user, name: str) -> Company:
    """A standalone user creates a company and becomes its admin (SPEC §2.6). Region is the
    portal's own and HDS is off: both are a superadmin's choice (SPEC §2.3, D3.3)."""
    if not can_create_company(actor=user):
        raise ApplicationError("Only standalone users can create a company.")
    company = company_create(name=name, region=settings.PORTAL_REGION, actor=user)
    user_move_to_company(user=user, company=company, actor=user)
    role_grant(user=user, role=Role.COMPANY_ADMIN, actor=user)
    return company
