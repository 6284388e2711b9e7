import csv
import datetime as dt
import io
import shutil
import subprocess

import pytest
from django.urls import reverse

from companies.models import Company, Role
from subscriptions.models import Extension, License, Subscription
from subscriptions.services import (
    extension_create,
    invoices_issue_for_month,
    license_assign,
    site_create,
    subscription_delegation_set,
    system_create,
)
from tests.factories import PASSWORD, CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(email=user.email, password=PASSWORD)
    return client


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


@pytest.fixture
def sub(make_subscription):
    return make_subscription(seats=2, start=dt.date(2026, 1, 1))


@pytest.fixture
def system(customer):
    site = site_create(company=customer, name="HQ", actor=None)
    return system_create(site=site, name="OXE 1", kind="oxe", actor=None)


def urls(customer, sub, system, partner):
    return {
        "subs": reverse("subscriptions:company", args=[customer.slug]),
        "licenses": reverse("subscriptions:licenses", args=[customer.slug, sub.pk]),
        "invoices": reverse("subscriptions:invoices", args=[customer.slug]),
        "systems": reverse("systems:company", args=[customer.slug]),
        "system": reverse("systems:system", args=[customer.slug, system.pk]),
        "consumption": reverse("subscriptions:consumption", args=[partner.slug]),
    }


# Tenant isolation: anonymous -> login; member without the role -> 403; another company's
# admin -> 404; the roles of SPEC §3.3–3.5 -> 200.
EXPECTED = {
    # page: (bp_finance, bp_operation, customer admin, plain member)
    "subs": (200, 200, 200, 403),
    "licenses": (200, 200, 200, 403),
    "invoices": (200, 403, 403, 403),
    "systems": (403, 200, 200, 403),
    "system": (403, 200, 200, 403),
}


@pytest.mark.parametrize("page", sorted(EXPECTED))
def test_isolation_matrix(
    client, page, customer, partner, sub, system, finance, operation, customer_admin
):
    url = urls(customer, sub, system, partner)[page]
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response.url
    member = UserFactory(company=customer)
    actors = (finance, operation, customer_admin, member)
    for actor, expected in zip(actors, EXPECTED[page], strict=True):
        client.logout()
        assert login(client, actor).get(url).status_code == expected, (page, actor)
    client.logout()
    outsider = UserFactory(company=CompanyFactory(), roles=[Role.COMPANY_ADMIN])
    assert login(client, outsider).get(url).status_code == 404


def test_consumption_is_for_the_partners_finance_only(client, partner, finance, operation):
    url = reverse("subscriptions:consumption", args=[partner.slug])
    assert login(client, finance).get(url).status_code == 200
    client.logout()
    assert login(client, operation).get(url).status_code == 403


def test_finance_creates_a_subscription_and_assigns_in_bulk(client, customer, finance, business):
    login(client, finance)
    response = client.post(
        reverse("subscriptions:company", args=[customer.slug]),
        {
            "offer": business.pk,
            "billing": "monthly",
            "seats": 2,
            "start_date": dt.date.today().isoformat(),
        },
        follow=True,
    )
    assert "Subscription created." in messages_of(response)
    sub = Subscription.objects.get(company=customer)
    members = [UserFactory(company=customer) for _ in range(3)]
    url = reverse("subscriptions:licenses", args=[customer.slug, sub.pk])
    response = client.post(url, {"users": [m.pk for m in members]}, follow=True)
    assert "Only 2 of 2 seats are free" in messages_of(response)
    response = client.post(url, {"users": [m.pk for m in members[:2]]}, follow=True)
    assert "2 license(s) assigned." in messages_of(response)
    assert License.objects.filter(subscription=sub, released_at__isnull=True).count() == 2
    response = client.post(url, {"users": [members[0].pk]}, follow=True)
    assert "already has a license of this subscription" in messages_of(response)


def test_a_past_start_date_is_refused_on_the_page(client, customer, finance, business):
    login(client, finance)
    response = client.post(
        reverse("subscriptions:company", args=[customer.slug]),
        {"offer": business.pk, "billing": "monthly", "seats": 2, "start_date": "2020-01-01"},
    )
    assert response.status_code == 400
    assert "starts today or later" in response.content.decode()


def test_license_for_another_companys_user_is_refused(client, customer, finance, sub):
    stranger = UserFactory(company=CompanyFactory())
    login(client, finance)
    url = reverse("subscriptions:licenses", args=[customer.slug, sub.pk])
    response = client.post(url, {"users": [stranger.pk]}, follow=True)
    assert "A license goes only to a member of this company." in messages_of(response)
    assert not License.objects.exists()


