"""Serializers of the membership API."""

from rest_framework import serializers

from core.validation import validate_name
from rainbow_portal import fields as strict

from ...models import FileSharingMode, Role
from ..forms import ROLE_FILTER_CHOICES, STATUS_FILTER_CHOICES


class CompanySerializer(serializers.Serializer):
    slug = strict.CharField(read_only=True)
    name = strict.CharField(max_length=200, validators=[validate_name])
    kind = strict.CharField(read_only=True)
    region = strict.CharField(read_only=True)
    is_hds = strict.BooleanField(read_only=True)
    visibility = strict.CharField(read_only=True)
    status = strict.CharField(read_only=True)
    business_partner = serializers.SerializerMethodField()

    def get_business_partner(self, company) -> str | None:
        return company.business_partner.slug if company.business_partner_id else None


class MemberSerializer(serializers.Serializer):
    id = strict.IntegerField()
    email = strict.EmailField()
    first_name = strict.CharField()
    last_name = strict.CharField()
    is_active = strict.BooleanField()
    roles = serializers.SerializerMethodField()

    def get_roles(self, user) -> list[str]:
        return sorted(r.role for r in user.roles.all())


class MemberFilterSerializer(serializers.Serializer):
    # DRF's CharField refuses NUL bytes, which PostgreSQL cannot take in a query.
    q = strict.CharField(required=False, allow_blank=True, max_length=100, default="")
    role = serializers.ChoiceField(
        choices=ROLE_FILTER_CHOICES, required=False, allow_blank=True, default=""
    )
    status = serializers.ChoiceField(
        choices=STATUS_FILTER_CHOICES, required=False, allow_blank=True, default=""
    )


class RoleChangeSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)
    action = serializers.ChoiceField(choices=["grant", "remove"])


class MemberFileSharingSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(choices=FileSharingMode.choices)


class CompanyFileSharingSerializer(serializers.Serializer):
    enabled = strict.BooleanField()


class InvitationSerializer(serializers.Serializer):
    id = strict.IntegerField(read_only=True)
    email = strict.EmailField(read_only=True)
    role = strict.CharField(read_only=True)
    status = strict.CharField(read_only=True)
    sent_at = serializers.DateTimeField(read_only=True)
    expires_at = serializers.DateTimeField(read_only=True)


class InviteSerializer(serializers.Serializer):
    emails = serializers.ListField(
        child=strict.CharField(max_length=254), min_length=1, max_length=100
    )


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["accept", "decline"])


class JoinRequestSerializer(serializers.Serializer):
    id = strict.IntegerField()
    email = strict.EmailField(source="user.email")
    status = strict.CharField()
    created_at = serializers.DateTimeField()


class JoinLinkCreateSerializer(serializers.Serializer):
    max_uses = strict.IntegerField(min_value=1, max_value=100_000)
    valid_days = strict.IntegerField(min_value=1, max_value=365)


class JoinLinkSerializer(serializers.Serializer):
    """A join link as lists show it: only a hash of its token is stored, so no token."""

    id = strict.IntegerField()
    max_uses = strict.IntegerField()
    use_count = strict.IntegerField()
    is_enabled = strict.BooleanField()
    expires_at = serializers.DateTimeField()


class JoinLinkWithTokenSerializer(JoinLinkSerializer):
    """The answer to a creation or a regeneration: the only time the token is shown."""

    token = strict.CharField()


class StatusAnswerSerializer(serializers.Serializer):
    id = strict.IntegerField()
    status = strict.CharField()


class JoinedSerializer(serializers.Serializer):
    company = strict.SlugField()


# `enabled` is required even though the method is PATCH (issue 10: the schema is exact).
JOIN_LINK_TOGGLE_SCHEMA = {
    "application/json": {
        "type": "object",
        "properties": {"enabled": {"type": "boolean"}},
        "required": ["enabled"],
    }
}


class JoinLinkToggleSerializer(serializers.Serializer):
    enabled = strict.BooleanField()


class CompanyChangeSerializer(serializers.Serializer):
    name = strict.CharField(max_length=200, required=False, validators=[validate_name])
    region = strict.CharField(max_length=10, required=False)
    is_hds = strict.BooleanField(required=False)


class NameSerializer(serializers.Serializer):
    name = strict.CharField(max_length=200, validators=[validate_name])


class JoinRequestCreateSerializer(serializers.Serializer):
    company = strict.SlugField()


class CustomerSerializer(serializers.Serializer):
    slug = strict.CharField(read_only=True)
    name = strict.CharField(max_length=200, validators=[validate_name])
    region = strict.CharField(read_only=True)
    status = strict.CharField(read_only=True)
    member_count = strict.IntegerField(read_only=True)
    admin_email = strict.EmailField(write_only=True)


class PartnerOfferSerializer(serializers.Serializer):
    customer_name = strict.CharField(max_length=200, validators=[validate_name])


def _valid(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class MemberPageSerializer(serializers.Serializer):
    """One page of members, as PageNumberPagination answers it (for the schema)."""

    count = strict.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = MemberSerializer(many=True)


class DomainSerializer(serializers.Serializer):
    domain = strict.CharField(max_length=253)
