import datetime as dt
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from activity.models import ActivityRecord
from rainbow_portal.celery import app as celery_app
from subscriptions.models import Invoice, InvoiceLine
from subscriptions.services import (
    invoices_issue_for_month,
    subscription_seats_set,
    subscription_suspend,
    subscription_terminate,
)
from subscriptions.tasks import invoices_monthly
from tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db

JAN = dt.date(2027, 1, 1)


def run(month=JAN):
    return invoices_issue_for_month(month=month, actor=None)


def test_monthly_bills_previous_month_seats_exactly(make_subscription, customer):
    make_subscription(seats=3, start=dt.date(2026, 11, 20))  # Business 9.90
    summary = run()
    assert summary == {"month": "2027-01", "issued": 1, "amount_total": "29.70"}
    invoice = Invoice.objects.get(company=customer)
    assert invoice.total == Decimal("29.70") and isinstance(invoice.total, Decimal)
    line = invoice.lines.get()
    assert (line.seats, line.months, line.period_start, line.period_end) == (
        3,
        1,
        dt.date(2027, 1, 1),
        dt.date(2027, 1, 31),
    )
    assert (
        ActivityRecord.objects.filter(event="invoice.issued", company_id=customer.pk).count() == 1
    )


def test_second_run_issues_nothing(make_subscription):
    make_subscription(seats=3, start=dt.date(2026, 11, 20))
    run()
    assert run() == {"month": "2027-01", "issued": 0, "amount_total": "0.00"}
    assert Invoice.objects.count() == 1 and InvoiceLine.objects.count() == 1


def test_first_partial_month_is_free_but_a_first_full_month_is_billed(make_subscription):
    partial = make_subscription(seats=2, start=dt.date(2027, 1, 2))
    full = make_subscription(company=CompanyFactory(), seats=2, start=dt.date(2027, 1, 1))
    run()
    assert not InvoiceLine.objects.filter(subscription=partial).exists()
    assert InvoiceLine.objects.filter(subscription=full).count() == 1
    # The month after, the partial starter is billed.
    invoices_issue_for_month(month=dt.date(2027, 2, 1), actor=None)
    assert InvoiceLine.objects.filter(subscription=partial).count() == 1


def test_last_month_billed_in_full_then_nothing(make_subscription):
    sub = make_subscription(seats=4, start=dt.date(2026, 6, 1))
    subscription_terminate(subscription=sub, actor=None, on=dt.date(2027, 1, 3))
    run()
    line = InvoiceLine.objects.get(subscription=sub)
    assert line.seats == 4 and line.amount == Decimal("39.60")
    invoices_issue_for_month(month=dt.date(2027, 2, 1), actor=None)
    assert InvoiceLine.objects.filter(subscription=sub).count() == 1


def test_seats_in_force_at_month_end_and_suspended_still_billed(make_subscription):
    sub = make_subscription(seats=2, start=dt.date(2026, 6, 1))
    subscription_seats_set(subscription=sub, seats=7, actor=None)  # effective now (2026-…)
    subscription_suspend(subscription=sub, actor=None)
    run()
    assert InvoiceLine.objects.get(subscription=sub).seats == 7


def test_prepaid_billed_once_for_the_whole_term(make_subscription, enterprise, customer):
    sub = make_subscription(
        offer=enterprise, billing="prepaid_3y", seats=10, start=dt.date(2027, 1, 15)
    )
    monthly = make_subscription(seats=1, start=dt.date(2026, 5, 1))
    run()
    invoice = Invoice.objects.get(company=customer)
    prepaid = invoice.lines.get(subscription=sub)
    assert prepaid.kind == "prepaid" and prepaid.months == 36
    assert prepaid.amount == Decimal("19.90") * 10 * 36 == Decimal("7164.00")
    assert invoice.total == Decimal("7164.00") + Decimal("9.90")
    assert invoice.lines.filter(subscription=monthly).exists()
    invoices_issue_for_month(month=dt.date(2027, 2, 1), actor=None)
    assert InvoiceLine.objects.filter(subscription=sub).count() == 1


def test_prepaid_not_yet_started_is_not_billed(make_subscription):
    sub = make_subscription(billing="prepaid_1y", start=dt.date(2027, 2, 1))
    run()
    assert not InvoiceLine.objects.filter(subscription=sub).exists()


def test_command_prints_json_summary_last(make_subscription):
    make_subscription(seats=1, start=dt.date(2026, 1, 1))
    out = StringIO()
    call_command("invoices_run", "--month", "2027-01", stdout=out)
    assert json.loads(out.getvalue().strip().splitlines()[-1]) == {
        "month": "2027-01",
        "issued": 1,
        "amount_total": "9.90",
    }
    out = StringIO()
    call_command("invoices_run", "--month", "2027-01", stdout=out)
    assert json.loads(out.getvalue().strip().splitlines()[-1])["issued"] == 0


def test_command_refuses_a_bad_month():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("invoices_run", "--month", "January")


def test_beat_schedules_the_task_on_the_first(make_subscription):
    entry = celery_app.conf.beat_schedule["invoices-monthly"]
    assert entry["task"] == "subscriptions.invoices_monthly"
    assert entry["schedule"].day_of_month == {1}
    make_subscription(seats=1, start=dt.date(2026, 1, 1))
    result = invoices_monthly.delay("2027-01").get()
    assert result["issued"] == 1


def test_batches_keep_queries_per_batch(make_subscription, django_assert_max_num_queries):
    for _ in range(12):
        make_subscription(company=CompanyFactory(), seats=1, start=dt.date(2026, 1, 1))
    # 1 query for the due companies, then per batch of 5: select, savepoint, the series' lock,
    # the companies invoiced meanwhile, the counter's update, 3 inserts, release; the year's
    # first invoice also creates the counter row (select, savepoint, insert, release, select).
    with django_assert_max_num_queries(1 + 3 * 9 + 4):
        summary = invoices_issue_for_month(month=JAN, actor=None, batch_size=5)
    assert summary["issued"] == 12
