"""Who may do what in a bubble (SPEC §6). Plain functions reading `rights.TABLE`.

The subject of every right is the actor's *membership* of the bubble (None when they have
none): roles live on the membership, not on the account. `can_*` answers; `require_*` raises
PermissionDenied (403). A bubble that is not active refuses every change (SPEC §6.4), which
the services report as a business-rule error with its own message.
"""

from django.core.exceptions import PermissionDenied

from companies.membership.selectors import (
    company_file_sharing_enabled,
    file_sharing_allowed,
    file_sharing_from,
)
from companies.models import Role
from companies.policies import crosses_china_boundary
from companies.selectors import user_roles
from companies.visibility import rules as visibility

from . import rights
from .models import BubbleStatus, MemberRole, MemberStatus

MESSAGES = {
    rights.DELETE_BUBBLE: "Only the bubble's organizer can delete it.",
    rights.ARCHIVE_BUBBLE: "Only the bubble's organizer can archive it.",
    rights.TRANSFER_OWNERSHIP: "Only the bubble's organizer can transfer its ownership.",
    rights.GET_CONFERENCE_LINK: "Only the bubble's organizer can get the conference link.",
    rights.PROMOTE_CO_ORGANIZER: "Only an organizer or co-organizer can promote a member.",
    rights.ADD_REMOVE_PARTICIPANT: "Only an organizer or co-organizer can add or remove people.",
    rights.START_CONFERENCE: "Only an organizer or co-organizer can start the conference.",
}


def has_right(*, member, action: str) -> bool:
    """SPEC §6.1 for this membership. Only an accepted participant holds a role's rights."""
    if action not in rights.TABLE:
        raise ValueError(f"Unknown bubble action {action!r}.")
    if member is None or member.status != MemberStatus.ACCEPTED:
        return False
    if member.user_id is not None and not member.user.is_active:
        return False
    return rights.cell(member.role, action)


def require_right(*, member, action: str) -> None:
    if not has_right(member=member, action=action):
        raise PermissionDenied(MESSAGES[action])


def can_delete_bubble(*, member) -> bool:
    return has_right(member=member, action=rights.DELETE_BUBBLE)


def can_archive_bubble(*, member) -> bool:
    return has_right(member=member, action=rights.ARCHIVE_BUBBLE)


def can_transfer_ownership(*, member) -> bool:
    return has_right(member=member, action=rights.TRANSFER_OWNERSHIP)


def can_get_conference_link(*, member) -> bool:
    return has_right(member=member, action=rights.GET_CONFERENCE_LINK)


def can_promote_co_organizer(*, member) -> bool:
    return has_right(member=member, action=rights.PROMOTE_CO_ORGANIZER)


def can_add_remove_participant(*, member) -> bool:
    return has_right(member=member, action=rights.ADD_REMOVE_PARTICIPANT)


def can_start_conference(*, member) -> bool:
    return has_right(member=member, action=rights.START_CONFERENCE)


# The functions the `bubble_rights` command and the tests ask, one per action of the table.
POLICIES = {
    rights.DELETE_BUBBLE: can_delete_bubble,
    rights.ARCHIVE_BUBBLE: can_archive_bubble,
    rights.TRANSFER_OWNERSHIP: can_transfer_ownership,
    rights.GET_CONFERENCE_LINK: can_get_conference_link,
    rights.PROMOTE_CO_ORGANIZER: can_promote_co_organizer,
    rights.ADD_REMOVE_PARTICIPANT: can_add_remove_participant,
    rights.START_CONFERENCE: can_start_conference,
}


def is_writable(bubble) -> bool:
    """SPEC §6.4: an archived bubble is read-only forever; a deleted one has no access."""
    return bubble.status == BubbleStatus.ACTIVE


def is_organizing(member) -> bool:
    return (
        member is not None
        and member.status == MemberStatus.ACCEPTED
        and member.role in (MemberRole.ORGANIZER, MemberRole.CO_ORGANIZER)
    )


def can_view(*, member) -> bool:
    """A current participant sees a bubble that is not deleted (SPEC §6.4)."""
    return (
        member is not None
        and member.is_current
        and member.bubble.status != BubbleStatus.DELETED
        and (member.user_id is None or member.user.is_active)
    )


def can_post(*, member, conference=None, entry=None) -> bool:
    """An accepted participant posts in an active bubble. A guest only while the conference
    runs and after admission (SPEC §6.2): `conference` and `entry` are theirs."""
    if not can_view(member=member) or member.status != MemberStatus.ACCEPTED:
        return False
    if not is_writable(member.bubble):
        return False
    if member.is_guest:
        return guest_may_act(conference=conference, entry=entry)
    return True


def guest_may_act(*, conference, entry) -> bool:
    return (
        conference is not None
        and conference.is_running
        and entry is not None
        and entry.conference_id == conference.pk
        and entry.state == "admitted"
    )


def file_sharing_on_for(*, member) -> bool:
    """SPEC §9.4: the user's setting overrides the company's. A guest has no company: the
    bubble's company setting applies to them."""
    if hasattr(member, "sharing_user_mode"):  # read with the membership: no query
        if member.user_id is None:
            return file_sharing_from(mode=None, company_enabled=member.sharing_bubble_company)
        return file_sharing_from(
            mode=member.sharing_user_mode, company_enabled=member.sharing_user_company
        )
    if member.user_id is None:
        return company_file_sharing_enabled(company=member.bubble.company)
    return file_sharing_allowed(user=member.user)


NOT_ADDABLE = "This person cannot be added to this bubble."


def add_refusal(*, actor, target, bubble) -> str | None:
    """Why `actor` may not add `target` to `bubble` (None: they may). Adding someone is an
    in-app invitation (SPEC §4.4): it needs the actor to find and invite the target, which
    keeps isolated companies closed and the China boundary shut (SPEC §2.3). The role the
    actor needs for adding at all is `ADD_REMOVE_PARTICIPANT` (`require_right`)."""
    if not target.is_active:
        return "This person cannot be added."
    if crosses_china_boundary(bubble.company, target.company) or crosses_china_boundary(
        actor.company, target.company
    ):
        return NOT_ADDABLE
    if not visibility.can_invite_in_app(
        visibility.person(actor), visibility.person(target), visibility.DbWorld()
    ):
        return NOT_ADDABLE
    return None


def can_manage_company_bubbles(*, actor, company) -> bool:
    """A company's own admins (and superadmins) see its bubbles' metadata (never content) and
    hand an orphaned one to a member. Partner roles do not: a bubble is not company
    management of SPEC §3.3."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if actor.is_superuser:
        return True
    if actor.company_id != company.pk or company.is_default:
        return False
    return bool(user_roles(user=actor) & {Role.COMPANY_ADMIN, Role.BP_ADMIN})


def require_can_manage_company_bubbles(*, actor, company) -> None:
    if not can_manage_company_bubbles(actor=actor, company=company):
        raise PermissionDenied("Only the company's admins see its bubbles.")
