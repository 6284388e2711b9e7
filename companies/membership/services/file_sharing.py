"""File-sharing settings of a company and its members (SPEC §9.4)."""

from django.db import transaction

import activity
from rainbow_portal.exceptions import ApplicationError

from ...models import (
    Company,
    CompanyFileSharing,
    FileSharingMode,
    MemberFileSharing,
)


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
