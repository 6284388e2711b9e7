"""REST endpoints for subscriptions, licenses, invoices and systems: the same selectors,
policies and services as the pages."""

from django.urls import path
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response

from companies import policies as company_policies
from companies.scoping import company_endpoint
from core.validation import MAX_ID, MAX_IDS_AT_ONCE, validate_name
from rainbow_portal import fields as strict

from . import selectors, services
from .models import BillingModel, Offer, System
from .policies import can_view_subscriptions, can_view_systems


@extend_schema_field(
    # The offers a customer subscribes to: Essential is free and never subscribed (issue 10).
    {"type": "string", "enum": [c for c in Offer.Code.values if c != Offer.Code.ESSENTIAL]}
)
class OfferCodeField(serializers.SlugRelatedField):
    pass


class SubscriptionSerializer(serializers.Serializer):
    id = strict.IntegerField(read_only=True)
    offer = OfferCodeField(
        slug_field="code", queryset=Offer.objects.exclude(code=Offer.Code.ESSENTIAL)
    )
    billing = serializers.ChoiceField(choices=BillingModel.choices)
    seats = strict.IntegerField(min_value=1, max_value=100_000)
    start_date = serializers.DateField()
    status = strict.CharField(read_only=True)
    ended_on = serializers.DateField(read_only=True, allow_null=True)
    assigned = strict.IntegerField(read_only=True, default=0)


class SeatsSerializer(serializers.Serializer):
    seats = strict.IntegerField(min_value=1, max_value=100_000)


class StatusSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["suspend", "resume", "terminate"])


def _id_field(**kwargs):
    return strict.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


class LicensesSerializer(serializers.Serializer):
    user_ids = serializers.ListField(child=_id_field(), min_length=1, max_length=MAX_IDS_AT_ONCE)


class InvoiceSerializer(serializers.Serializer):
    number = strict.CharField()
    period = serializers.DateField()
    issued_at = serializers.DateTimeField()
    currency = strict.CharField()
    customer_name = strict.CharField(
        help_text=gettext_lazy("The customer's name when the invoice was issued.")
    )
    # Money travels as a string: exact, never a float.
    total = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True)


class ExtensionSerializer(serializers.Serializer):
    id = strict.IntegerField(read_only=True)
    number = strict.CharField(max_length=8)
    user_id = strict.IntegerField(read_only=True, allow_null=True)


class SystemSerializer(serializers.Serializer):
    id = strict.IntegerField()
    name = strict.CharField()
    kind = serializers.ChoiceField(choices=System.Kind.choices)
    activation_code = strict.CharField()
    site = strict.CharField(source="site.name")


class SystemCreateSerializer(serializers.Serializer):
    site_id = _id_field()
    name = strict.CharField(max_length=120, validators=[validate_name])
    kind = serializers.ChoiceField(choices=System.Kind.choices)


class SiteSerializer(serializers.Serializer):
    id = strict.IntegerField(read_only=True)
    name = strict.CharField(max_length=120, validators=[validate_name])
    address = strict.CharField(max_length=300, required=False, allow_blank=True)


class ExtensionMemberSerializer(serializers.Serializer):
    user_id = _id_field(allow_null=True)


def _reloaded(company, subscription):
    """The subscription as the list shows it (with its assigned count), after a change."""
    return selectors.subscription_get(company=company, pk=subscription.pk)


@extend_schema(methods=["GET"], responses=SubscriptionSerializer(many=True))
@extend_schema(
    methods=["POST"], request=SubscriptionSerializer, responses={201: SubscriptionSerializer}
)
@company_endpoint(
    ["GET", "POST"],
    right={"GET": can_view_subscriptions, "POST": company_policies.can_create_subscription},
)
def subscription_list(request, company):
    if request.method == "POST":
        serializer = SubscriptionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = services.subscription_create(
            company=company, actor=request.user, **serializer.validated_data
        )
        created = selectors.subscription_get(company=company, pk=created.pk)
        return Response(SubscriptionSerializer(created).data, status=status.HTTP_201_CREATED)
    return Response(
        SubscriptionSerializer(selectors.subscription_list(company=company), many=True).data
    )


@extend_schema(request=SeatsSerializer, responses=SubscriptionSerializer)
@company_endpoint(
    ["POST"],
    right=company_policies.can_manage_subscriptions,
    objects={"subscription": ("pk", selectors.subscription_get)},
)
def subscription_seats(request, company, subscription):
    serializer = SeatsSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    services.subscription_seats_set(
        subscription=subscription, seats=serializer.validated_data["seats"], actor=request.user
    )
    return Response(SubscriptionSerializer(_reloaded(company, subscription)).data)


@extend_schema(request=StatusSerializer, responses=SubscriptionSerializer)
@company_endpoint(
    ["POST"],
    right=company_policies.can_manage_subscriptions,
    objects={"subscription": ("pk", selectors.subscription_get)},
)
def subscription_status(request, company, subscription):
    serializer = StatusSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    service = {
        "suspend": services.subscription_suspend,
        "resume": services.subscription_resume,
        "terminate": services.subscription_terminate,
    }[serializer.validated_data["action"]]
    service(subscription=subscription, actor=request.user)
    return Response(SubscriptionSerializer(_reloaded(company, subscription)).data)


