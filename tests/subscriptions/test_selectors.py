import datetime as dt

import pytest
from django.utils import timezone

from subscriptions.dates import add_months, month_start
from subscriptions.selectors import consumption
from subscriptions.services import (
    license_assign,
    offer_update,
    subscription_seats_set,
    subscription_terminate,
)
from tests.factories import CompanyFactory, UserFactory, login_with_second_factor

pytestmark = pytest.mark.django_db


def test_consumption_follows_seat_and_license_history(partner, customer, make_subscription):
    today = timezone.now().date()
    start = add_months(month_start(today), -2)
    sub = make_subscription(seats=4, start=start)
    old = make_subscription(seats=9, start=add_months(start, -6))
    subscription_terminate(subscription=old, actor=None, on=add_months(start, -4))
    subscription_seats_set(subscription=sub, seats=6, actor=None)
    license_assign(subscription=sub, user=UserFactory(company=customer), actor=None)
    CompanyFactory(name="Not a customer")
    rows = consumption(partner=partner, today=today)
    assert [r["company"] for r in rows] == [customer]
    bought, assigned = rows[0]["bought"], rows[0]["assigned"]
    assert len(bought) == 12
    # The terminated subscription counted until its termination month, then nothing.
    assert bought[-9:-6] == [9, 9, 9] and bought[-6:-3] == [0, 0, 0]
    assert bought[-3:] == [4, 4, 6]
    assert assigned[-3:] == [0, 0, 1]


def test_month_arithmetic_clamps_to_month_end():
    assert add_months(dt.date(2027, 1, 31), 1) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2027, 1, 15), -13) == dt.date(2025, 12, 15)


def test_superadmin_edits_an_offer_in_the_operator_pages(client, business):
    from activity.models import ActivityRecord

    root = UserFactory(is_staff=True, is_superuser=True)
    login_with_second_factor(client, root)
    url = f"/admin/subscriptions/offer/{business.pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"name": "Business Plus", "price_per_seat_month": "11.50", "description": "x"}
    )
    assert response.status_code == 302
    business.refresh_from_db()
    assert (business.name, str(business.price_per_seat_month)) == ("Business Plus", "11.50")
    assert ActivityRecord.objects.filter(event="offer.updated").count() == 1
    assert client.get("/admin/subscriptions/offer/add/").status_code == 403


def test_a_new_price_applies_to_invoices_issued_afterwards(make_subscription, business):
    from subscriptions.services import invoices_issue_for_month

    make_subscription(seats=2, start=dt.date(2026, 1, 1))
    invoices_issue_for_month(month=dt.date(2027, 1, 1), actor=None)
    root = UserFactory(is_staff=True, is_superuser=True)
    offer_update(offer=business, price="10.00", actor=root)
    summary = invoices_issue_for_month(month=dt.date(2027, 2, 1), actor=None)
    assert summary["amount_total"] == "20.00"
    from subscriptions.models import InvoiceLine

    assert sorted(str(a) for a in InvoiceLine.objects.values_list("amount", flat=True)) == [
        "19.80",
        "20.00",
    ]


# --- The scoped lookups' details (issue 9's mutation run): what they leave out, what they
# bring along in the same query.


def test_license_get_finds_a_live_license_and_not_a_released_one(
    make_subscription, customer, django_assert_num_queries
):
    from django.http import Http404

    from subscriptions.selectors import license_get
    from subscriptions.services import license_release

    sub = make_subscription(seats=3)
    member = UserFactory(company=customer, first_name="Lena")
    live = license_assign(subscription=sub, user=member, actor=None)
    with django_assert_num_queries(1):  # the holder comes in the same query
        assert license_get(subscription=sub, pk=live.pk).user.first_name == "Lena"
    license_release(license_=live, actor=None)
    with pytest.raises(Http404):
        license_get(subscription=sub, pk=live.pk)


def test_invoice_get_brings_its_company_and_lines_in_two_queries(
    make_subscription, customer, django_assert_num_queries
):
    from django.http import Http404

    from subscriptions.models import Invoice
    from subscriptions.selectors import invoice_get
    from subscriptions.services import invoices_issue_for_month

    make_subscription(seats=2, start=dt.date(2026, 1, 1))
    invoices_issue_for_month(month=dt.date(2027, 1, 1), actor=None)
    number = Invoice.objects.get(company=customer).number
    with django_assert_num_queries(2):  # the invoice with its company, then its lines
        invoice = invoice_get(company=customer, number=number)
        assert invoice.company.name == "Cobalt"
        # The page reads the lines more than once (rows, then totals): still one query.
        assert len(invoice.lines.all()) == 1
        assert [line.invoice_id for line in invoice.lines.all()] == [invoice.pk]
    with pytest.raises(Http404):
        invoice_get(company=CompanyFactory(name="Other"), number=number)
