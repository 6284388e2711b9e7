"""The monthly invoice run (SPEC §3.7).

Rules, for the billed month M (the run on the 1st of M+1 bills M):
- monthly subscriptions: one line per subscription with the seats in force at the end of M
  (all seats, assigned or not), at the offer's current price. The first month is free unless
  the subscription started on the 1st of M; the month of termination is billed in full;
  a subscription terminated before M is not billed. A suspended one is still billed: its
  seats stay reserved (D6.4).
- prepaid subscriptions: one line for the whole term (seats × price × months), on the run of
  the month it started in, or the first run after that (catch-up).
- one invoice per company and month, holding all its lines.

Idempotent: `Invoice(company, period)` and the line constraints are unique, and companies
already invoiced for M are skipped, so a second run for M issues nothing. The work goes by
batches of companies with a fixed number of queries per batch (bench/invoices.py).
"""

import datetime as dt
import logging
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

import activity
from companies.models import Company

from ..dates import month_end, month_start
from ..models import BillingModel, Invoice, InvoiceLine, SeatChange, Subscription
from .numbering import invoice_numbers_take, invoice_series_lock

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
CENT = Decimal("0.01")


def _due_filter(period_start: dt.date, period_end: dt.date) -> Q:
    monthly = Q(billing=BillingModel.MONTHLY, start_date__lte=period_start) & (
        Q(ended_on__isnull=True) | Q(ended_on__gte=period_start)
    )
    prepaid = (
        ~Q(billing=BillingModel.MONTHLY)
        & Q(start_date__lte=period_end)
        & ~Exists(
            InvoiceLine.objects.filter(subscription=OuterRef("pk"), kind=InvoiceLine.Kind.PREPAID)
        )
    )
    return monthly | prepaid


def invoice_issuer() -> dict:
    """The issuer printed on invoices, from settings (copied onto each invoice at issue)."""
    return {
        "issuer_name": settings.INVOICE_ISSUER_NAME,
        "issuer_address": "\n".join(
            part.strip() for part in settings.INVOICE_ISSUER_ADDRESS.split("|") if part.strip()
        ),
        "issuer_vat_number": settings.INVOICE_ISSUER_VAT_NUMBER,
    }


def invoice_amounts(net: Decimal, rate: Decimal) -> dict:
    """VAT on the net total, to the cent (half up), and the amount due."""
    vat = (net * rate / Decimal(100)).quantize(CENT, rounding=ROUND_HALF_UP)
    return {"total": net, "vat_rate": rate, "vat_amount": vat, "total_due": net + vat}


def _line(subscription: Subscription, period_start: dt.date, period_end: dt.date) -> InvoiceLine:
    seats = subscription.seats_then or subscription.seats
    price = subscription.offer.price_per_seat_month
    if subscription.is_prepaid:
        months = subscription.term_months
        start, end = subscription.start_date, subscription.term_end
        kind = InvoiceLine.Kind.PREPAID
        description = (
            f"{subscription.offer.name} · {subscription.get_billing_display()} · "
            f"{seats} seats · {start:%d %b %Y} to {end:%d %b %Y}"
        )
    else:
        months = 1
        start, end = period_start, period_end
        kind = InvoiceLine.Kind.MONTHLY
        description = f"{subscription.offer.name} · {seats} seats · {period_start:%B %Y}"
    return InvoiceLine(
        subscription=subscription,
        kind=kind,
        description=description,
        period_start=start,
        period_end=end,
        seats=seats,
        months=months,
        unit_price=price,
        amount=(price * seats * months).quantize(CENT),
    )


def invoice_customer_copy(company: Company) -> dict:
    """The customer as billed, copied onto the invoice at issue (immutable afterwards)."""
    partner = company.business_partner
    return {
        "customer_name": company.name,
        "customer_region": company.region,
        "billed_through": partner.name if partner is not None else "",
        "customer_billing_name": company.billing_name or company.name,
        "customer_billing_address": company.billing_address,
        "customer_vat_number": company.vat_number,
    }


