"""Join links: create, regenerate, enable, use (SPEC §2.6)."""

import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

import activity
from rainbow_portal.exceptions import ApplicationError

from ...models import (
    Company,
    JoinLink,
)
from ...services import user_move_to_company
from ..policies import join_link_refusal, join_refusal
from ..selectors import token_hash


@transaction.atomic
def join_link_create(*, company: Company, max_uses: int, valid_days: int, actor) -> JoinLink:
    if company.is_default:
        raise ApplicationError("The default company has no join link.")
    if not 1 <= max_uses <= 100_000:
        raise ApplicationError(
            "The maximum number of users is between 1 and 100000.",
            fields={"max_uses": ["Between 1 and 100000."]},
        )
    if not 1 <= valid_days <= 365:
        raise ApplicationError(
            "A join link is valid for 1 to 365 days.", fields={"valid_days": ["1 to 365."]}
        )
    token = secrets.token_urlsafe(24)
    link = JoinLink.objects.create(
        company=company,
        token_hash=token_hash(token),
        max_uses=max_uses,
        expires_at=timezone.now() + timedelta(days=valid_days),
        created_by=actor,
    )
    # Only the hash is stored; the clear token travels back once, on this object (D3.12).
    link.token = token
    activity.record(
        event="join_link.created",
        actor=actor,
        company=company,
        target=link,
        data={"max_uses": max_uses, "valid_days": valid_days},
    )
    return link


@transaction.atomic
def join_link_regenerate(*, link: JoinLink, actor) -> JoinLink:
    """A new token for the same link (the old URL stops working): the way to see a usable
    link again, since the stored hash cannot be turned back into one."""
    link = JoinLink.objects.select_for_update().get(pk=link.pk)
    token = secrets.token_urlsafe(24)
    link.token_hash = token_hash(token)
    link.save(update_fields=["token_hash"])
    link.token = token
    activity.record(
        event="join_link.regenerated", actor=actor, company=link.company_id, target=link
    )
    return link


@transaction.atomic
def join_link_set_enabled(*, link: JoinLink, enabled: bool, actor) -> JoinLink:
    if link.is_enabled == enabled:
        return link
    link.is_enabled = enabled
    link.save(update_fields=["is_enabled"])
    activity.record(
        event="join_link.enabled" if enabled else "join_link.disabled",
        actor=actor,
        company=link.company_id,
        target=link,
    )
    return link


@transaction.atomic
def join_link_use(*, token: str, user) -> JoinLink:
    """A signed-in standalone user joins through a link. The row lock keeps two users from
    taking the last place at once."""
    link = (
        JoinLink.objects.select_for_update()
        .select_related("company")
        .filter(token_hash=token_hash(token or ""))
        .first()
    )
    refusal = join_link_refusal(link)
    if refusal:
        raise ApplicationError(refusal.message, code=refusal.code)
    reason = join_refusal(user=user, company=link.company)
    if reason:
        raise ApplicationError(reason)
    user_move_to_company(user=user, company=link.company, actor=user)
    link.use_count += 1
    link.save(update_fields=["use_count"])
    activity.record(event="join_link.used", actor=user, company=link.company_id, target=link)
    return link
