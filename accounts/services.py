from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

import activity
from accounts.security.password_policy import password_check
from rainbow_portal.emails import validate_email_address
from rainbow_portal.exceptions import ApplicationError

from .models import PROFILE_FIELDS, User, normalize_email
from .policies import account_admin_refusal, is_platform_actor
from .security.selectors import profile_locked_fields
from .security.services import sessions_end
from .security.services.tokens import tokens_revoke_for_user


@transaction.atomic
def user_profile_update(*, user: User, actor, **changes) -> User:
    """Change name and title. A locked profile (SPEC §7.7) refuses the user's own changes;
    a company admin may still correct it."""
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ApplicationError(
            _("These fields cannot be changed here: %(join)s.")
            % {"join": ", ".join(sorted(unknown))}
        )
    changed = {k: v for k, v in changes.items() if getattr(user, k) != v}
    if not changed:
        return user
    if actor is not None and actor.pk == user.pk:
        locked = sorted(set(changed) & profile_locked_fields(user=user))
        if locked:
            raise ApplicationError(
                _(
                    "Your company has locked your name and title: ask a company "
                    "admin to change them (%(join)s)."
                )
                % {"join": ", ".join(locked)},
                code="profile_locked",
                fields={key: ["Locked by your company."] for key in locked},
            )
    for key, value in changed.items():
        setattr(user, key, value)
    user.full_clean(exclude=["password"])
    user.save(update_fields=list(changed))
    activity.record(
        event="user.profile.updated", actor=actor, target=user, data={"fields": sorted(changed)}
    )
    return user


ADMIN_FIELDS = (
    "email",
    "first_name",
    "last_name",
    "title",
    "is_active",
    "is_staff",
    "is_superuser",
    "groups",
    "user_permissions",
)
# SPEC §3.2: nobody changes their own login email or their own roles; platform status,
# groups and permissions are the admin's roles (D3.14).
SELF_LOCKED_FIELDS = {
    "email",
    "is_superuser",
    "is_staff",
    "is_active",
    "groups",
    "user_permissions",
}
# SPEC §3.2: a role is granted only by someone who holds it; a superadmin grants anything.
SUPERADMIN_ONLY_FIELDS = {"is_superuser", "is_staff", "groups", "user_permissions"}
M2M_FIELDS = ("groups", "user_permissions")

# Whether an account is closed (SPEC §8) is retention's knowledge; accounts sits below it, so
# retention sets this in RetentionConfig.ready(): `closure_stage_check(user)` answers the
# stage of the account's open closure ("closed", "anonymized", "deleted") or None.
closure_stage_check: Callable[[User], str | None] | None = None
CLOSED = "closed"
ANONYMIZED_STAGES = {"anonymized", "deleted"}


def _closure_stage(user: User) -> str | None:
    if closure_stage_check is None:
        # Refusing to guess: without it the admin could reopen a closed account.
        raise ImproperlyConfigured("retention did not register its closure check.")
    return closure_stage_check(user)


def _anonymized_refusal() -> ApplicationError:
    message = _(
        "This account was anonymized after its closure: it can never be reactivated "
        "and no password can be set on it."
    )
    return ApplicationError(message, code="anonymized", fields={"is_active": [message]})


def _require_may_activate(user: User) -> None:
    """Ticking "active" must not bypass the restore rules (SPEC §8.2): a closed account is
    restored through retention's restore (before T+30, licenses and link handled there), an
    anonymized one never comes back. An account deactivated without a closure may be."""
    stage = _closure_stage(user)
    if stage == CLOSED:
        message = _(
            "This account is closed: reopen it with “Restore” on its closure page (at "
            "/retention/accounts/%(id)s/restore/, within thirty days of the closure), "
            "not with the active box."
        ) % {"id": user.pk}
        raise ApplicationError(message, code="closed", fields={"is_active": [message]})
    if stage in ANONYMIZED_STAGES:
        raise _anonymized_refusal()


