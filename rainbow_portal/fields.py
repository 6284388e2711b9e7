"""API input fields that take JSON types as the schema states them (issue 10).

DRF coerces by default: `0` becomes "0" for a CharField, "5" becomes 5 for an IntegerField,
"yes" becomes True for a BooleanField. The OpenAPI schema says "string", "integer", "boolean",
so a client that sends another type is refused with the field's own message instead of being
silently accepted (schemathesis: schema-violating requests are rejected).
"""

from rest_framework import serializers

from .emails import MAX_EMAIL_LENGTH, validate_email_address


class _StrictString:
    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class CharField(_StrictString, serializers.CharField):
    pass


class EmailField(_StrictString, serializers.EmailField):
    """A string, and an address within the limits forms and services keep (64 characters
    before the @, 254 in all)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", MAX_EMAIL_LENGTH)
        super().__init__(**kwargs)
        self.validators.append(validate_email_address)


class SlugField(_StrictString, serializers.SlugField):
    pass


class IntegerField(serializers.IntegerField):
    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class BooleanField(serializers.BooleanField):
    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data
