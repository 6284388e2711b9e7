"""The subscriptions app's dashboard panels (collected by core.dashboard): a company admin's
seats per offer and subscriptions ending soon; a partner's customers (Finance: invoices and
terms ending; Operation: systems and extensions without a member); a user's own licenses.
Reads only, a fixed number of queries whatever the company's or the partner's size."""

import datetime as dt

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from companies import policies as company_policies
from companies.dashboard import SHOWN, is_own_admin
from companies.models import Company, Role
from companies.policies import is_partner_member
from companies.selectors import user_roles
from core.charts import seat_bar

from .dates import add_months
from .models import BillingModel, Extension, Invoice, License, Subscription, System
from .models.subscriptions import TERM_MONTHS

ENDING_WITHIN = dt.timedelta(days=60)


def _prepaid_ending(subscriptions, today: dt.date) -> list:
    """Active prepaid subscriptions whose term ends within ENDING_WITHIN, soonest first."""
    out = [
        s
        for s in subscriptions
        if s.is_prepaid
        and s.status == Subscription.Status.ACTIVE
        and today <= s.term_end <= today + ENDING_WITHIN
    ]
    return sorted(out, key=lambda s: s.term_end)


def _ending_filter(today: dt.date) -> Q:
    """The start dates whose prepaid term ends within ENDING_WITHIN (a few days' margin: the
    exact test is `_prepaid_ending`), so that the query reads only those rows."""
    q = Q(pk__in=[])
    for billing, months in TERM_MONTHS.items():
        if billing == BillingModel.MONTHLY:
            continue
        earliest = add_months(today, -months) - dt.timedelta(days=3)
        latest = add_months(today + ENDING_WITHIN, -months) + dt.timedelta(days=3)
        q |= Q(billing=billing, start_date__range=(earliest, latest))
    return q & Q(status=Subscription.Status.ACTIVE)


def seats_panel(user) -> dict | None:
    """Seats used and free per offer, and terms ending soon: one query."""
    if not is_own_admin(user):
        return None
    company = user.company
    today = timezone.localdate()
    subscriptions = list(
        Subscription.objects.filter(company=company)
        .exclude(status=Subscription.Status.TERMINATED)
        .select_related("offer")
        .annotate(assigned=Count("licenses", filter=Q(licenses__released_at__isnull=True)))
        .order_by("offer__name", "id")
    )
    offers: dict[str, dict] = {}
    for s in subscriptions:
        if s.status != Subscription.Status.ACTIVE:
            continue
        row = offers.setdefault(s.offer.name, {"offer": s.offer.name, "seats": 0, "used": 0})
        row["seats"] += s.seats
        row["used"] += s.assigned
    rows = [{**row, "bar": seat_bar(row["used"], row["seats"])} for row in offers.values()]
    return {
        "company": company,
        "offers": rows,
        "ending": _prepaid_ending(subscriptions, today),
    }


def _customers(partner: Company):
    active = Subscription.objects.filter(company=OuterRef("pk"), status=Subscription.Status.ACTIVE)
    seats = active.values("company").annotate(n=Sum("seats")).values("n")
    assigned = (
        License.objects.filter(subscription__company=OuterRef("pk"), released_at__isnull=True)
        .values("subscription__company")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Company.objects.filter(business_partner=partner).annotate(
        member_count=Count("members", distinct=True),
        seats=Coalesce(Subquery(seats, output_field=IntegerField()), Value(0)),
        assigned=Coalesce(Subquery(assigned, output_field=IntegerField()), Value(0)),
    )


def partner_panel(user) -> dict | None:
    """The partner's customers with seats and status, and what needs action by role."""
    if not is_partner_member(actor=user):
        return None
    partner = user.company
    roles = user_roles(user=user)
    customers = _customers(partner)
    data = {
        "partner": partner,
        "customers": list(customers.order_by("name")[: SHOWN * 4]),
        "customer_count": customers.count(),
        "finance": Role.BP_FINANCE in roles,
        "operation": Role.BP_OPERATION in roles,
    }
    scope = Q(company=partner) | Q(company__business_partner=partner)
    if data["finance"]:
        today = timezone.localdate()
        data["invoices"] = list(
            Invoice.objects.filter(scope).select_related("company").order_by("-issued_at")[:SHOWN]
        )
        candidates = Subscription.objects.filter(scope).filter(_ending_filter(today))
        data["ending"] = _prepaid_ending(
            candidates.select_related("company", "offer").order_by("start_date"), today
        )[:SHOWN]
    if data["operation"]:
        system_scope = Q(site__company=partner) | Q(site__company__business_partner=partner)
        data["system_count"] = System.objects.filter(system_scope).count()
        free = Extension.objects.filter(
            Q(system__site__company=partner) | Q(system__site__company__business_partner=partner),
            user__isnull=True,
        )
        data["free_extension_count"] = free.count()
        data["free_extensions"] = list(
            free.select_related("system__site__company").order_by("system__name", "number")[:SHOWN]
        )
    return data


def licenses_panel(user) -> dict | None:
    """The user's own licenses (Essential comes with every account, SPEC §3.7)."""
    if not user.is_authenticated:
        return None
    return {
        "licenses": list(
            License.objects.filter(user=user, released_at__isnull=True)
            .select_related("subscription__offer")
            .order_by("subscription__offer__name")
        )
    }


def member_licenses_panel(viewer, member) -> dict | None:
    """A member's licenses on their page in the settings hub, with where to change them."""
    company = member.company
    return {
        "company": company,
        "licenses": list(
            License.objects.filter(user=member, released_at__isnull=True)
            .select_related("subscription__offer")
            .order_by("subscription__offer__name")
        ),
        "can_allocate": company_policies.can_allocate_licenses(actor=viewer, company=company),
    }


DASHBOARD_PANELS = [
    (60, "core/dashboard/member_licenses.html", member_licenses_panel, "member"),
    (30, "core/dashboard/seats.html", seats_panel, "home"),
    (40, "core/dashboard/partner.html", partner_panel, "home"),
    (90, "core/dashboard/licenses.html", licenses_panel, "home"),
]
