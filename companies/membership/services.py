"""Joining a company (SPEC §2.5, §2.6) and a partner's link to a customer (SPEC §2.8).

Every function here writes, in one transaction, with one activity record per state change.
Moving a person between companies always goes through `accounts.services.user_move_to_company`.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

import activity
from accounts.models import User, normalize_email
from accounts.security.ratelimit import email_action_limit
from accounts.services import user_create, user_move_to_company
from core.services import email_send
from rainbow_portal.exceptions import ApplicationError

from ..models import (
    Company,
    CompanyFileSharing,
    CompanyInvitation,
    FileSharingMode,
    JoinLink,
    JoinRequest,
    MemberFileSharing,
    PartnerInvitation,
    Role,
)
from ..policies import crosses_china_boundary, role_fits_company
from ..services import company_create, company_partner_set, role_grant
from .selectors import token_hash

INVITATION_VALID_DAYS = 7
MAX_INVITATIONS_AT_ONCE = 100


def invitation_link(token: str) -> str:
    return settings.PORTAL_BASE_URL + reverse("companies:invitation", args=[token])


def _is_standalone(user) -> bool:
    return user.company.is_default


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
    from django.core.validators import validate_email

    problems = []
    for email in cleaned:
        try:
            validate_email(email)
        except Exception:
            problems.append(f"“{email}” is not an email address.")
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
def invitation_resend(*, invitation: CompanyInvitation, actor) -> CompanyInvitation:
    """Send a fresh link (the old one stops working) and restart the expiry."""
    invitation = CompanyInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != CompanyInvitation.Status.PENDING:
        raise ApplicationError(f"This invitation is {invitation.get_status_display().lower()}.")
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
def invitation_cancel(*, invitation: CompanyInvitation, actor) -> CompanyInvitation:
    invitation = CompanyInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != CompanyInvitation.Status.PENDING:
        raise ApplicationError(f"This invitation is {invitation.get_status_display().lower()}.")
    invitation.status = CompanyInvitation.Status.CANCELED
    invitation.decided_at = timezone.now()
    invitation.save(update_fields=["status", "decided_at"])
    activity.record(
        event="invitation.canceled", actor=actor, company=invitation.company_id, target=invitation
    )
    return invitation


def invitation_for_token(token: str) -> CompanyInvitation | None:
    return (
        CompanyInvitation.objects.select_related("company")
        .filter(token_hash=token_hash(token or ""))
        .first()
    )


def _open_invitation(token: str) -> CompanyInvitation:
    found = invitation_for_token(token)
    if found is None:
        raise ApplicationError("This invitation link is not valid.", code="invalid_link")
    invitation = CompanyInvitation.objects.select_for_update().get(pk=found.pk)
    if invitation.status == CompanyInvitation.Status.ACCEPTED:
        raise ApplicationError("This invitation was already used.", code="invalid_link")
    if invitation.status == CompanyInvitation.Status.CANCELED:
        raise ApplicationError("This invitation was canceled.", code="invalid_link")
    if invitation.is_expired:
        raise ApplicationError(
            "This invitation has expired: ask the company's admin to send it again.",
            code="expired",
        )
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
    if not _is_standalone(user):
        raise ApplicationError(
            "You already belong to a company: only standalone users can accept an invitation."
        )
    if crosses_china_boundary(user.company, invitation.company):
        raise ApplicationError(
            f"{invitation.company.name} cannot be joined from your region (SPEC §2.3)."
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


# --- Join requests ----------------------------------------------------------------------


def join_refusal(*, user, company: Company) -> str | None:
    if company.is_default:
        return "Everyone standalone is already in the default company."
    if user.company_id == company.pk:
        return f"You are already a member of {company.name}."
    if not _is_standalone(user):
        return "You already belong to a company: only standalone users can join one."
    if company.status != Company.Status.ACTIVE:
        return f"{company.name} is not taking new members."
    if crosses_china_boundary(user.company, company):
        return "This company cannot be joined from your region (SPEC §2.3)."
    return None


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
    join_request = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
    if join_request.status != JoinRequest.Status.PENDING:
        raise ApplicationError(
            f"This request is already {join_request.get_status_display().lower()}."
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


# --- Join links -------------------------------------------------------------------------


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
    if link is None:
        raise ApplicationError("This join link is not valid.", code="invalid_link")
    if not link.is_enabled:
        raise ApplicationError("This join link was switched off by the company.", code="disabled")
    if link.is_expired:
        raise ApplicationError("This join link has expired.", code="expired")
    if link.is_exhausted:
        raise ApplicationError(
            "This join link has reached its maximum number of users.", code="exhausted"
        )
    reason = join_refusal(user=user, company=link.company)
    if reason:
        raise ApplicationError(reason)
    user_move_to_company(user=user, company=link.company, actor=user)
    link.use_count += 1
    link.save(update_fields=["use_count"])
    activity.record(event="join_link.used", actor=user, company=link.company_id, target=link)
    return link


# --- A standalone user creates a company ------------------------------------------------


@transaction.atomic
def company_create_by_user(*, user, name: str) -> Company:
    """A standalone user creates a company and becomes its admin (SPEC §2.6). Region is the
    portal's own and HDS is off: both are a superadmin's choice (SPEC §2.3, D3.3)."""
    if not _is_standalone(user):
        raise ApplicationError("Only standalone users can create a company.")
    company = company_create(name=name, region=settings.PORTAL_REGION, actor=user)
    user_move_to_company(user=user, company=company, actor=user)
    role_grant(user=user, role=Role.COMPANY_ADMIN, actor=user)
    return company


# --- Business partners (SPEC §2.8) ------------------------------------------------------


@transaction.atomic
def customer_create(*, partner: Company, name: str, admin_email: str, actor) -> Company:
    """A partner creates an end customer in its own region and invites its first admin."""
    if not partner.is_business_partner:
        raise ApplicationError("Only a business partner creates customers.")
    customer = company_create(
        name=name, region=partner.region, business_partner=partner, actor=actor
    )
    invitations_create(company=customer, emails=[admin_email], role=Role.COMPANY_ADMIN, actor=actor)
    return customer


NO_SUCH_CUSTOMER = "No end-customer company by that name can receive a partner offer."


def _partner_invitation_refusal(*, partner: Company, customer: Company | None) -> str | None:
    # Unknown, partnered, partner, default and across-the-China-boundary companies all get
    # the same answer, so the form reveals neither existence nor region (SPEC §2.3, D3.11).
    if (
        customer is None
        or customer.is_default
        or customer.is_business_partner
        or crosses_china_boundary(partner, customer)
    ):
        return NO_SUCH_CUSTOMER
    if customer.business_partner_id == partner.pk:
        return f"{customer.name} is already your customer."
    if customer.business_partner_id is not None:
        return NO_SUCH_CUSTOMER
    return None


@transaction.atomic
def partner_invitation_create(*, partner: Company, customer_name: str, actor):
    """Offer to become an existing end customer's partner. Unknown, partnered and partner
    companies get the same answer, so the form does not list who has a partner."""
    customer = Company.objects.filter(name__iexact=" ".join(customer_name.split())).first()
    reason = _partner_invitation_refusal(partner=partner, customer=customer)
    if reason:
        raise ApplicationError(reason, fields={"customer_name": [reason]})
    if PartnerInvitation.objects.filter(
        partner=partner, customer=customer, status=PartnerInvitation.Status.PENDING
    ).exists():
        raise ApplicationError(f"An offer to {customer.name} is already pending.")
    invitation = PartnerInvitation.objects.create(
        partner=partner, customer=customer, invited_by=actor
    )
    activity.record(
        event="partner_invitation.created", actor=actor, company=customer, target=invitation
    )
    return invitation


@transaction.atomic
def partner_invitation_decide(*, invitation: PartnerInvitation, accept: bool, actor):
    invitation = (
        PartnerInvitation.objects.select_for_update()
        .select_related("partner", "customer")
        .get(pk=invitation.pk)
    )
    if invitation.status != PartnerInvitation.Status.PENDING:
        raise ApplicationError(f"This offer is {invitation.get_status_display().lower()}.")
    if accept:
        reason = _partner_invitation_refusal(
            partner=invitation.partner, customer=invitation.customer
        )
        if reason:
            raise ApplicationError(reason)
        company_partner_set(company=invitation.customer, partner=invitation.partner, actor=actor)
    invitation.status = (
        PartnerInvitation.Status.ACCEPTED if accept else PartnerInvitation.Status.DECLINED
    )
    invitation.decided_by = actor
    invitation.decided_at = timezone.now()
    invitation.save(update_fields=["status", "decided_by", "decided_at"])
    activity.record(
        event="partner_invitation.accepted" if accept else "partner_invitation.declined",
        actor=actor,
        company=invitation.customer_id,
        target=invitation,
    )
    return invitation


# --- File sharing (SPEC §9.4) -----------------------------------------------------------


@transaction.atomic
def company_file_sharing_set(*, company: Company, enabled: bool, actor) -> CompanyFileSharing:
    setting, _ = CompanyFileSharing.objects.select_for_update().get_or_create(company=company)
    if setting.enabled == enabled:
        return setting
    setting.enabled = enabled
    setting.save(update_fields=["enabled"])
    activity.record(
        event="company.file_sharing.changed",
        actor=actor,
        company=company,
        target=company,
        data={"enabled": enabled},
    )
    return setting


@transaction.atomic
def member_file_sharing_set(*, member, mode: str, actor) -> MemberFileSharing:
    if mode not in FileSharingMode.values:
        raise ApplicationError(
            f"“{mode}” is not a file-sharing setting.", fields={"mode": ["Unknown setting."]}
        )
    setting, _ = MemberFileSharing.objects.select_for_update().get_or_create(user=member)
    if setting.mode == mode:
        return setting
    previous = setting.mode
    setting.mode = mode
    setting.save(update_fields=["mode"])
    activity.record(
        event="member.file_sharing.changed",
        actor=actor,
        company=member.company_id,
        target=member,
        data={"from": previous, "to": mode},
    )
    return setting
