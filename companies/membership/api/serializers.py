"""Serializers of the membership API."""

from rest_framework import serializers

from ...models import FileSharingMode, Role
from ..forms import ROLE_FILTER_CHOICES, STATUS_FILTER_CHOICES


class CompanySerializer(serializers.Serializer):
    slug = serializers.CharField(read_only=True)
    name = serializers.CharField(max_length=200)
    kind = serializers.CharField(read_only=True)
    region = serializers.CharField(read_only=True)
    is_hds = serializers.BooleanField(read_only=True)
    visibility = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    business_partner = serializers.SerializerMethodField()

    def get_business_partner(self, company) -> str | None:
        return company.business_partner.slug if company.business_partner_id else None


class MemberSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    is_active = serializers.BooleanField()
    roles = serializers.SerializerMethodField()

    def get_roles(self, user) -> list[str]:
        return sorted(r.role for r in user.roles.all())


class MemberFilterSerializer(serializers.Serializer):
    # DRF's CharField refuses NUL bytes, which PostgreSQL cannot take in a query.
    q = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")
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
    enabled = serializers.BooleanField()


class InvitationSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    email = serializers.EmailField(read_only=True)
    role = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    sent_at = serializers.DateTimeField(read_only=True)
    expires_at = serializers.DateTimeField(read_only=True)


class InviteSerializer(serializers.Serializer):
    emails = serializers.ListField(
        child=serializers.CharField(max_length=254), min_length=1, max_length=100
    )


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["accept", "decline"])


class JoinRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField(source="user.email")
    status = serializers.CharField()
    created_at = serializers.DateTimeField()


class JoinLinkSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    # Present only in the answer to a creation or a regeneration: only a hash is stored.
    token = serializers.CharField(read_only=True, required=False)
    max_uses = serializers.IntegerField(min_value=1, max_value=100_000)
    valid_days = serializers.IntegerField(min_value=1, max_value=365, write_only=True)
    use_count = serializers.IntegerField(read_only=True)
    is_enabled = serializers.BooleanField(read_only=True)
    expires_at = serializers.DateTimeField(read_only=True)


class JoinLinkToggleSerializer(serializers.Serializer):
    enabled = serializers.BooleanField()


class CompanyChangeSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    region = serializers.CharField(max_length=10, required=False)
    is_hds = serializers.BooleanField(required=False)


class NameSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)


class JoinRequestCreateSerializer(serializers.Serializer):
    company = serializers.SlugField()


class CustomerSerializer(serializers.Serializer):
    slug = serializers.CharField(read_only=True)
    name = serializers.CharField(max_length=200)
    region = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    member_count = serializers.IntegerField(read_only=True)
    admin_email = serializers.EmailField(write_only=True)


class PartnerOfferSerializer(serializers.Serializer):
    customer_name = serializers.CharField(max_length=200)


def _valid(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class MemberPageSerializer(serializers.Serializer):
    """One page of members, as PageNumberPagination answers it (for the schema)."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = MemberSerializer(many=True)


class DomainSerializer(serializers.Serializer):
    domain = serializers.CharField(max_length=253)
