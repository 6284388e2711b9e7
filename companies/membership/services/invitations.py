"""Company invitations: create, resend, cancel, accept, claim (SPEC §2.5, §2.6)."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

import activity
from accounts.models import User, normalize_email
from accounts.security.ratelimit import email_action_limit
from core.services import email_send
from rainbow_portal.emails import validate_email_address
from rainbow_portal.exceptions import ApplicationError

from ...models import (
    Company,
    CompanyInvitation,
    Role,
)
from ...policies import crosses_china_boundary, require_actor_right, role_fits_company
from ...rights import MANAGE_COMPANY
from ...services import role_grant, user_create, user_move_to_company
from ..policies import invitation_refusal, is_standalone
from ..selectors import invitation_for_token, token_hash

INVITATION_VALID_DAYS = 7


MAX_INVITATIONS_AT_ONCE = 100


def invitation_link(token: str) -> str:
    return settings.PORTAL_BASE_URL + reverse("companies:invitation", args=[token])


def _refusal_for_address(*, company: Company, email: str) -> str | None:
    """Why this address cannot be invited into the company, or None (SPEC §2.6).

    SPEC §4.4: an email invitation never reveals whether the address has an account, nor
    where. An address in another company or across the China boundary is invited like any
    other and refused at acceptance (D3.10); only the company's own members are named,
    since its admin sees them on the members page anyway."""
    if User.objects.filter(email__iexact=email, company=company).exists():
        return f"{email} is already a member of {company.name}."
    if CompanyInvitation.objects.filter(
        company=company, email__iexact=email, status=CompanyInvitation.Status.PENDING
    ).exists():
        return f"{email} already has a pending invitation: resend or cancel it."
    return None


def _send_invitation(invitation: CompanyInvitation, *, actor) -> None:
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation.token_hash = token_hash(token)
    invitation.sent_at = now
    invitation.expires_at = now + timedelta(days=INVITATION_VALID_DAYS)
    email_send(
        to=invitation.email,
        template="company_invitation",
        context={
            "company": invitation.company.name,
            "inviter": actor.get_full_name() if actor else "",
            "role": Role(invitation.role).label if invitation.role else "",
            "link": invitation_link(token),
            "days": INVITATION_VALID_DAYS,
        },
        actor=actor,
    )


@transaction.atomic
def invitations_create(
    *, company: Company, emails: list[str], actor, role: str = ""
) -> list[CompanyInvitation]:
    """Invite one or many addresses. All or nothing: any refused address refuses the batch,
    with every reason listed, so the admin fixes the list and sends it again."""
    require_actor_right(actor=actor, company=company, action=MANAGE_COMPANY)  # SPEC §3.3
    if company.is_default:
        raise ApplicationError("Nobody is invited into the default company.")
    if role and not role_fits_company(role=role, company=company):
        raise ApplicationError(f"The role {role} does not exist in this company.")
    cleaned: list[str] = []
    for raw in emails:
        email = normalize_email(raw)
        if email and email not in cleaned:
            cleaned.append(email)
    if not cleaned:
        raise ApplicationError("Give at least one email address.", fields={"emails": ["Required."]})
    if len(cleaned) > MAX_INVITATIONS_AT_ONCE:
        raise ApplicationError(f"At most {MAX_INVITATIONS_AT_ONCE} addresses at once.")
    problems = []
    for email in cleaned:
        try:
            validate_email_address(email)
        except ValidationError as exc:
            if exc.code == "invalid":
                problems.append(f"“{email[:80]}” is not an email address.")
            else:
                problems.append(f"“{email[:80]}”: {exc.messages[0]}")
            continue
        reason = _refusal_for_address(company=company, email=email)
        if reason:
            problems.append(reason)
    if problems:
        raise ApplicationError(
            " ".join(problems), code="invitation_refused", fields={"emails": problems}
        )
    # SPEC §7.9: the whole batch counts against the inviter, the company and each address.
    email_action_limit(action="company_invitation", user=actor, company=company, addresses=cleaned)
    invitations = []
    for email in cleaned:
        invitation = CompanyInvitation(
            company=company, email=email, role=role, invited_by=actor if actor else None
        )
        _send_invitation(invitation, actor=actor)
        invitation.save()
        activity.record(
            event="invitation.created",
            actor=actor,
            company=company,
            target=invitation,
            data={"role": role},
        )
        invitations.append(invitation)
    return invitations


@transaction.atomic
def company_invitation_resend(*, invitation: CompanyInvitation, actor) -> CompanyInvitation:
    require_actor_right(actor=actor, company=invitation.company, action=MANAGE_COMPANY)  # SPEC §3.3
    """Send a fresh link (the old one stops working) and restart the expiry."""
    invitation = CompanyInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != CompanyInvitation.Status.PENDING:
        raise ApplicationError(
            _("This invitation is %(status)s.")
            % {"status": invitation.get_status_display().lower()}
        )
    email_action_limit(
        action="company_invitation",
        user=actor,
        company=invitation.company_id,
        address=invitation.email,
    )
    _send_invitation(invitation, actor=actor)
    invitation.send_count += 1
    invitation.save(update_fields=["token_hash", "sent_at", "expires_at", "send_count"])
    activity.record(
        event="invitation.resent", actor=actor, company=invitation.company_id, target=invitation
    )
    return invitation


@transaction.atomic
def company_invitation_cancel(*, invitation: CompanyInvitation, actor) -> CompanyInvitation:
    require_actor_right(actor=actor, company=invitation.company, action=MANAGE_COMPANY)  # SPEC §3.3
    invitation = CompanyInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != CompanyInvitation.Status.PENDING:
        raise ApplicationError(
            _("This invitation is %(status)s.")
            % {"status": invitation.get_status_display().lower()}
        )
    invitation.status = CompanyInvitation.Status.CANCELED
    invitation.decided_at = timezone.now()
    invitation.save(update_fields=["status", "decided_at"])
    activity.record(
        event="invitation.canceled", actor=actor, company=invitation.company_id, target=invitation
    )
    return invitation


def _open_invitation(token: str) -> CompanyInvitation:
    """The invitation of `token`, locked, if it can be accepted (policies.invitation_refusal)."""
    found = invitation_for_token(token=token)
    invitation = CompanyInvitation.objects.select_for_update().get(pk=found.pk) if found else None
    refusal = invitation_refusal(invitation)
    if refusal:
        raise ApplicationError(refusal.message, code=refusal.code)
    return invitation


def _mark_accepted(invitation: CompanyInvitation, *, user) -> None:
    invitation.status = CompanyInvitation.Status.ACCEPTED
    invitation.accepted_by = user
    invitation.decided_at = timezone.now()
    invitation.save(update_fields=["status", "accepted_by", "decided_at"])
    activity.record(
        event="invitation.accepted", actor=user, company=invitation.company_id, target=invitation
    )
    if invitation.role:
        # The role was chosen by whoever could invite with it (a partner creating the
        # customer); the acceptance only carries it out.
        role_grant(user=user, role=invitation.role, actor=invitation.invited_by)


@transaction.atomic
def invitation_accept_signup(
    *, token: str, password: str, first_name: str = "", last_name: str = ""
) -> User:
    """A new person follows the emailed link and creates their account (SPEC §2.5 step 1:
    the followed invitation wins over a domain match). Following the link proves they own
    the address, so the account is usable at once."""
    invitation = _open_invitation(token)
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise ApplicationError(
            "An account already exists for this address: sign in to accept the invitation.",
            code="account_exists",
        )
    user = user_create(
        email=invitation.email,
        company=invitation.company,
        actor=None,
        password=password,
        first_name=first_name,
        last_name=last_name,
    )
    _mark_accepted(invitation, user=user)
    return user


@transaction.atomic
def invitation_accept_existing(*, token: str, user) -> User:
    """A signed-in standalone user accepts an invitation addressed to them."""
    invitation = _open_invitation(token)
    if normalize_email(user.email) != normalize_email(invitation.email):
        raise ApplicationError(
            "This invitation was sent to another address: sign in with that address.",
            code="wrong_account",
        )
    if user.company_id == invitation.company_id:
        raise ApplicationError(f"You are already a member of {invitation.company.name}.")
    if not is_standalone(user):
        raise ApplicationError(
            "You already belong to a company: only standalone users can accept an invitation."
        )
    if crosses_china_boundary(user.company, invitation.company):
        raise ApplicationError(
            _(
                "%(company)s cannot be joined from your region: companies in China and "
                "elsewhere never link."
            )
            % {"company": invitation.company.name}  # SPEC §2.3
        )
    user_move_to_company(user=user, company=invitation.company, actor=user)
    _mark_accepted(invitation, user=user)
    return user


@transaction.atomic
def invitation_claim_pending(*, user) -> CompanyInvitation | None:
    """After a self-registration placed `user` by a pending invitation (SPEC §2.5 step 3),
    mark that invitation accepted so that it cannot be used twice."""
    invitation = (
        CompanyInvitation.objects.select_for_update()
        .filter(
            company_id=user.company_id,
            email__iexact=user.email,
            status=CompanyInvitation.Status.PENDING,
            expires_at__gt=timezone.now(),
        )
        .order_by("created_at")
        .first()
    )
    if invitation is not None:
        _mark_accepted(invitation, user=user)
    return invitation