def _issue_batch(*, company_ids, period_start, period_end, due, now, actor) -> list[Invoice]:
    end_of_period = dt.datetime.combine(
        period_end + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC
    )
    seats_then = (
        SeatChange.objects.filter(subscription=OuterRef("pk"), effective_at__lt=end_of_period)
        .order_by("-effective_at", "-id")
        .values("seats")[:1]
    )
    subscriptions = (
        Subscription.objects.filter(due, company_id__in=company_ids)
        .select_related("offer", "company__business_partner")
        .annotate(seats_then=Subquery(seats_then))
        .order_by("company_id", "id")
    )
    lines_by_company: dict[int, list[InvoiceLine]] = {}
    customers: dict[int, Company] = {}
    for subscription in subscriptions:
        customers[subscription.company_id] = subscription.company
        lines_by_company.setdefault(subscription.company_id, []).append(
            _line(subscription, period_start, period_end)
        )
    if not lines_by_company:
        return []
    issuer = invoice_issuer()
    due_date = now.date() + dt.timedelta(days=settings.INVOICE_PAYMENT_DAYS)
    try:
        with transaction.atomic():
            # The series' lock first: it orders concurrent runs; once we hold it, the
            # companies another run invoiced meanwhile are visible and left out.
            series = invoice_series_lock(
                issuer_vat_number=issuer["issuer_vat_number"], issued_on=now.date()
            )
            done = set(
                Invoice.objects.filter(
                    company_id__in=list(lines_by_company), period=period_start
                ).values_list("company_id", flat=True)
            )
            numbers = iter(
                invoice_numbers_take(series=series, count=len(set(lines_by_company) - done))
            )
            invoices = [
                Invoice(
                    company_id=company_id,
                    period=period_start,
                    number=next(numbers),
                    issued_at=now,
                    due_date=due_date,
                    **invoice_amounts(
                        sum((line.amount for line in lines), Decimal("0.00")),
                        settings.INVOICE_VAT_RATE,
                    ),
                    **issuer,
                    **invoice_customer_copy(customers[company_id]),
                )
                for company_id, lines in lines_by_company.items()
                if company_id not in done
            ]
            if not invoices:
                return []
            Invoice.objects.bulk_create(invoices)
            all_lines = []
            for invoice in invoices:
                for line in lines_by_company[invoice.company_id]:
                    line.invoice = invoice
                    all_lines.append(line)
            InvoiceLine.objects.bulk_create(all_lines)
            # One activity record per invoice, written in the same transaction, in one insert.
            activity.record_bulk(
                event="invoice.issued",
                occurred_at=now,
                actor=actor,
                entries=[
                    {
                        "company": invoice.company_id,
                        "target": invoice,
                        "data": {
                            "period": f"{period_start:%Y-%m}",
                            "total": str(invoice.total),
                            "lines": len(lines_by_company[invoice.company_id]),
                        },
                    }
                    for invoice in invoices
                ],
            )
    except IntegrityError:
        # Another run issued some of these at the same moment; it owns them.
        logger.warning("invoice batch skipped: issued concurrently by another run")
        return []
    return invoices


def invoices_issue_for_month(
    *, month: dt.date, actor=None, batch_size: int = BATCH_SIZE, companies=None
) -> dict:
    """Issue the invoices of `month` (any day in it). Returns the JSON-ready summary
    `{"month": "2027-01", "issued": n, "amount_total": "1234.50"}` of this run only.
    `companies` (a queryset) limits the run, e.g. to re-run one company after a fix."""
    period_start, period_end = month_start(month), month_end(month)
    due = _due_filter(period_start, period_end)
    now = timezone.now()
    candidates = Subscription.objects.filter(due)
    if companies is not None:
        candidates = candidates.filter(company__in=companies)
    company_ids = list(
        candidates.exclude(company__invoices__period=period_start)
        .order_by("company_id")
        .values_list("company_id", flat=True)
        .distinct()
    )
    issued, total = 0, Decimal("0.00")
    for index in range(0, len(company_ids), batch_size):
        invoices = _issue_batch(
            company_ids=company_ids[index : index + batch_size],
            period_start=period_start,
            period_end=period_end,
            due=due,
            now=now,
            actor=actor,
        )
        issued += len(invoices)
        total += sum((invoice.total for invoice in invoices), Decimal("0.00"))
    return {
        "month": f"{period_start:%Y-%m}",
        "issued": issued,
        "amount_total": str(total.quantize(CENT)),
    }