def test_release_from_the_members_list(client, customer, finance, sub):
    member = UserFactory(company=customer)
    lic = license_assign(subscription=sub, user=member, actor=None)
    login(client, finance)
    response = client.post(
        reverse("subscriptions:license-release", args=[customer.slug, sub.pk, lic.pk]), follow=True
    )
    assert "License released." in messages_of(response)


def test_increase_only_admin_raises_and_is_refused_a_decrease(
    client, customer, customer_admin, finance, sub
):
    subscription_delegation_set(company=customer, delegation="increase_only", actor=finance)
    login(client, customer_admin)
    url = reverse("subscriptions:seats", args=[customer.slug, sub.pk])
    assert "Seats set to 4." in messages_of(client.post(url, {"seats": 4}, follow=True))
    response = client.post(url, {"seats": 3}, follow=True)
    assert "increase seats only" in messages_of(response)
    sub.refresh_from_db()
    assert sub.seats == 4
    status_url = reverse("subscriptions:status", args=[customer.slug, sub.pk])
    response = client.post(status_url, {"action": "terminate"}, follow=True)
    assert "increase seats only" in messages_of(response)


def test_customer_admin_without_delegation_cannot_change_seats(
    client, customer, customer_admin, sub
):
    login(client, customer_admin)
    url = reverse("subscriptions:seats", args=[customer.slug, sub.pk])
    assert client.post(url, {"seats": 4}).status_code == 403


def test_prepaid_decrease_refused_on_the_page(client, customer, finance, make_subscription):
    prepaid = make_subscription(billing="prepaid_1y", seats=5, start=dt.date(2026, 6, 1))
    login(client, finance)
    url = reverse("subscriptions:seats", args=[customer.slug, prepaid.pk])
    response = client.post(url, {"seats": 4}, follow=True)
    assert "prepaid subscription can only grow" in messages_of(response)


def test_only_partner_finance_sets_delegation(client, customer, finance, operation):
    url = reverse("subscriptions:delegation", args=[customer.slug])
    login(client, operation)
    assert client.post(url, {"delegation": "full"}).status_code == 403
    client.logout()
    login(client, finance)
    client.post(url, {"delegation": "full"})
    customer.refresh_from_db()
    assert customer.subscription_delegation == "full"


def test_invoice_csv_and_pdf(client, customer, finance, sub):
    invoices_issue_for_month(month=dt.date(2027, 1, 1), actor=None)
    invoice = customer.invoices.get()
    login(client, finance)
    page = client.get(reverse("subscriptions:invoices", args=[customer.slug]))
    assert invoice.number in page.content.decode()
    response = client.get(
        reverse("subscriptions:invoice-csv", args=[customer.slug, invoice.number])
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][6:10] == ["2", "1", "9.90", "19.80"]
    assert rows[-3][3] == "Total" and rows[-3][9] == "19.80"
    assert rows[-2][3] == "VAT 20.00%" and rows[-2][9] == "3.96"
    assert rows[-1][3] == "Total due" and rows[-1][9] == "23.76"
    response = client.get(
        reverse("subscriptions:invoice-pdf", args=[customer.slug, invoice.number])
    )
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-") and b"%%EOF" in response.content[-64:]
    texts = [_pdf_text(response.content)]
    if shutil.which("pdftotext"):  # poppler, when installed, reads it as a viewer would
        texts.append(
            subprocess.run(
                ["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True
            ).stdout.decode()
        )
    for text in texts:
        assert invoice.number in text and "19.80" in text and customer.name in text


def _pdf_text(content: bytes) -> str:
    """The text of fpdf2's Flate-compressed page streams, without poppler."""
    import re
    import zlib

    out = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S):
        try:
            out.append(zlib.decompress(stream).decode("latin-1"))
        except zlib.error:
            continue
    return " ".join(re.findall(r"\((.*?)\)\s*Tj", " ".join(out)))


def test_invoice_of_another_company_is_404(client, customer, finance, sub, partner):
    other = CompanyFactory(business_partner=CompanyFactory(kind=Company.Kind.BUSINESS_PARTNER))
    invoices_issue_for_month(month=dt.date(2027, 1, 1), actor=None)
    invoice = customer.invoices.get()
    login(client, finance)
    url = reverse("subscriptions:invoice-pdf", args=[other.slug, invoice.number])
    assert client.get(url).status_code == 404


