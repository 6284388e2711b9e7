"""Who may join a company, and when a join link or a company invitation can be used (SPEC
§2.5–2.7). Each refusal is stated here once; the pages show it before asking, the services
raise it inside their transaction."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from ..models import Company, CompanyInvitation, JoinLink
from ..policies import crosses_china_boundary


@dataclass(frozen=True)
class Refusal:
    message: str
    code: str = "invalid"


def is_standalone(user) -> bool:
    """A user of the default company "Rainbow" (SPEC §2.2): the only ones who join or create
    a company themselves (SPEC §2.6)."""
    return user.company.is_default


def can_create_company(*, actor) -> bool:
    return is_standalone(actor)


def require_can_create_company(*, actor) -> None:
    if not can_create_company(actor=actor):
        raise PermissionDenied("Only standalone users create a company.")


def join_refusal(*, user, company: Company) -> str | None:
    """Why `user` may not join `company` (by request or link), or None (SPEC §2.6, §2.3)."""
    if not user.is_active:
        # A closed account (SPEC §8.2) keeps its standalone snapshot: joining now would have
        # its data deleted at T+60 as a standalone user's while it is a member's.
        return _("The account is closed: it cannot join a company.")
    if company.is_default:
        return "Everyone standalone is already in the default company."
    if user.company_id == company.pk:
        return f"You are already a member of {company.name}."
    if not is_standalone(user):
        return "You already belong to a company: only standalone users can join one."
    if company.status != Company.Status.ACTIVE:
        return f"{company.name} is not taking new members."
    if crosses_china_boundary(user.company, company):
        return _(  # SPEC §2.3
            "This company cannot be joined from your region: companies in China and elsewhere "
            "never link."
        )
    return None


def join_link_refusal(link: JoinLink | None) -> Refusal | None:
    """Why a join link cannot be used now (SPEC §2.6), or None."""
    if link is None:
        return Refusal("This join link is not valid.", "invalid_link")
    if not link.is_enabled:
        return Refusal("This join link was switched off by the company.", "disabled")
    if link.is_expired:
        return Refusal("This join link has expired.", "expired")
    if link.is_exhausted:
        return Refusal("This join link has reached its maximum number of users.", "exhausted")
    return None


def invitation_refusal(invitation: CompanyInvitation | None) -> Refusal | None:
    """Why a company invitation cannot be accepted now (SPEC §2.5), or None."""
    if invitation is None:
        return Refusal("This invitation link is not valid.", "invalid_link")
    if invitation.status == CompanyInvitation.Status.ACCEPTED:
        return Refusal("This invitation was already used.", "invalid_link")
    if invitation.status == CompanyInvitation.Status.CANCELED:
        return Refusal("This invitation was canceled.", "invalid_link")
    if invitation.is_expired:
        return Refusal(
            "This invitation has expired: ask the company's admin to send it again.", "expired"
        )
    return None
