"""Reads, each scoped by a company (or a partner) so that "missing" and "not yours" are the
same 404."""

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import Http404

from accounts.models import User
from companies.models import Company

from .dates import last_months, month_end
from .models import Extension, Invoice, License, Offer, SeatChange, Site, Subscription, System


def offers_for_sale():
    return Offer.objects.exclude(code=Offer.Code.ESSENTIAL)


def essential_offer() -> Offer:
    return Offer.objects.get(code=Offer.Code.ESSENTIAL)


def companies_for_actor(*, actor):
    """The actor's own company first, then the end customers of the actor's partner company."""
    own = Company.objects.filter(pk=actor.company_id)
    customers = Company.objects.filter(business_partner_id=actor.company_id).order_by("name")
    return [*own, *customers]


def subscription_list(*, company: Company):
    return (
        Subscription.objects.filter(company=company)
        .select_related("offer")
        .annotate(assigned=Count("licenses", filter=Q(licenses__released_at__isnull=True)))
        .order_by("status", "start_date", "id")
    )


def subscription_get(*, company: Company, pk) -> Subscription:
    subscription = subscription_list(company=company).filter(pk=pk).first()
    if subscription is None:
        raise Http404("No such subscription.")
    return subscription


def license_get(*, subscription: Subscription, pk) -> License:
    found = (
        License.objects.filter(subscription=subscription, pk=pk, released_at__isnull=True)
        .select_related("user")
        .first()
    )
    if found is None:
        raise Http404("No such license.")
    return found


def members_for_licensing(*, subscription: Subscription):
    """The company's members, each with `has_license` (on this subscription) and
    `exclusive_offer` (the Business/Enterprise offer they hold, if any): one query."""
    active = License.objects.filter(user=OuterRef("pk"), released_at__isnull=True)
    return (
        User.objects.filter(company_id=subscription.company_id, is_active=True)
        .annotate(
            has_license=Exists(active.filter(subscription=subscription)),
            exclusive_offer=active.filter(exclusive=True).values("subscription__offer__name")[:1],
            license_id=active.filter(subscription=subscription).values("pk")[:1],
        )
        .order_by("last_name", "first_name", "email")
    )


def member_get(*, company: Company, pk) -> User:
    user = User.objects.filter(company=company, pk=pk).first()
    if user is None:
        raise Http404("No such member.")
    return user


def members_get_many(*, company: Company, ids) -> list[User]:
    """Those of `ids` who are members of `company` (another company's id reads as unknown,
    so ids cannot be probed)."""
    return list(User.objects.filter(company=company, pk__in=ids))


def invoice_list(*, company: Company):
    return Invoice.objects.filter(company=company).order_by("-period")


def invoice_get(*, company: Company, number: str) -> Invoice:
    invoice = (
        Invoice.objects.filter(company=company, number=number)
        .select_related("company")
        .prefetch_related("lines")
        .first()
    )
    if invoice is None:
        raise Http404("No such invoice.")
    return invoice


def consumption(*, partner: Company, today: dt.date, months: int = 12) -> list[dict]:
    """Per end customer of `partner`, seats bought and licenses assigned at the end of each of
    the last `months` months (the current month: as of today). A fixed number of queries,
    whatever the number of customers and licenses."""
    month_starts = last_months(today, months)
    cutoffs = [
        dt.datetime.combine(
            min(month_end(m), today) + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC
        )
        for m in month_starts
    ]
    customers = list(Company.objects.filter(business_partner=partner).order_by("name"))
    subscriptions = list(
        Subscription.objects.filter(company__in=customers).only(
            "id", "company_id", "start_date", "ended_on"
        )
    )
    changes: dict[int, list[tuple[dt.datetime, int]]] = {}
    for change in SeatChange.objects.filter(subscription__in=subscriptions).order_by(
        "effective_at", "id"
    ):
        changes.setdefault(change.subscription_id, []).append((change.effective_at, change.seats))
    first = cutoffs[0] - dt.timedelta(days=31)
    licenses = License.objects.filter(subscription__in=subscriptions).filter(
        Q(released_at__isnull=True) | Q(released_at__gte=first)
    )
    license_rows = list(
        licenses.values_list("subscription__company_id", "assigned_at", "released_at")
    )
    rows = []
    for customer in customers:
        bought, assigned = [], []
        subs = [s for s in subscriptions if s.company_id == customer.pk]
        mine = [r for r in license_rows if r[0] == customer.pk]
        for month, cutoff in zip(month_starts, cutoffs, strict=True):
            seats = 0
            for sub in subs:
                if sub.start_date >= cutoff.date() or (sub.ended_on and sub.ended_on < month):
                    continue
                in_force = [n for at, n in changes.get(sub.pk, []) if at < cutoff]
                seats += in_force[-1] if in_force else 0
            bought.append(seats)
            assigned.append(
                sum(1 for _, at, rel in mine if at < cutoff and (rel is None or rel >= cutoff))
            )
        rows.append({"company": customer, "bought": bought, "assigned": assigned})
    return rows


def site_list(*, company: Company):
    return (
        Site.objects.filter(company=company)
        .prefetch_related(
            Prefetch(
                "systems",
                queryset=System.objects.annotate(
                    extension_count=Count("extensions"),
                    associated=Count("extensions", filter=Q(extensions__user__isnull=False)),
                ),
            )
        )
        .order_by("name")
    )


def site_options(*, company: Company):
    """The company's sites by name, for a form's choices."""
    return Site.objects.filter(company=company).order_by("name")


def system_list(*, company: Company):
    return (
        System.objects.filter(site__company=company)
        .select_related("site")
        .order_by("site__name", "name")
    )


def site_get(*, company: Company, pk) -> Site:
    site = Site.objects.filter(company=company, pk=pk).first()
    if site is None:
        raise Http404("No such site.")
    return site


def system_get(*, company: Company, pk) -> System:
    system = System.objects.filter(site__company=company, pk=pk).select_related("site").first()
    if system is None:
        raise Http404("No such system.")
    return system


def extension_list(*, system: System):
    # Numerically (issue 14: "2" sorted after "10" as text): Extension's own ordering.
    return Extension.objects.filter(system=system).select_related("user")


def extension_get(*, system: System, pk) -> Extension:
    extension = Extension.objects.filter(system=system, pk=pk).first()
    if extension is None:
        raise Http404("No such extension.")
    return extension


def company_members(*, company: Company):
    return User.objects.filter(company=company, is_active=True).order_by(
        "last_name", "first_name", "email"
    )
