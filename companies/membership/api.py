"""The company, joining and partner operations under /api/v1/, on the same selectors,
policies and services as the pages."""

from django.core.exceptions import PermissionDenied
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from rainbow_portal.exceptions import ApplicationError, error_body

from .. import policies
from ..models import FileSharingMode, Role
from ..selectors import company_get_for_actor, user_roles
from ..services import company_update, member_role_grant, member_role_remove
from . import selectors, services
from .forms import ROLE_FILTER_CHOICES, STATUS_FILTER_CHOICES


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


class JoinLinkCreateSerializer(serializers.Serializer):
    max_uses = serializers.IntegerField(min_value=1, max_value=100_000)
    valid_days = serializers.IntegerField(min_value=1, max_value=365)


class JoinLinkSerializer(serializers.Serializer):
    """A join link as lists show it: only a hash of its token is stored, so no token."""

    id = serializers.IntegerField()
    max_uses = serializers.IntegerField()
    use_count = serializers.IntegerField()
    is_enabled = serializers.BooleanField()
    expires_at = serializers.DateTimeField()


class JoinLinkWithTokenSerializer(JoinLinkSerializer):
    """The answer to a creation or a regeneration: the only time the token is shown."""

    token = serializers.CharField()


class StatusAnswerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()


class JoinedSerializer(serializers.Serializer):
    company = serializers.SlugField()


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


def _managed(request, slug):
    company = company_get_for_actor(actor=request.user, slug=slug)
    policies.require_can_manage_company(actor=request.user, company=company)
    return company


