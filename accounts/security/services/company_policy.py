"""A company's security policy and its members' profile locks (SPEC §7.1, §7.5, §7.7)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

import activity
from rainbow_portal.exceptions import ApplicationError

from ...models import (
    CompanySecurityPolicy,
    TwoFactorPolicy,
    User,
    UserSecurity,
)
from .common import (
    _security_for_update,
)

# --- Company policy and profile locks (SPEC §7.1, §7.5, §7.7) --------------------------------

# SPEC §3.3: who holds a company's security settings is the companies layer's knowledge
# (roles, partners); accounts sits below it, so companies sets this in
# CompaniesConfig.ready() (policies.can_manage_security). Unset, only the system passes.
security_rights_check = None


def _require_security_rights(*, actor, company) -> None:
    if actor is None:
        return  # the system (demo data, scheduled jobs)
    check = security_rights_check
    if check is None or not check(actor=actor, company=company):
        raise PermissionDenied("Only the company's own admins change its security settings.")


@transaction.atomic
def company_security_policy_set(
    *, company, actor, password_min_length: int, two_factor: str, lock_profiles: bool
) -> CompanySecurityPolicy:
    _require_security_rights(actor=actor, company=company)  # SPEC §3.3
    if two_factor not in TwoFactorPolicy.values:
        raise ApplicationError(
            _("“%(two_factor)s” is not a two-factor policy.") % {"two_factor": two_factor}
        )
    policy, _created = CompanySecurityPolicy.objects.select_for_update().get_or_create(
        company=company
    )
    before = {
        "password_min_length": policy.password_min_length,
        "two_factor": policy.two_factor,
        "lock_profiles": policy.lock_profiles,
    }
    after = {
        "password_min_length": password_min_length,
        "two_factor": two_factor,
        "lock_profiles": lock_profiles,
    }
    changed = sorted(k for k in after if before[k] != after[k])
    if not changed:
        return policy
    for key, value in after.items():
        setattr(policy, key, value)
    try:
        policy.full_clean()
    except ValidationError as exc:
        raise ApplicationError(
            " ".join(exc.messages), fields=getattr(exc, "message_dict", {})
        ) from None
    policy.save()
    company.__dict__.pop("_security_policy_cache", None)
    activity.record(
        event="company.security_policy.changed",
        actor=actor,
        company=company,
        target=company,
        # "min_length", not the field name: keys that look like passwords are scrubbed.
        data={
            "fields": changed,
            **{("min_length" if k == "password_min_length" else k): after[k] for k in changed},
        },
    )
    return policy


@transaction.atomic
def user_profile_lock_set(*, user: User, locked: bool, actor) -> UserSecurity:
    if actor is not None and actor.pk == user.pk:
        raise ApplicationError(_("Nobody locks or unlocks their own profile."))
    _require_security_rights(actor=actor, company=user.company)  # SPEC §3.3, §7.7
    security = _security_for_update(user)
    if security.profile_locked == locked:
        return security
    security.profile_locked = locked
    security.save(update_fields=["profile_locked"])
    activity.record(
        event="user.profile_lock.changed",
        actor=actor,
        company=user.company_id,
        target=user,
        data={"locked": locked},
    )
    return security
