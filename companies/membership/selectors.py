"""Reads for the company and partner pages. Every list is scoped by a company and keeps a
constant number of queries however many rows there are."""

import hashlib

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from rainbow_portal.replicas import replica_read

from ..models import (
    Company,
    CompanyFileSharing,
    CompanyInvitation,
    FileSharingMode,
    JoinLink,
    JoinRequest,
    MemberFileSharing,
    PartnerInvitation,
    Region,
    Role,
    RoleAssignment,
    VisibilityMode,
)
from ..rights import rights_in_words
from ..selectors import user_roles

MEMBER_STATUSES = {"active": True, "inactive": False}


@replica_read
def member_list(*, company: Company, search: str = "", role: str = "", status: str = ""):
    """Members of one company, filtered. Roles come with one prefetch query, so a page costs
    the same number of queries for 10 or 50,000 members."""
    qs = User.objects.filter(company=company)
    search = (search or "").strip()
    if search:
        qs = qs.filter(
            Q(email__icontains=search)
            | Q(first_name__icontains=search)
            | Q(last_name__icontains=search)
        )
    if role == "user":
        qs = qs.exclude(Exists(RoleAssignment.objects.filter(user=OuterRef("pk"))))
    elif role:
        qs = qs.filter(Exists(RoleAssignment.objects.filter(user=OuterRef("pk"), role=role)))
    if status in MEMBER_STATUSES:
        qs = qs.filter(is_active=MEMBER_STATUSES[status])
    return (
        qs.order_by("email")
        .only("id", "email", "first_name", "last_name", "title", "is_active", "company_id")
        .prefetch_related(
            Prefetch("roles", queryset=RoleAssignment.objects.only("id", "user_id", "role"))
        )
    )


def member_get(*, company: Company, member_id) -> User:
    """A member of this company; anything else is the same 404."""
    user = (
        User.objects.select_related("company")
        .filter(company=company, pk=member_id if str(member_id).isdigit() else None)
        .first()
    )
    if user is None:
        raise Http404("No such member.")
    return user


@replica_read
def invitation_list(*, company: Company):
    return CompanyInvitation.objects.filter(
        company=company, status=CompanyInvitation.Status.PENDING
    ).select_related("invited_by")


def invitation_get(*, company: Company, invitation_id) -> CompanyInvitation:
    found = CompanyInvitation.objects.filter(
        company=company, pk=invitation_id if str(invitation_id).isdigit() else None
    ).first()
    if found is None:
        raise Http404("No such invitation.")
    return found


@replica_read
def join_request_list(*, company: Company):
    return JoinRequest.objects.filter(
        company=company, status=JoinRequest.Status.PENDING
    ).select_related("user")


def join_request_get(*, company: Company, request_id) -> JoinRequest:
    found = (
        JoinRequest.objects.select_related("company")
        .filter(company=company, pk=request_id if str(request_id).isdigit() else None)
        .first()
    )
    if found is None:
        raise Http404("No such request.")
    return found


@replica_read
def join_link_list(*, company: Company):
    return JoinLink.objects.filter(company=company)


def join_link_get(*, company: Company, link_id) -> JoinLink:
    found = JoinLink.objects.filter(
        company=company, pk=link_id if str(link_id).isdigit() else None
    ).first()
    if found is None:
        raise Http404("No such join link.")
    return found


@replica_read
def partner_invitation_list(*, customer: Company):
    return PartnerInvitation.objects.filter(
        customer=customer, status=PartnerInvitation.Status.PENDING
    ).select_related("partner")


def partner_invitation_get(*, company: Company, invitation_id) -> PartnerInvitation:
    found = PartnerInvitation.objects.filter(
        customer=company, pk=invitation_id if str(invitation_id).isdigit() else None
    ).first()
    if found is None:
        raise Http404("No such offer.")
    return found


def partner_offers_sent(*, partner: Company):
    return PartnerInvitation.objects.filter(
        partner=partner, status=PartnerInvitation.Status.PENDING
    ).select_related("customer")


