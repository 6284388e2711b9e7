"""Creating a user into a company and moving one between companies: the services that keep
the visibility copies on the user row (decision D4.1) in step with the company, so that
`User.save()` derives nothing (issue 9)."""

from django.core.exceptions import ValidationError
from django.db import transaction

import activity
from accounts.models import User, normalize_email
from accounts.security.password_policy import password_check
from rainbow_portal.emails import validate_email_address
from rainbow_portal.exceptions import ApplicationError

from ..models import FileSharingMode, MemberFileSharing
from ..visibility.inputs import INPUT_FIELDS, derive_inputs


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
    try:
        validate_email_address(email)
    except ValidationError as exc:
        raise ApplicationError(exc.messages[0], fields={"email": exc.messages}) from None
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
        password_check(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    derive_inputs(user)
    user.full_clean(exclude=["password"])
    user.save()
    activity.record(event="user.created", actor=actor, company=company, target=user)
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
    # So was a file-sharing setting of the user's own (SPEC §9.4): the new company's applies.
    data = {"from_company": previous, "to_company": company.pk}
    sharing = MemberFileSharing.objects.filter(user=user).first()
    if sharing is not None:
        sharing.delete()
        if sharing.mode != FileSharingMode.SAME_AS_COMPANY:
            data["file_sharing_from"] = sharing.mode
    activity.record(
        event="user.company.changed", actor=actor, company=company, target=user, data=data
    )
    return user