@extend_schema(request=LicensesSerializer, responses={201: SubscriptionSerializer})
@company_endpoint(
    ["POST"],
    right=company_policies.can_allocate_licenses,
    objects={"subscription": ("pk", selectors.subscription_get)},
)
def subscription_licenses(request, company, subscription):
    serializer = LicensesSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    ids = set(serializer.validated_data["user_ids"])
    # Only the company's own members are looked up: another company's id reads as unknown,
    # so member ids of other companies cannot be probed.
    users = selectors.members_get_many(company=company, ids=ids)
    if len(users) != len(ids):
        return Response(
            {
                "error": {
                    "code": "invalid",
                    "message": "A license goes only to a member of this company.",
                    "fields": {"user_ids": ["Not a member of this company."]},
                }
            },
            status=status.HTTP_400_BAD_REQUEST,
        )
    services.licenses_assign_bulk(subscription=subscription, users=users, actor=request.user)
    return Response(
        SubscriptionSerializer(
            selectors.subscription_get(company=company, pk=subscription.pk)
        ).data,
        status=status.HTTP_201_CREATED,
    )


@extend_schema(responses=InvoiceSerializer(many=True))
@company_endpoint(["GET"], right=company_policies.can_view_invoices)
def invoice_list(request, company):
    return Response(InvoiceSerializer(selectors.invoice_list(company=company), many=True).data)


@extend_schema(request=SiteSerializer, responses={201: SiteSerializer})
@company_endpoint(["POST"], right=company_policies.can_create_equipment)
def site_create(request, company):
    serializer = SiteSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    site = services.site_create(company=company, actor=request.user, **serializer.validated_data)
    return Response(SiteSerializer(site).data, status=status.HTTP_201_CREATED)


@extend_schema(methods=["GET"], responses=SystemSerializer(many=True))
@extend_schema(methods=["POST"], request=SystemCreateSerializer, responses={201: SystemSerializer})
@company_endpoint(
    ["GET", "POST"],
    right={"GET": can_view_systems, "POST": company_policies.can_create_equipment},
)
def system_list(request, company):
    if request.method == "POST":
        serializer = SystemCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        site = selectors.site_get(company=company, pk=data["site_id"])
        system = services.system_create(
            site=site, name=data["name"], kind=data["kind"], actor=request.user
        )
        return Response(SystemSerializer(system).data, status=status.HTTP_201_CREATED)
    return Response(SystemSerializer(selectors.system_list(company=company), many=True).data)


@extend_schema(methods=["GET"], responses=ExtensionSerializer(many=True))
@extend_schema(methods=["POST"], request=ExtensionSerializer, responses={201: ExtensionSerializer})
@company_endpoint(
    ["GET", "POST"],
    right={"GET": can_view_systems, "POST": company_policies.can_create_equipment},
    objects={"system": ("pk", selectors.system_get)},
)
def extension_list(request, company, system):
    if request.method == "POST":
        serializer = ExtensionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        extension = services.extension_create(
            system=system, number=serializer.validated_data["number"], actor=request.user
        )
        return Response(ExtensionSerializer(extension).data, status=status.HTTP_201_CREATED)
    return Response(ExtensionSerializer(selectors.extension_list(system=system), many=True).data)


@extend_schema(request=ExtensionMemberSerializer, responses=ExtensionSerializer)
@company_endpoint(
    ["POST"],
    right=company_policies.can_manage_systems,
    objects={
        "system": ("pk", selectors.system_get),
        "extension": ("extension_pk", selectors.extension_get),
    },
)
def extension_member(request, company, system, extension):
    serializer = ExtensionMemberSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    user_id = serializer.validated_data["user_id"]
    user = None
    if user_id is not None:
        user = selectors.members_get_many(company=company, ids=[user_id])
        user = user[0] if user else None
        if user is None:
            return Response(
                {
                    "error": {
                        "code": "invalid",
                        "message": "An extension goes only to a member of the system's company.",
                        "fields": {"user_id": ["Not a member of this company."]},
                    }
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
    extension = services.extension_associate(extension=extension, user=user, actor=request.user)
    return Response(ExtensionSerializer(extension).data)


urlpatterns = [
    path("subscriptions/<slug:slug>/", subscription_list, name="subscription-list"),
    path("subscriptions/<slug:slug>/invoices/", invoice_list, name="invoice-list"),
    path(
        "subscriptions/<slug:slug>/<int:pk>/seats/", subscription_seats, name="subscription-seats"
    ),
    path(
        "subscriptions/<slug:slug>/<int:pk>/status/",
        subscription_status,
        name="subscription-status",
    ),
    path(
        "subscriptions/<slug:slug>/<int:pk>/licenses/",
        subscription_licenses,
        name="subscription-licenses",
    ),
    path("systems/<slug:slug>/", system_list, name="system-list"),
    path("systems/<slug:slug>/sites/", site_create, name="site-create"),
    path("systems/<slug:slug>/<int:pk>/extensions/", extension_list, name="extension-list"),
    path(
        "systems/<slug:slug>/<int:pk>/extensions/<int:extension_pk>/member/",
        extension_member,
        name="extension-member",
    ),
]
