"""Writes about visibility (SPEC §4.1, §4.6): member overrides, grants, mutual requests."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

import activity
from accounts.models import Contact, User
from accounts.security.ratelimit import email_action_limit
from rainbow_portal.exceptions import ApplicationError

from ..models import Company, Region, VisibilityGrant, VisibilityRequest
from ..policies import (
    crosses_china_boundary,
    is_platform_actor,
    require_actor_right,
    require_can_manage_security,
)
from ..rights import MANAGE_COMPANY
from . import rules
from .inputs import ALLOWED_OVERRIDES, effective_mode

# SPEC §4.6: a hidden company answers exactly like a missing one.
NO_SUCH_COMPANY = "No company has this exact name."


@transaction.atomic
def user_visibility_override_set(*, user, override: str, actor):
    """Set (or clear with "") a member's own mode, within SPEC §4.1's table: an admin of the
    member's company does (SPEC §4.1). Keeps the user's effective-mode copy in step."""
    require_actor_right(actor=actor, company=user.company, action=MANAGE_COMPANY)
    return _override_write(user=user, override=override, actor=actor)


def _override_write(*, user, override: str, actor):
    user = User.objects.select_for_update().select_related("company").get(pk=user.pk)
    company_mode = user.company.visibility
    if user.visibility_override == override:
        # A kept override equal to the company's mode is allowed to stay (SPEC §4.1).
        return user
    if override and override not in ALLOWED_OVERRIDES[company_mode]:
        allowed = ", ".join(sorted(ALLOWED_OVERRIDES[company_mode])) or "none"
        raise ApplicationError(
            f"A member of a {company_mode} company may be set to: {allowed}.",
            fields={"visibility_override": [f"Not allowed in a {company_mode} company."]},
        )
    previous = user.visibility_override
    user.visibility_override = override
    user.visibility_mode = effective_mode(company_mode=company_mode, override=override)
    user.save(update_fields=["visibility_override", "visibility_mode"])
    activity.record(
        event="member.visibility.changed",
        actor=actor,
        company=user.company,
        target=user,
        data={"from": previous or "company", "to": override or "company"},
    )
    return user


STANDALONE_MODES = ("public", "private")


@transaction.atomic
def standalone_visibility_set(*, user, visibility: str, actor):
    """SPEC §2.2: a standalone user chooses `public` (the default) or `private` for
    themselves; nobody else does, and a company's members are set by their admins."""
    if actor is not None and actor.pk != user.pk:
        raise ApplicationError(
            "Only the user chooses their own visibility.", code="permission_denied"
        )
    if not user.company.is_default:
        raise ApplicationError(
            "Your company's admins set your visibility.", code="permission_denied"
        )
    if visibility not in STANDALONE_MODES:
        raise ApplicationError(
            "Choose public or private.", fields={"visibility": ["Choose public or private."]}
        )
    # The default company is public: `public` is "same as company", `private` the override.
    override = "" if visibility == "public" else "private"
    return _override_write(user=user, override=override, actor=actor)


def _check_regions(company: Company, other: Company) -> None:
    if crosses_china_boundary(company, other):
        raise ApplicationError("China companies are never visible to or from another region.")


def visibility_grant_validate(*, company: Company, visible_by: Company) -> None:
    """The rules a grant must meet, for forms to show before anything is written."""
    if company.pk == visible_by.pk:
        raise ApplicationError("A company always sees itself.")
    _check_regions(company, visible_by)


@transaction.atomic
def visibility_grant_create(*, company: Company, visible_by: Company, actor) -> VisibilityGrant:
    """SPEC §4.6: members of `visible_by` find members of `company`. Superadmin only."""
    if not is_platform_actor(actor):
        raise ApplicationError("Only a platform superadmin grants visibility.")
    visibility_grant_validate(company=company, visible_by=visible_by)
    grant = VisibilityGrant.objects.filter(company=company, visible_by=visible_by).first()
    if grant:
        return grant
    grant = VisibilityGrant.objects.create(company=company, visible_by=visible_by, created_by=actor)
    activity.record(
        event="visibility.grant.created",
        actor=actor,
        company=company,
        target=grant,
        data={"company": company.pk, "visible_by": visible_by.pk},
    )
    return grant


@transaction.atomic
def visibility_grant_revoke(*, grant: VisibilityGrant, actor) -> None:
    if not is_platform_actor(actor):
        raise ApplicationError("Only a platform superadmin revokes visibility.")
    data = {"company": grant.company_id, "visible_by": grant.visible_by_id}
    activity.record(
        event="visibility.grant.revoked",
        actor=actor,
        company=grant.company_id,
        target=grant,
        data=data,
    )
    grant.delete()


