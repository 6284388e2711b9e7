"""Company roles: granting and removing them (SPEC §3.1, §3.2)."""

import json

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import gettext as _

import activity
from rainbow_portal.exceptions import ApplicationError

from ..models import Role, RoleAssignment
from ..policies import role_change_refusal


@transaction.atomic
def role_grant(*, user, role: str, actor) -> RoleAssignment:
    if role not in Role.values:
        raise ApplicationError(f"“{role}” is not a company role.")
    assignment, created = RoleAssignment.objects.get_or_create(user=user, role=role)
    if created:
        activity.record(
            event="role.granted",
            actor=actor,
            company=user.company_id,
            target=user,
            data={"role": role},
        )
    return assignment


def _check_role_change(*, member, role: str, actor) -> None:
    reason = role_change_refusal(actor=actor, member=member, role=role)
    if reason:
        raise ApplicationError(reason, code="permission_denied", fields={"role": [reason]})


@transaction.atomic
def member_role_grant(*, member, role: str, actor) -> RoleAssignment:
    """A person grants a role to a member, under SPEC §3.2 (holder only, never oneself)."""
    _check_role_change(member=member, role=role, actor=actor)
    if RoleAssignment.objects.filter(user=member, role=role).exists():
        raise ApplicationError(
            _("%(member)s already holds the role %(role)s.")
            % {"member": member, "role": Role(role).label}
        )
    return role_grant(user=member, role=role, actor=actor)


@transaction.atomic
def member_role_remove(*, member, role: str, actor) -> None:
    _check_role_change(member=member, role=role, actor=actor)
    deleted, _rows = RoleAssignment.objects.filter(user=member, role=role).delete()
    if not deleted:
        raise ApplicationError(
            _("%(member)s does not hold the role %(role)s.")
            % {"member": member, "role": Role(role).label}
        )
    activity.record(
        event="role.revoked",
        actor=actor,
        company=member.company_id,
        target=member,
        data={"role": role},
    )


def role_assignment_admin_log(
    *, assignment: RoleAssignment, actor, flag: int, message=""
) -> LogEntry:
    """The Django admin's log entry for a role assignment. The admin would copy `str()`
    ("{user} · {role}") into a label kept for years with no key to the user, so an entry
    about a role removed long ago would name the person after their anonymization
    (SPEC §8.3, D12.5): this one names the user by id."""
    return LogEntry.objects.create(
        user_id=actor.pk,
        content_type=ContentType.objects.get_for_model(assignment, for_concrete_model=False),
        object_id=str(assignment.pk),
        object_repr=f"user {assignment.user_id} · {assignment.get_role_display()}"[:200],
        action_flag=flag,
        change_message=json.dumps(message) if isinstance(message, list) else message,
    )
