"""Organizations: create, rename (SPEC §2.7)."""

from django.db import transaction

import activity
from core.validation import name_refusal
from rainbow_portal.exceptions import ApplicationError

from ..models import Organization
from ..policies import is_platform_actor, require_platform_actor


def _check_name(name: str) -> None:
    reason = name_refusal(name)
    if reason:
        raise ApplicationError(reason, fields={"name": [reason]})


@transaction.atomic
def organization_create(*, name: str, actor):
    """SPEC §2.7: only a superadmin creates an organization (`actor=None`: the system)."""
    if not is_platform_actor(actor):
        raise ApplicationError("Only a platform superadmin creates organizations.")
    name = " ".join((name or "").split())
    if not name:
        raise ApplicationError("An organization needs a name.", fields={"name": ["Required."]})
    _check_name(name)
    if Organization.objects.filter(name__iexact=name).exists():
        raise ApplicationError(
            f"An organization named “{name}” already exists.", fields={"name": ["Taken."]}
        )
    organization = Organization.objects.create(name=name)
    activity.record(
        event="organization.created", actor=actor, target=organization, data={"name": name}
    )
    return organization


@transaction.atomic
def organization_rename(*, organization, name: str, actor):
    require_platform_actor(actor=actor, what="renames organizations")  # SPEC §2.7
    name = " ".join((name or "").split())
    if name == organization.name:
        return organization
    _check_name(name)
    if Organization.objects.filter(name__iexact=name).exclude(pk=organization.pk).exists():
        raise ApplicationError(
            f"An organization named “{name}” already exists.", fields={"name": ["Taken."]}
        )
    organization.name = name
    organization.save(update_fields=["name"])
    activity.record(event="organization.renamed", actor=actor, target=organization)
    return organization
