"""Time one monthly invoice run over 10,000 companies (issue 6, SPEC §3.7).

Usage: DATABASE_URL=postgres://... python bench/invoices.py [--companies 10000]

Seeds companies with monthly and prepaid subscriptions in the database of DATABASE_URL
(rows written in bulk, straight to the tables: this is load, not behaviour under test), runs
`invoices_issue_for_month` once for a month they were all active in, counts its queries,
removes everything it seeded (and the invoices and activity records the run wrote for them),
and prints as its last line `{"companies": 10000, "seconds": .., "queries": ..}`.
"""

import argparse
import datetime as dt
import json
import os
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rainbow_portal.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from activity.models import ActivityRecord  # noqa: E402
from companies.models import Company  # noqa: E402
from subscriptions.models import (  # noqa: E402
    Invoice,
    InvoiceLine,
    InvoiceSequence,
    Offer,
    SeatChange,
    Subscription,
)
from subscriptions.services import invoices_issue_for_month  # noqa: E402

MONTH = dt.date(2031, 1, 1)  # far from any demo or real data


def seed(prefix: str, count: int) -> list[int]:
    offers = {o.code: o for o in Offer.objects.all()}
    with transaction.atomic():
        companies = Company.objects.bulk_create(
            [
                Company(name=f"{prefix} {n}", slug=f"{prefix}-{n}", region="EMEA")
                for n in range(count)
            ],
            batch_size=2000,
        )
        subs = []
        for n, company in enumerate(companies):
            offer = offers["enterprise" if n % 3 == 0 else "business"]
            subs.append(
                Subscription(
                    company=company,
                    offer=offer,
                    billing="monthly",
                    seats=1 + n % 40,
                    start_date=dt.date(2030, 1 + n % 12, 1 + n % 28),
                )
            )
            if n % 5 == 0:  # one company in five also holds a prepaid term that starts in MONTH
                subs.append(
                    Subscription(
                        company=company,
                        offer=offers["business"],
                        billing=("prepaid_1y", "prepaid_3y", "prepaid_5y")[n % 3],
                        seats=10,
                        start_date=MONTH.replace(day=1 + n % 28),
                    )
                )
        subs = Subscription.objects.bulk_create(subs, batch_size=2000)
        SeatChange.objects.bulk_create(
            [
                SeatChange(
                    subscription=s,
                    effective_at=dt.datetime.combine(s.start_date, dt.time.min, tzinfo=dt.UTC),
                    seats=s.seats,
                )
                for s in subs
            ],
            batch_size=2000,
        )
    if connection.vendor == "postgresql":
        # Autovacuum would have analyzed tables this size long before the 1st of a month; a
        # planner that believes they are empty picks nested loops over the whole index.
        with connection.cursor() as cursor:
            cursor.execute(
                "ANALYZE companies_company, subscriptions_subscription, "
                "subscriptions_seatchange, subscriptions_invoice, subscriptions_invoiceline"
            )
    return [c.pk for c in companies]


def cleanup(prefix: str, series: dict) -> None:
    companies = Company.objects.filter(name__startswith=f"{prefix} ")
    ids = list(companies.values_list("pk", flat=True))
    with transaction.atomic():
        # The invoice series go back to where they were: the bench's invoices vanish, and a
        # real series must not keep a gap for them (D14b.3).
        InvoiceSequence.objects.exclude(pk__in=[pk for pk, _ in series.values()]).delete()
        for pk, last in series.values():
            InvoiceSequence.objects.filter(pk=pk).update(last=last)
        ActivityRecord.objects.filter(company_id__in=ids, event="invoice.issued").delete()
        InvoiceLine.objects.filter(invoice__company_id__in=ids).delete()
        Invoice.objects.filter(company_id__in=ids).delete()
        SeatChange.objects.filter(subscription__company_id__in=ids).delete()
        Subscription.objects.filter(company_id__in=ids).delete()
        ActivityRecord.objects.filter(company_id__in=ids).delete()
        companies.delete()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--companies", type=int, default=10_000)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("warning: DATABASE_URL is not PostgreSQL; figures will not be comparable")
    prefix = f"bench-inv-{uuid.uuid4().hex[:8]}"
    series = {(s.issuer_vat_number, s.year): (s.pk, s.last) for s in InvoiceSequence.objects.all()}
    try:
        started = time.perf_counter()
        seed(prefix, args.companies)
        print(f"seeded {args.companies} companies in {time.perf_counter() - started:.1f} s")
        scope = Company.objects.filter(name__startswith=f"{prefix} ")
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            summary = invoices_issue_for_month(month=MONTH, actor=None, companies=scope)
            seconds = time.perf_counter() - started
        with CaptureQueriesContext(connection) as again:
            second = invoices_issue_for_month(month=MONTH, actor=None, companies=scope)
        slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:3]
        for q in slowest:
            print(f"  slow query {q['time']} s: {q['sql'][:160]}")
        print(f"run: {json.dumps(summary)}")
        print(f"second run: {json.dumps(second)} in {len(again.captured_queries)} queries")
        if summary["issued"] != args.companies or second["issued"] != 0:
            raise SystemExit("unexpected invoice counts: the run is not correct")
    finally:
        cleanup(prefix, series)
    print(
        json.dumps(
            {
                "companies": args.companies,
                "seconds": round(seconds, 2),
                "queries": len(queries.captured_queries),
            }
        )
    )


if __name__ == "__main__":
    main()
