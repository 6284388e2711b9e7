"""Invoices a finance department accepts (issue 14): issuer and customer details, due date,
VAT to the cent, and one gap-free number series per issuer and year, taken inside the issuing
transaction (EU invoicing rules)."""

import datetime as dt
import shutil
import subprocess
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

import activity
from companies.models import Role
from subscriptions.models import Invoice, InvoiceSequence
from subscriptions.services import invoices_issue_for_month
from subscriptions.services.invoices import invoice_amounts
from tests.factories import CompanyFactory, UserFactory

from .test_views import login

JAN = dt.date(2027, 1, 1)
YEAR = timezone.now().year


def _numbers():
    return sorted(Invoice.objects.values_list("number", flat=True))


def _series(count):
    return [f"{YEAR}-{n:06d}" for n in range(1, count + 1)]


@pytest.mark.django_db
def test_numbers_form_one_series_per_issuer_and_year(make_subscription, settings):
    for _ in range(3):
        make_subscription(company=CompanyFactory(), seats=1, start=dt.date(2026, 1, 1))
    invoices_issue_for_month(month=JAN, actor=None, batch_size=2)
    invoices_issue_for_month(month=dt.date(2027, 2, 1), actor=None)
    assert _numbers() == _series(6)
    # Another issuer (a new legal entity) starts its own series.
    settings.INVOICE_ISSUER_VAT_NUMBER = "DE123456789"
    invoices_issue_for_month(month=dt.date(2027, 3, 1), actor=None)
    other = sorted(
        Invoice.objects.filter(issuer_vat_number="DE123456789").values_list("number", flat=True)
    )
    assert other == _series(3)
    assert InvoiceSequence.objects.get(issuer_vat_number="FR00123456789", year=YEAR).last == 6


@pytest.mark.django_db
def test_a_failed_issue_gives_its_numbers_back(make_subscription, monkeypatch):
    make_subscription(company=CompanyFactory(), seats=1, start=dt.date(2026, 1, 1))

    def fail(**kwargs):
        raise RuntimeError("the activity log is down")

    monkeypatch.setattr(activity, "record_bulk", fail)
    with pytest.raises(RuntimeError):
        invoices_issue_for_month(month=JAN, actor=None)
    assert not Invoice.objects.exists()
    assert not InvoiceSequence.objects.filter(last__gt=0).exists()
    monkeypatch.undo()
    invoices_issue_for_month(month=JAN, actor=None)
    assert _numbers() == _series(1)


def test_vat_is_exact_to_the_cent_rounding_half_up():
    assert invoice_amounts(Decimal("29.70"), Decimal("20.00")) == {
        "total": Decimal("29.70"),
        "vat_rate": Decimal("20.00"),
        "vat_amount": Decimal("5.94"),
        "total_due": Decimal("35.64"),
    }
    # 0.10 × 5 % = 0.005: half up gives a cent (binary floats or banker's rounding give 0).
    assert invoice_amounts(Decimal("0.10"), Decimal("5.00"))["vat_amount"] == Decimal("0.01")
    assert invoice_amounts(Decimal("1234.56"), Decimal("5.50"))["vat_amount"] == Decimal("67.90")
    assert invoice_amounts(Decimal("99.99"), Decimal("0"))["total_due"] == Decimal("99.99")


@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_leave_no_gap_and_no_duplicate(make_subscription):
    if connection.vendor != "postgresql":
        pytest.skip("row locks (SELECT … FOR UPDATE) are PostgreSQL's; CI runs on it")
    for _ in range(24):
        make_subscription(company=CompanyFactory(), seats=1, start=dt.date(2026, 1, 1))
    start = threading.Barrier(4)
    errors = []

    def issue():
        from django.db import connection as own

        try:
            start.wait()
            invoices_issue_for_month(month=JAN, actor=None, batch_size=3)
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            own.close()

    threads = [threading.Thread(target=issue) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert Invoice.objects.count() == 24  # one per company, whoever issued it
    assert _numbers() == _series(24)  # 1..24: no gap, no duplicate
    assert InvoiceSequence.objects.get(year=YEAR).last == 24


@pytest.mark.django_db
def test_the_pdf_shows_the_legal_fields(client, customer, finance, make_subscription, settings):
    settings.INVOICE_ISSUER_NAME = "Rainbow Issuer SAS"
    settings.INVOICE_ISSUER_ADDRESS = "12 avenue des Tests|69002 Lyon|France"
    settings.INVOICE_ISSUER_VAT_NUMBER = "FR44123456789"
    settings.INVOICE_VAT_RATE = Decimal("20.00")
    settings.INVOICE_PAYMENT_DAYS = 30
    login(client, finance)
    response = client.post(
        reverse("subscriptions:billing", args=[customer.slug]),
        {
            "billing_name": "Cobalt Clinic SARL",
            "billing_address": "3 quai du Rhône\n69007 Lyon",
            "vat_number": "fr 55 987 654 321",
        },
    )
    assert response.status_code == 302
    make_subscription(seats=3, start=dt.date(2026, 11, 20))  # Business 9.90
    invoices_issue_for_month(month=JAN, actor=None)
    invoice = customer.invoices.get()
    assert invoice.due_date == invoice.issued_at.date() + dt.timedelta(days=30)
    pdf = client.get(reverse("subscriptions:invoice-pdf", args=[customer.slug, invoice.number]))
    assert shutil.which("pdftotext"), "poppler-utils (pdftotext) is installed by .ci/run"
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf.content, capture_output=True, check=True
    ).stdout.decode()
    due = f"{invoice.due_date.day} {invoice.due_date.strftime('%b %Y')}"  # DATE_FORMAT "j M Y"
    for expected in (
        f"Invoice {YEAR}-000001",
        "Rainbow Issuer SAS",
        "12 avenue des Tests",
        "69002 Lyon",
        "VAT number: FR44123456789",
        "Cobalt Clinic SARL",
        "3 quai du Rhône",
        "VAT number: FR55987654321",
        "Total excl. VAT: 29.70 EUR",
        "VAT at 20.00 %: 5.94 EUR",
        "Total due: 35.64 EUR",
        "Due date",
    ):
        assert expected in text, expected
    assert due.split()[-1] in text and "Payment due by" in text


@pytest.mark.django_db
def test_billing_details_are_checked_and_kept_by_their_keepers(client):
    # A company admin keeps its billing details (its invoices are its partner's Finance's).
    customer = CompanyFactory(name="Direct Customer")
    customer_admin = UserFactory(company=customer, roles=[Role.COMPANY_ADMIN])
    url = reverse("subscriptions:billing", args=[customer.slug])
    login(client, customer_admin)
    assert client.get(url).status_code == 200
    page = client.post(url, {"billing_name": "", "billing_address": "", "vat_number": "12"})
    assert page.status_code == 400
    assert "Enter a VAT number" in page.content.decode()
    customer.refresh_from_db()
    assert customer.vat_number == ""
    assert (
        client.post(url, {"billing_name": "Cobalt SA", "vat_number": "BE0123456789"}).status_code
        == 302
    )
    customer.refresh_from_db()
    assert (customer.billing_name, customer.vat_number) == ("Cobalt SA", "BE0123456789")
    client.logout()
    login(client, UserFactory(company=customer))  # a plain member
    assert client.post(url, {"billing_name": "Mine"}).status_code in (403, 404)
    customer.refresh_from_db()
    assert customer.billing_name == "Cobalt SA"
