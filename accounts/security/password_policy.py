"""The password policy of SPEC §7.1: 8 to 64 characters, lower, upper, digit and special.

The messages say exactly what is missing, all at once, so a person fixes it in one go.
"""

import string

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from rainbow_portal.exceptions import ApplicationError

from .selectors import password_min_length

MIN_LENGTH = 8
MAX_LENGTH = 64
SPECIALS = set(string.punctuation) | {" "}


def company_min_length(user) -> int:
    """The company may raise the minimum (SPEC §7.1); its policy lives in
    accounts.models.CompanySecurityPolicy."""
    company = getattr(user, "company", None) if user is not None and user.company_id else None
    return max(MIN_LENGTH, password_min_length(company=company)) if company else MIN_LENGTH


class SpecPasswordValidator:
    def validate(self, password, user=None):
        minimum = company_min_length(user)
        problems = []
        if len(password) < minimum:
            problems.append(f"at least {minimum} characters (it has {len(password)})")
        if len(password) > MAX_LENGTH:
            problems.append(f"at most {MAX_LENGTH} characters (it has {len(password)})")
        if not any(c.islower() for c in password):
            problems.append("a lower-case letter")
        if not any(c.isupper() for c in password):
            problems.append("an upper-case letter")
        if not any(c.isdigit() for c in password):
            problems.append("a digit")
        if not any(c in SPECIALS or not c.isalnum() for c in password):
            problems.append("a special character such as ! ? # or %")
        if problems:
            raise ValidationError(
                "The password needs " + ", ".join(problems) + ".", code="password_policy"
            )

    def get_help_text(self):
        return (
            f"{MIN_LENGTH} to {MAX_LENGTH} characters, with a lower-case letter, an upper-case "
            "letter, a digit and a special character."
        )


def password_check(password: str, user, *, field: str = "password") -> None:
    """Run every password validator; a refusal is an ApplicationError whose messages attach to
    `field`, the name of the form field the person typed the password into."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ApplicationError(" ".join(exc.messages), fields={field: exc.messages}) from None