@transaction.atomic
def visibility_request_create(*, from_company: Company, to_company: Company, actor):
    """A company admin asks another company for mutual visibility (SPEC §4.6)."""
    require_can_manage_security(actor=actor, company=from_company)  # SPEC §3.3
    if from_company.pk == to_company.pk:
        raise ApplicationError("Choose another company.")
    # SPEC §4.6, §2.3: only a company the requester's company finds; anything else reads
    # as unknown, whoever calls.
    if not rules.can_find_company(rules.company_viewer(from_company), to_company, rules.DbWorld()):
        raise ApplicationError(NO_SUCH_COMPANY, code="not_found")
    pending = VisibilityRequest.objects.filter(
        status=VisibilityRequest.Status.PENDING,
        from_company__in=[from_company, to_company],
        to_company__in=[from_company, to_company],
    ).first()
    if pending:
        return pending
    # SPEC §7.9: a request notifies the other company's admins.
    email_action_limit(action="visibility_request", user=actor, company=from_company)
    try:
        with transaction.atomic():
            request = VisibilityRequest.objects.create(
                from_company=from_company, to_company=to_company, requested_by=actor
            )
    except IntegrityError:
        raise ApplicationError("A request between these companies is already pending.") from None
    activity.record(
        event="visibility.request.created",
        actor=actor,
        company=from_company,
        target=request,
        data={"to_company": to_company.pk},
    )
    return request


def _decide(request: VisibilityRequest, *, actor, status: str) -> VisibilityRequest:
    request = (
        VisibilityRequest.objects.select_for_update(of=("self",))
        .select_related("to_company")
        .get(pk=request.pk)
    )
    require_can_manage_security(actor=actor, company=request.to_company)  # SPEC §3.3
    if request.status != VisibilityRequest.Status.PENDING:
        raise ApplicationError("This request was already answered.")
    request.status = status
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.save(update_fields=["status", "decided_by", "decided_at"])
    return request


@transaction.atomic
def visibility_request_accept(*, request: VisibilityRequest, actor) -> VisibilityRequest:
    """Acceptance creates both grants (SPEC §4.6)."""
    request = _decide(request, actor=actor, status=VisibilityRequest.Status.ACCEPTED)
    a, b = request.from_company, request.to_company
    for company, visible_by in ((a, b), (b, a)):
        VisibilityGrant.objects.get_or_create(
            company=company, visible_by=visible_by, defaults={"created_by": actor}
        )
    activity.record(
        event="visibility.request.accepted",
        actor=actor,
        company=request.to_company,
        target=request,
        data={"from_company": a.pk, "to_company": b.pk},
    )
    return request


@transaction.atomic
def visibility_request_decline(*, request: VisibilityRequest, actor) -> VisibilityRequest:
    request = _decide(request, actor=actor, status=VisibilityRequest.Status.DECLINED)
    activity.record(
        event="visibility.request.declined",
        actor=actor,
        company=request.to_company,
        target=request,
        data={"from_company": request.from_company_id},
    )
    return request


def sync_company_members(company) -> None:
    """After a company's mode or organization changed: one UPDATE per rule, whatever the size.

    Overrides are never touched (SPEC §4.1): an override is an explicit choice that survives
    every change of the company's mode; while it equals the new mode it has no effect, and it
    applies again when the mode changes once more."""
    members = User.objects.filter(company=company)
    members.filter(visibility_override="").update(visibility_mode=company.visibility)
    members.exclude(visibility_override="").update(visibility_mode=F("visibility_override"))
    members.update(
        visibility_org_id=company.organization_id,
        visibility_china=company.region == Region.CHINA,
    )


@transaction.atomic
def matrix_world_links_write(*, grants, contacts, actor) -> None:
    """Grants and contacts of a what-if world (`manage.py visibility_matrix`), written as
    stored, even across the China border, so that the verdicts show SPEC §2.3 winning.
    Only for a world the caller rolls back: no rule is checked and no activity is recorded,
    since nothing of it outlives the transaction."""
    if not is_platform_actor(actor):
        raise ApplicationError("Only the system builds a matrix world.")
    for company, visible_by in grants:
        VisibilityGrant.objects.get_or_create(company=company, visible_by=visible_by)
    for a, b in contacts:
        Contact.objects.get_or_create(owner=a, contact=b)
        Contact.objects.get_or_create(owner=b, contact=a)
