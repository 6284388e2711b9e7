"""Email addresses within the limits the database and mail servers keep (issue 14): at most
254 characters in all and 64 before the "@" (RFC 5321 §4.5.3.1), checked the same way by
forms, the API's strict fields and the services. A library module: it imports no app."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

MAX_EMAIL_LENGTH = 254
MAX_LOCAL_PART = 64
# RFC 2606 §2: no address under ".invalid" can receive mail. The portal writes its anonymized
# stubs there (`closed-<id>@anonymized.invalid`), so nobody may hold one by signing up.
RESERVED_TOP_LEVEL_DOMAINS = frozenset({"invalid"})


def validate_email_address(value: str) -> None:
    """Django's syntax check, plus the length limits of the local part and the whole."""
    value = value or ""
    if len(value) > MAX_EMAIL_LENGTH:
        raise ValidationError(
            _("An email address has at most %(max)d characters.") % {"max": MAX_EMAIL_LENGTH},
            code="max_length",
        )
    validate_email(value)
    local = value.rsplit("@", 1)[0]
    if len(local) > MAX_LOCAL_PART:
        raise ValidationError(
            _("The part before the @ has at most %(max)d characters (this one has %(n)d).")
            % {"max": MAX_LOCAL_PART, "n": len(local)},
            code="local_part_length",
        )
    top_level = value.rsplit("@", 1)[-1].rstrip(".").rsplit(".", 1)[-1].lower()
    if top_level in RESERVED_TOP_LEVEL_DOMAINS:
        raise ValidationError(
            _(
                "Addresses ending in .%(domain)s cannot receive email (the domain is reserved): "
                "use your real address."
            )
            % {"domain": top_level},
            code="reserved_domain",
        )