def _valid(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


@extend_schema(request=CompanyChangeSerializer, responses=CompanySerializer, summary="A company")
@api_view(["GET", "PATCH"])
def company_detail(request, slug):
    company = _managed(request, slug)
    if request.method == "PATCH":
        data = _valid(CompanyChangeSerializer, request)
        # Region and HDS are accepted as input only to be refused with SPEC §2.3's message.
        company = company_update(company=company, actor=request.user, **data)
    return Response(CompanySerializer(company).data)


@extend_schema(request=CompanyFileSharingSerializer, responses=CompanyFileSharingSerializer)
@api_view(["GET", "PUT"])
def company_file_sharing(request, slug):
    company = _managed(request, slug)
    if request.method == "PUT":
        data = _valid(CompanyFileSharingSerializer, request)
        services.company_file_sharing_set(
            company=company, enabled=data["enabled"], actor=request.user
        )
    return Response({"enabled": selectors.company_file_sharing_enabled(company=company)})


class MemberPageSerializer(serializers.Serializer):
    """One page of members, as PageNumberPagination answers it (for the schema)."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = MemberSerializer(many=True)


@extend_schema(
    parameters=[MemberFilterSerializer],
    responses=MemberPageSerializer,
    summary="Members, filtered and paginated",
)
@api_view(["GET"])
def member_list(request, slug):
    company = _managed(request, slug)
    filters = MemberFilterSerializer(data=request.query_params)
    filters.is_valid(raise_exception=True)
    queryset = selectors.member_list(
        company=company,
        search=filters.validated_data["q"],
        role=filters.validated_data["role"],
        status=filters.validated_data["status"],
    )
    paginator = PageNumberPagination()
    page = paginator.paginate_queryset(queryset, request)
    return paginator.get_paginated_response(MemberSerializer(page, many=True).data)


@extend_schema(request=RoleChangeSerializer, responses=MemberSerializer)
@api_view(["POST"])
def member_role(request, slug, member_id):
    company = _managed(request, slug)
    member = selectors.member_get(company=company, member_id=member_id)
    data = _valid(RoleChangeSerializer, request)
    service = member_role_grant if data["action"] == "grant" else member_role_remove
    service(member=member, role=data["role"], actor=request.user)
    member._role_cache = None
    return Response({"id": member.pk, "roles": sorted(user_roles(user=member))})


@extend_schema(request=MemberFileSharingSerializer, responses=MemberFileSharingSerializer)
@api_view(["GET", "PUT"])
def member_file_sharing(request, slug, member_id):
    company = _managed(request, slug)
    member = selectors.member_get(company=company, member_id=member_id)
    if request.method == "PUT":
        data = _valid(MemberFileSharingSerializer, request)
        services.member_file_sharing_set(member=member, mode=data["mode"], actor=request.user)
    return Response(
        {
            "mode": selectors.member_file_sharing_mode(user=member),
            "allowed": selectors.file_sharing_allowed(user=member),
        }
    )


@extend_schema(methods=["GET"], responses=InvitationSerializer(many=True))
@extend_schema(
    methods=["POST"], request=InviteSerializer, responses={201: InvitationSerializer(many=True)}
)
@api_view(["GET", "POST"])
def invitation_list(request, slug):
    company = _managed(request, slug)
    if request.method == "POST":
        data = _valid(InviteSerializer, request)
        sent = services.invitations_create(
            company=company, emails=data["emails"], actor=request.user
        )
        return Response(InvitationSerializer(sent, many=True).data, status=status.HTTP_201_CREATED)
    return Response(
        InvitationSerializer(selectors.invitation_list(company=company), many=True).data
    )


@extend_schema(request=None, responses=InvitationSerializer)
@api_view(["POST"])
def invitation_resend(request, slug, invitation_id):
    company = _managed(request, slug)
    invitation = selectors.invitation_get(company=company, invitation_id=invitation_id)
    return Response(
        InvitationSerializer(
            services.invitation_resend(invitation=invitation, actor=request.user)
        ).data
    )


@extend_schema(request=None, responses=InvitationSerializer)
@api_view(["POST"])
def invitation_cancel(request, slug, invitation_id):
    company = _managed(request, slug)
    invitation = selectors.invitation_get(company=company, invitation_id=invitation_id)
    return Response(
        InvitationSerializer(
            services.invitation_cancel(invitation=invitation, actor=request.user)
        ).data
    )


@extend_schema(responses=JoinRequestSerializer(many=True))
@api_view(["GET"])
def join_request_list(request, slug):
    company = _managed(request, slug)
    return Response(
        JoinRequestSerializer(selectors.join_request_list(company=company), many=True).data
    )


@extend_schema(request=DecisionSerializer, responses=JoinRequestSerializer)
@api_view(["POST"])
def join_request_decide(request, slug, request_id):
    company = _managed(request, slug)
    join_request = selectors.join_request_get(company=company, request_id=request_id)
    data = _valid(DecisionSerializer, request)
    decided = services.join_request_decide(
        join_request=join_request, accept=data["decision"] == "accept", actor=request.user
    )
    return Response(JoinRequestSerializer(decided).data)


@extend_schema(methods=["GET"], responses=JoinLinkSerializer(many=True))
@extend_schema(
    methods=["POST"],
    request=JoinLinkCreateSerializer,
    responses={201: JoinLinkWithTokenSerializer},
)
@api_view(["GET", "POST"])
def join_link_list(request, slug):
    company = _managed(request, slug)
    if request.method == "POST":
        data = _valid(JoinLinkCreateSerializer, request)
        link = services.join_link_create(company=company, actor=request.user, **data)
        return Response(JoinLinkWithTokenSerializer(link).data, status=status.HTTP_201_CREATED)
    return Response(JoinLinkSerializer(selectors.join_link_list(company=company), many=True).data)


@extend_schema(
    # `enabled` is required even though the method is PATCH (issue 10: the schema is exact).
    request={
        "application/json": {
            "type": "object",
            "properties": {"enabled": {"type": "boolean"}},
            "required": ["enabled"],
        }
    },
    responses=JoinLinkSerializer,
)
@api_view(["PATCH"])
def join_link_toggle(request, slug, link_id):
    company = _managed(request, slug)
    link = selectors.join_link_get(company=company, link_id=link_id)
    data = _valid(JoinLinkToggleSerializer, request)
    link = services.join_link_set_enabled(link=link, enabled=data["enabled"], actor=request.user)
    return Response(JoinLinkSerializer(link).data)


@extend_schema(
    request=None, responses=JoinLinkWithTokenSerializer, summary="New token for a join link"
)
@api_view(["POST"])
def join_link_regenerate(request, slug, link_id):
    company = _managed(request, slug)
    link = selectors.join_link_get(company=company, link_id=link_id)
    link = services.join_link_regenerate(link=link, actor=request.user)
    return Response(JoinLinkWithTokenSerializer(link).data)


@extend_schema(request=DecisionSerializer, responses=StatusAnswerSerializer)
@api_view(["POST"])
def partner_offer_decide(request, slug, invitation_id):
    company = _managed(request, slug)
    offer = selectors.partner_invitation_get(customer=company, invitation_id=invitation_id)
    data = _valid(DecisionSerializer, request)
    offer = services.partner_invitation_decide(
        invitation=offer, accept=data["decision"] == "accept", actor=request.user
    )
    return Response({"id": offer.pk, "status": offer.status})


# --- Standalone users ---------------------------------------------------------------------


@extend_schema(
    request=NameSerializer, responses={201: CompanySerializer}, summary="Create my company"
)
@api_view(["POST"])
def company_create(request):
    if not request.user.company.is_default:
        # As on the page: a rights question (403), not a bad input (issue 10, schemathesis).
        raise PermissionDenied("Only standalone users create a company.")
    data = _valid(NameSerializer, request)
    company = services.company_create_by_user(user=request.user, name=data["name"])
    return Response(CompanySerializer(company).data, status=status.HTTP_201_CREATED)


@extend_schema(
    request=JoinRequestCreateSerializer,
    responses={201: StatusAnswerSerializer},
    summary="Ask to join",
    operation_id="join_request_create",
)
@api_view(["POST"])
def join_request_create(request):
    data = _valid(JoinRequestCreateSerializer, request)
    company = (
        selectors.joinable_company_list(user=request.user).filter(slug=data["company"]).first()
    )
    if company is None:
        from django.http import Http404

        raise Http404
    join_request = services.join_request_create(user=request.user, company=company)
    return Response({"id": join_request.pk, "status": join_request.status}, status=201)


@extend_schema(request=None, responses=JoinedSerializer, summary="Join through a join link")
@api_view(["POST"])
def join_link_use(request, token):
    try:
        link = services.join_link_use(token=token, user=request.user)
    except ApplicationError as exc:
        if exc.code == "invalid_link":  # no such link: the resource is not found
            return Response(error_body(exc.code, exc.message), status=status.HTTP_404_NOT_FOUND)
        raise
    return Response({"company": link.company.slug})


# --- Partner portal -------------------------------------------------------------------------


@extend_schema(methods=["GET"], responses=CustomerSerializer(many=True))
@extend_schema(methods=["POST"], request=CustomerSerializer, responses={201: CustomerSerializer})
@api_view(["GET", "POST"])
def customer_list(request):
    policies.require_partner_member(actor=request.user)
    if request.method == "POST":
        policies.require_can_create_customer(actor=request.user)
        data = _valid(CustomerSerializer, request)
        customer = services.customer_create(
            partner=request.user.company,
            name=data["name"],
            admin_email=data["admin_email"],
            actor=request.user,
        )
        customer.member_count = 0
        return Response(CustomerSerializer(customer).data, status=status.HTTP_201_CREATED)
    return Response(
        CustomerSerializer(selectors.customer_list(partner=request.user.company), many=True).data
    )


@extend_schema(request=PartnerOfferSerializer, responses={201: StatusAnswerSerializer})
@api_view(["POST"])
def partner_offer_create(request):
    policies.require_can_create_customer(actor=request.user)
    data = _valid(PartnerOfferSerializer, request)
    offer = services.partner_invitation_create(
        partner=request.user.company, customer_name=data["customer_name"], actor=request.user
    )
    return Response({"id": offer.pk, "status": offer.status}, status=201)


# --- Operator (superadmin) endpoints: domains (SPEC §2.5) ---------------------------------------


class DomainSerializer(serializers.Serializer):
    domain = serializers.CharField(max_length=253)


def _require_superadmin(request):
    from django.core.exceptions import PermissionDenied

    if not request.user.is_superuser:
        raise PermissionDenied("Only a platform superadmin manages email domains (SPEC §2.5).")


@extend_schema(methods=["GET"], responses=DomainSerializer(many=True))
@extend_schema(
    methods=["POST"], request=DomainSerializer, responses={201: DomainSerializer(many=True)}
)
@api_view(["GET", "POST"])
def operator_domains(request, slug):
    _require_superadmin(request)
    from django.shortcuts import get_object_or_404

    from ..models import Company
    from ..services import domain_add

    company = get_object_or_404(Company, slug=slug)
    if request.method == "POST":
        data = _valid(DomainSerializer, request)
        domain_add(company=company, domain=data["domain"], actor=request.user)
    return Response(
        DomainSerializer(company.domains.order_by("domain"), many=True).data,
        status=status.HTTP_201_CREATED if request.method == "POST" else status.HTTP_200_OK,
    )


company = "companies/<slug:slug>/"

urlpatterns = [
    path("operator/companies/<slug:slug>/domains/", operator_domains, name="operator-domains"),
    path("companies/", company_create, name="company-create"),
    path("companies/join-requests/", join_request_create, name="join-request-create"),
    path("join-links/<str:token>/use/", join_link_use, name="join-link-use"),
    path("partner/customers/", customer_list, name="partner-customers"),
    path("partner/offers/", partner_offer_create, name="partner-offers"),
    # Company-scoped endpoints: every one is in the tenant-isolation matrix test.
    path(company, company_detail, name="company"),
    path(company + "file-sharing/", company_file_sharing, name="company-file-sharing"),
    path(company + "members/", member_list, name="company-members"),
    path(company + "members/<int:member_id>/roles/", member_role, name="company-member-roles"),
    path(
        company + "members/<int:member_id>/file-sharing/",
        member_file_sharing,
        name="company-member-file-sharing",
    ),
    path(company + "invitations/", invitation_list, name="company-invitations"),
    path(
        company + "invitations/<int:invitation_id>/resend/",
        invitation_resend,
        name="company-invitation-resend",
    ),
    path(
        company + "invitations/<int:invitation_id>/cancel/",
        invitation_cancel,
        name="company-invitation-cancel",
    ),
    path(company + "join-requests/", join_request_list, name="company-join-requests"),
    path(
        company + "join-requests/<int:request_id>/",
        join_request_decide,
        name="company-join-request-decide",
    ),
    path(company + "join-links/", join_link_list, name="company-join-links"),
    path(company + "join-links/<int:link_id>/", join_link_toggle, name="company-join-link"),
    path(
        company + "join-links/<int:link_id>/regenerate/",
        join_link_regenerate,
        name="company-join-link-regenerate",
    ),
    path(
        company + "partner-offers/<int:invitation_id>/",
        partner_offer_decide,
        name="company-partner-offer",
    ),
]