@replica_read
def customer_list(*, partner: Company):
    return (
        Company.objects.filter(business_partner=partner)
        .annotate(member_count=Count("members"))
        .order_by("name")
    )


@replica_read
def joinable_company_list(*, user, search: str = ""):
    """Companies a standalone user may ask to join: those that they can find. Until the
    visibility module answers "can find" (SPEC §4.3), that is public companies on the same
    side of the China boundary (SPEC §2.3), never the default company (D3.4)."""
    qs = Company.objects.filter(
        is_default=False, status=Company.Status.ACTIVE, visibility=VisibilityMode.PUBLIC
    )
    if user.company.region == Region.CHINA:
        qs = qs.filter(region=Region.CHINA)
    else:
        qs = qs.exclude(region=Region.CHINA)
    if search.strip():
        qs = qs.filter(name__icontains=search.strip())
    return qs.order_by("name")


def joinable_company_get(*, user, slug) -> Company:
    """One company the user may ask to join (as `joinable_company_list`), else 404."""
    slug = str(slug)
    # A slug longer than the column (80) names no company: refused before any query.
    company = (
        joinable_company_list(user=user).filter(slug=slug).first() if len(slug) <= 80 else None
    )
    if company is None:
        raise Http404("No such company.")
    return company


def company_file_sharing_enabled(*, company: Company) -> bool:
    setting = CompanyFileSharing.objects.filter(company=company).first()
    return True if setting is None else setting.enabled


def member_file_sharing_mode(*, user) -> str:
    setting = MemberFileSharing.objects.filter(user=user).first()
    return FileSharingMode.SAME_AS_COMPANY if setting is None else setting.mode


def member_file_sharing_overrides(*, company: Company, limit: int = 200):
    """Members of `company` whose file-sharing setting differs from "same as company"."""
    return (
        MemberFileSharing.objects.filter(user__company=company)
        .exclude(mode=FileSharingMode.SAME_AS_COMPANY)
        .select_related("user")
        .order_by("user__email")[:limit]
    )


def file_sharing_allowed(*, user) -> bool:
    """SPEC §9.4: the user's setting overrides the company's unless it is "same as company"."""
    mode = member_file_sharing_mode(user=user)
    if mode == FileSharingMode.SAME_AS_COMPANY:
        return company_file_sharing_enabled(company=user.company)
    return file_sharing_from(mode=mode, company_enabled=None)


def file_sharing_from(*, mode: str | None, company_enabled: bool | None) -> bool:
    """SPEC §9.4's rule on settings a caller already read in its own query (None: no row,
    the default): the user's mode overrides the company's switch unless "same as company"."""
    if mode == FileSharingMode.ENABLED:
        return True
    if mode == FileSharingMode.DISABLED:
        return False
    return True if company_enabled is None else company_enabled


def open_invitation_count(*, company: Company) -> int:
    return invitation_list(company=company).filter(expires_at__gt=timezone.now()).count()


def token_hash(token: str) -> str:
    """What is stored of an emailed or shared token (invitations, join links)."""
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_for_token(*, token: str) -> CompanyInvitation | None:
    return (
        CompanyInvitation.objects.select_related("company")
        .filter(token_hash=token_hash(token or ""))
        .first()
    )


def join_link_for_token(*, token: str) -> JoinLink | None:
    return (
        JoinLink.objects.select_related("company")
        .filter(token_hash=token_hash(token or ""))
        .first()
    )


def account_exists(*, email: str) -> bool:
    return User.objects.filter(email__iexact=(email or "").strip()).exists()


def partner_roles_explained(*, user) -> list[dict]:
    """The three partner roles (SPEC §3.3–3.5), each with what it lets its holder do, in
    plain words read from the rights table, and whether `user` holds it (issue 14)."""
    held = user_roles(user=user)
    return [
        {"role": role, "label": Role(role).label, "held": role in held, **rights_in_words(role)}
        for role in (Role.BP_ADMIN, Role.BP_FINANCE, Role.BP_OPERATION)
    ]
