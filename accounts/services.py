from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

import activity
from companies.visibility.inputs import INPUT_FIELDS, derive_inputs
from rainbow_portal.exceptions import ApplicationError

from .models import User, normalize_email


@transaction.atomic
def user_create(
    *,
    email: str,
    company,
    actor,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    title: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    email = normalize_email(email)
    if User.objects.filter(email__iexact=email).exists():
        raise ApplicationError(
            "An account with this email already exists.", fields={"email": ["Taken."]}
        )
    user = User(
        email=email,
        company=company,
        first_name=first_name,
        last_name=last_name,
        title=title,
        is_staff=is_staff,
        is_superuser=is_superuser,
    )
    if password is not None:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ApplicationError(
                " ".join(exc.messages), fields={"password": exc.messages}
            ) from None
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    activity.record(event="user.created", actor=actor, company=company, target=user)
    return user


PROFILE_FIELDS = ("first_name", "last_name", "title")


@transaction.atomic
def user_profile_update(*, user: User, actor, **changes) -> User:
    """Change name and title. A locked profile (SPEC §7.7) refuses the user's own changes;
    a company admin may still correct it."""
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ApplicationError(
            f"These fields cannot be changed here: {', '.join(sorted(unknown))}."
        )
    changed = {k: v for k, v in changes.items() if getattr(user, k) != v}
    if not changed:
        return user
    if actor is not None and actor.pk == user.pk:
        from .security.selectors import profile_locked_fields

        locked = sorted(set(changed) & profile_locked_fields(user=user))
        if locked:
            raise ApplicationError(
                "Your company has locked your name and title: ask a company admin to change "
                f"them ({', '.join(locked)}).",
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


@transaction.atomic
def user_move_to_company(*, user: User, company, actor) -> User:
    """Move a user into another company (joining from standalone, SPEC §2.6). The one place
    that changes `User.company`, so everything derived from it is kept in step here.
    Company roles do not travel: they belonged to the old company."""
    if user.company_id == company.pk:
        return user
    previous = user.company_id
    user.roles.all().delete()
    user.company = company
    # The override was an admin's choice for the old company (SPEC §4.1): it does not travel.
    user.visibility_override = ""
    derive_inputs(user)
    user.save(update_fields=["company", "visibility_override", *INPUT_FIELDS])
    activity.record(
        event="user.company.changed",
        actor=actor,
        company=company,
        target=user,
        data={"from_company": previous, "to_company": company.pk},
    )
    return user