@transaction.atomic
def user_admin_update(*, user: User, actor, **changes) -> User:
    """A superadmin's edit of a user in the Django admin: one activity record naming the
    changed fields (never their values). The company is not changed here: moves go through
    `user_move_to_company`'s flows (join, invitation), which keep roles in step."""
    unknown = set(changes) - set(ADMIN_FIELDS)
    if unknown:
        raise ApplicationError(
            _(
                "These fields cannot be changed here: %(join)s. A company "
                "move goes through an invitation or a join request."
            )
            % {"join": ", ".join(sorted(unknown))}
        )
    if "email" in changes:
        changes["email"] = normalize_email(changes["email"])
    # Only a new address is checked: the admin form sends every field, and an anonymized
    # stub's own `closed-<id>@anonymized.invalid` must not stop an edit of its other fields.
    if "email" in changes and changes["email"] != user.email:
        try:
            validate_email_address(changes["email"])
        except ValidationError as exc:
            raise ApplicationError(exc.messages[0], fields={"email": exc.messages}) from None
    changed = {}
    for key, value in changes.items():
        if key in M2M_FIELDS:
            if {o.pk for o in value} != set(getattr(user, key).values_list("pk", flat=True)):
                changed[key] = list(value)
        elif getattr(user, key) != value:
            changed[key] = value
    if not changed:
        return user
    if actor is not None and actor.pk == user.pk:
        locked = sorted(set(changed) & SELF_LOCKED_FIELDS)
        if locked:
            raise ApplicationError(
                _(
                    "Nobody changes their own login email, platform status, "
                    "groups or permissions: %(join)s."
                )
                % {"join": ", ".join(locked)}  # SPEC §3.2
            )
    if not is_platform_actor(actor):
        reserved = sorted(set(changed) & SUPERADMIN_ONLY_FIELDS)
        if reserved:
            raise ApplicationError(
                _("Only a superadmin changes these: %(join)s.")
                % {"join": ", ".join(reserved)}  # SPEC §3.2
            )
    refusal = account_admin_refusal(actor=actor, user=user, fields=changed)
    if refusal:
        raise ApplicationError(refusal, code="permission_denied")
    if changed.get("is_active") is True:
        _require_may_activate(user)
    if "email" in changed and (
        User.objects.filter(email__iexact=changed["email"]).exclude(pk=user.pk).exists()
    ):
        raise ApplicationError(
            _("An account with this email already exists."), fields={"email": ["Taken."]}
        )
    plain = {k: v for k, v in changed.items() if k not in M2M_FIELDS}
    for key, value in plain.items():
        setattr(user, key, value)
    if plain:
        user.full_clean(exclude=["password"])
        user.save(update_fields=list(plain))
    for key in M2M_FIELDS:
        if key in changed:
            getattr(user, key).set(changed[key])
    activity.record(
        event="user.admin.updated",
        actor=actor,
        company=user.company_id,
        target=user,
        data={"fields": sorted(changed)},
    )
    return user


@transaction.atomic
def user_admin_password_set(*, user: User, actor, password: str | None) -> User:
    """A superadmin sets (or, with None, disables) another user's password in the Django
    admin. Like a reset, it ends every session of the user (SPEC §7.2). One's own password is
    changed on the portal's own page, which keeps the current session (D3.14)."""
    if actor is not None and actor.pk == user.pk:
        raise ApplicationError(
            _("Change your own password on your profile's password page, not in the admin.")
        )
    refusal = account_admin_refusal(actor=actor, user=user, fields={"password"})
    if refusal:
        raise ApplicationError(refusal, code="permission_denied")
    if _closure_stage(user) in ANONYMIZED_STAGES:
        raise _anonymized_refusal()
    if password is None:
        user.set_unusable_password()
    else:
        password_check(password, user, field="password1")
        user.set_password(password)
    user.save(update_fields=["password"])
    activity.record(
        event="user.password.set_by_admin",
        actor=actor,
        company=user.company_id,
        target=user,
        data={"usable": password is not None},
    )
    sessions_end(user=user, actor=actor)
    tokens_revoke_for_user(user=user, actor=actor, reason="password_set_by_admin")
    return user


def user_language_set(*, user: User, language: str, actor) -> User:
    """Store the language `user` reads the portal and their emails in (issue 14)."""
    if language not in dict(settings.LANGUAGES):
        raise ApplicationError(_("This language is not offered."), code="invalid")
    if user.language == language:
        return user
    with transaction.atomic():
        user.language = language
        user.save(update_fields=["language"])
        activity.record(
            event="user.language.changed", actor=actor, target=user, data={"language": language}
        )
    return user