def test_consumption_chart_and_table_with_constant_queries(
    client, partner, finance, business, django_assert_max_num_queries
):
    from subscriptions.services import subscription_create

    def add_customer(n):
        company = CompanyFactory(name=f"Customer {n}", business_partner=partner)
        s = subscription_create(
            company=company,
            offer=business,
            billing="monthly",
            seats=4,
            start_date=dt.date(2026, 1, 1),
            actor=None,
        )
        for _ in range(2):
            license_assign(subscription=s, user=UserFactory(company=company), actor=None)

    add_customer(0)
    login(client, finance)
    url = reverse("subscriptions:consumption", args=[partner.slug])
    client.get(url)
    # 13: the second-factor check reads the company's policy on every request (D5.10).
    with django_assert_max_num_queries(13) as few:
        response = client.get(url)
    assert response.status_code == 200
    for n in range(1, 6):
        add_customer(n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("<svg") == 6 and "<polyline" in body
    assert "style=" not in body and "<script>" not in body
    assert "Customer 5" in body


def test_subscription_list_queries_do_not_grow(
    client, customer, finance, make_subscription, django_assert_max_num_queries
):
    make_subscription()
    login(client, finance)
    url = reverse("subscriptions:company", args=[customer.slug])
    client.get(url)
    with django_assert_max_num_queries(30) as base:
        assert client.get(url).status_code == 200
    for _ in range(5):
        make_subscription()
    with django_assert_max_num_queries(len(base.captured_queries)):
        assert client.get(url).status_code == 200


def test_licenses_page_queries_do_not_grow(
    client, customer, finance, sub, django_assert_max_num_queries
):
    login(client, finance)
    url = reverse("subscriptions:licenses", args=[customer.slug, sub.pk])
    UserFactory(company=customer)
    client.get(url)
    with django_assert_max_num_queries(30) as base:
        assert client.get(url).status_code == 200
    for _ in range(6):
        UserFactory(company=customer)
    with django_assert_max_num_queries(len(base.captured_queries)):
        assert client.get(url).status_code == 200


def test_operation_adds_site_system_extension_and_associates(client, customer, operation):
    login(client, operation)
    url = reverse("systems:company", args=[customer.slug])
    client.post(url, {"form": "site", "site-name": "Lyon", "site-address": ""})
    site = customer.sites.get()
    response = client.post(
        url,
        {"form": "system", "system-site": site.pk, "system-name": "PBX", "system-kind": "oxo"},
        follow=True,
    )
    assert "System “PBX” added." in messages_of(response)
    system = site.systems.get()
    sys_url = reverse("systems:system", args=[customer.slug, system.pk])
    client.post(sys_url, {"number": "301"})
    response = client.post(sys_url, {"number": "301"}, follow=True)
    assert "Extension 301 is already used on PBX" in messages_of(response)
    ext = Extension.objects.get(system=system)
    member = UserFactory(company=customer)
    assoc = reverse("systems:associate", args=[customer.slug, system.pk, ext.pk])
    client.post(assoc, {"user": member.pk})
    ext.refresh_from_db()
    assert ext.user == member
    stranger = UserFactory(company=CompanyFactory())
    response = client.post(assoc, {"user": stranger.pk}, follow=True)
    assert "goes only to a member of the system's company" in messages_of(response)
    ext.refresh_from_db()
    assert ext.user == member


def test_customer_admin_associates_but_cannot_add_equipment(
    client, customer, customer_admin, system
):
    ext = extension_create(system=system, number="401", actor=None)
    login(client, customer_admin)
    sys_url = reverse("systems:system", args=[customer.slug, system.pk])
    assert client.post(sys_url, {"number": "402"}).status_code == 403
    assoc = reverse("systems:associate", args=[customer.slug, system.pk, ext.pk])
    client.post(assoc, {"user": customer_admin.pk})
    ext.refresh_from_db()
    assert ext.user == customer_admin


def test_navigation_lists_subscriptions_and_systems(client, finance, operation):
    login(client, finance)
    body = client.get("/").content.decode()
    assert reverse("subscriptions:home") in body and reverse("systems:home") not in body
    client.logout()
    login(client, operation)
    body = client.get("/").content.decode()
    assert reverse("systems:home") in body


def test_systems_and_invoices_pages_queries_do_not_grow(
    client, customer, finance, operation, system, make_subscription, django_assert_max_num_queries
):
    def measure(url):
        client.get(url)
        with django_assert_max_num_queries(40) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    login(client, operation)
    systems_url = reverse("systems:company", args=[customer.slug])
    system_url = reverse("systems:system", args=[customer.slug, system.pk])
    before = measure(systems_url), measure(system_url)
    for n in range(4):
        site = site_create(company=customer, name=f"Site {n}", actor=None)
        other = system_create(site=site, name=f"PBX {n}", kind="oxo", actor=None)
        extension_create(system=other, number=f"7{n}0", actor=None)
        extension_create(system=system, number=f"8{n}0", actor=None)
    assert (measure(systems_url), measure(system_url)) == before
    client.logout()
    login(client, finance)
    invoices_url = reverse("subscriptions:invoices", args=[customer.slug])
    make_subscription(start=dt.date(2026, 1, 1))
    invoices_issue_for_month(month=dt.date(2026, 10, 1), actor=None)
    first = measure(invoices_url)
    for month in (11, 12):
        invoices_issue_for_month(month=dt.date(2026, month, 1), actor=None)
    assert measure(invoices_url) == first


def test_csv_does_not_let_a_company_name_run_as_a_formula(client, partner, finance, business):
    from subscriptions.services import subscription_create

    evil = CompanyFactory(name="=HYPERLINK(1)", business_partner=partner)
    subscription_create(
        company=evil,
        offer=business,
        billing="monthly",
        seats=1,
        start_date=dt.date(2026, 1, 1),
        actor=None,
    )
    invoices_issue_for_month(month=dt.date(2027, 1, 1), actor=None)
    invoice = evil.invoices.get()
    login(client, finance)
    response = client.get(reverse("subscriptions:invoice-csv", args=[evil.slug, invoice.number]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert {row[1] for row in rows[1:]} == {"'=HYPERLINK(1)"}


@pytest.mark.parametrize("bad", [str(10**30), "0", "abc", "1\x00"])
def test_license_page_refuses_out_of_range_ids_clearly(client, customer, finance, sub, bad):
    login(client, finance)
    url = reverse("subscriptions:licenses", args=[customer.slug, sub.pk])
    response = client.post(url, {"users": [bad]}, follow=True)
    assert response.status_code == 200
    assert "is not a member id" in messages_of(response)
    assert not License.objects.exists()


def test_license_form_bounds_the_number_of_ids(customer):
    from subscriptions.forms import LicenseAssignForm

    form = LicenseAssignForm({"users": [str(i) for i in range(1, 1002)]}, company=customer)
    assert not form.is_valid()
    assert form.errors["users"] == ["At most 1000 members at once."]


def test_single_id_choices_refuse_huge_ids_as_form_errors(customer):
    from subscriptions.forms import AssociateForm, SystemForm
    from subscriptions.models import Site

    huge = str(10**30)
    form = AssociateForm({"user": huge}, company=customer)
    assert not form.is_valid()
    assert form.errors["user"] == ["An extension goes only to a member of the system's company."]
    form = SystemForm(
        {"site": huge, "name": "PBX", "kind": "oxe"}, sites=Site.objects.filter(company=customer)
    )
    assert not form.is_valid() and "site" in form.errors


def test_an_issued_invoice_keeps_the_customers_name_after_a_rename(client, customer, finance, sub):
    """Issue 10: an invoice is immutable — the customer's name and billing details are
    copied at issue, and its CSV and PDF read the copy."""
    from companies.services import company_update

    invoices_issue_for_month(month=dt.date(2027, 1, 1), actor=None)
    invoice = customer.invoices.get()
    assert (invoice.customer_name, invoice.customer_region) == ("Cobalt", "EMEA")
    assert invoice.billed_through == customer.business_partner.name
    company_update(company=customer, name="Renamed Cobalt", actor=None)
    login(client, finance)
    csv_rows = list(
        csv.reader(
            io.StringIO(
                client.get(
                    reverse("subscriptions:invoice-csv", args=[customer.slug, invoice.number])
                ).content.decode()
            )
        )
    )
    assert csv_rows[1][1] == "Cobalt" and csv_rows[-1][1] == "Cobalt"
    pdf = client.get(reverse("subscriptions:invoice-pdf", args=[customer.slug, invoice.number]))
    text = _pdf_text(pdf.content)
    assert "Cobalt" in text and "Renamed" not in text
