import datetime as dt

import pytest

from subscriptions.models import License
from subscriptions.services import (
    extension_create,
    invoices_issue_for_month,
    site_create,
    subscription_delegation_set,
    system_create,
)
from tests.factories import CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_anonymous_gets_401(api_client, customer):
    assert api_client.get(f"/api/v1/subscriptions/{customer.slug}/").status_code == 401


def test_finance_creates_lists_and_assigns(api_client, customer, finance):
    api_client.force_authenticate(finance)
    base = f"/api/v1/subscriptions/{customer.slug}/"
    response = api_client.post(
        base,
        {"offer": "enterprise", "billing": "prepaid_1y", "seats": 2, "start_date": "2027-03-01"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    members = [UserFactory(company=customer) for _ in range(3)]
    url = f"{base}{pk}/licenses/"
    response = api_client.post(url, {"user_ids": [m.pk for m in members]}, format="json")
    assert response.status_code == 400
    assert "Only 2 of 2 seats are free" in response.json()["error"]["message"]
    response = api_client.post(url, {"user_ids": [members[0].pk]}, format="json")
    assert response.status_code == 201 and response.json()["assigned"] == 1
    stranger = UserFactory(company=CompanyFactory())
    response = api_client.post(url, {"user_ids": [stranger.pk]}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "A license goes only to a member of this company."
    response = api_client.post(f"{base}{pk}/seats/", {"seats": 1}, format="json")
    assert response.status_code == 400
    assert "prepaid" in response.json()["error"]["message"]
    listed = api_client.get(base).json()
    assert [s["seats"] for s in listed] == [2]
    assert License.objects.count() == 1


def test_essential_cannot_be_bought(api_client, customer, finance):
    api_client.force_authenticate(finance)
    response = api_client.post(
        f"/api/v1/subscriptions/{customer.slug}/",
        {"offer": "essential", "billing": "monthly", "seats": 2, "start_date": "2027-03-01"},
        format="json",
    )
    assert response.status_code == 400


def test_increase_only_through_the_api(
    api_client, customer, customer_admin, finance, make_subscription
):
    sub = make_subscription(seats=3)
    subscription_delegation_set(company=customer, delegation="increase_only", actor=finance)
    api_client.force_authenticate(customer_admin)
    url = f"/api/v1/subscriptions/{customer.slug}/{sub.pk}/seats/"
    assert api_client.post(url, {"seats": 5}, format="json").json()["seats"] == 5
    response = api_client.post(url, {"seats": 2}, format="json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "increase_only"
    response = api_client.post(
        f"/api/v1/subscriptions/{customer.slug}/{sub.pk}/status/",
        {"action": "suspend"},
        format="json",
    )
    assert response.status_code == 400


def test_invoices_are_strings_and_finance_only(
    api_client, customer, finance, operation, make_subscription
):
    make_subscription(seats=3, start=dt.date(2026, 1, 1))
    invoices_issue_for_month(month=dt.date(2027, 1, 1), actor=None)
    url = f"/api/v1/subscriptions/{customer.slug}/invoices/"
    api_client.force_authenticate(operation)
    assert api_client.get(url).status_code == 403
    api_client.force_authenticate(finance)
    assert api_client.get(url).json()[0]["total"] == "29.70"


def test_other_company_is_404(api_client, customer):
    outsider = UserFactory(company=CompanyFactory())
    api_client.force_authenticate(outsider)
    assert api_client.get(f"/api/v1/subscriptions/{customer.slug}/").status_code == 404
    assert api_client.get(f"/api/v1/systems/{customer.slug}/").status_code == 404


def test_systems_extensions_and_members(api_client, customer, operation):
    site = site_create(company=customer, name="HQ", actor=None)
    system = system_create(site=site, name="GW", kind="webrtc_gateway", actor=None)
    api_client.force_authenticate(operation)
    listed = api_client.get(f"/api/v1/systems/{customer.slug}/").json()
    assert listed[0]["kind"] == "webrtc_gateway" and len(listed[0]["activation_code"]) == 4
    url = f"/api/v1/systems/{customer.slug}/{system.pk}/extensions/"
    assert api_client.post(url, {"number": "500"}, format="json").status_code == 201
    response = api_client.post(url, {"number": "500"}, format="json")
    assert response.status_code == 400 and "already used" in response.json()["error"]["message"]
    ext = extension_create(system=system, number="501", actor=None)
    member_url = f"{url}{ext.pk}/member/"
    member = UserFactory(company=customer)
    assert (
        api_client.post(member_url, {"user_id": member.pk}, format="json").json()["user_id"]
        == member.pk
    )
    stranger = UserFactory(company=CompanyFactory())
    response = api_client.post(member_url, {"user_id": stranger.pk}, format="json")
    assert response.status_code == 400
    assert api_client.post(member_url, {"user_id": None}, format="json").json()["user_id"] is None


def test_operation_creates_site_and_system_and_customer_admin_cannot(
    api_client, customer, operation, customer_admin
):
    api_client.force_authenticate(operation)
    response = api_client.post(
        f"/api/v1/systems/{customer.slug}/sites/", {"name": "Quay"}, format="json"
    )
    assert response.status_code == 201, response.content
    site = response.json()
    response = api_client.post(
        f"/api/v1/systems/{customer.slug}/",
        {"site_id": site["id"], "name": "Quay OXO", "kind": "oxo"},
        format="json",
    )
    assert response.status_code == 201 and response.json()["activation_code"].isdigit()
    api_client.force_authenticate(customer_admin)
    response = api_client.post(
        f"/api/v1/systems/{customer.slug}/",
        {"site_id": site["id"], "name": "Another", "kind": "oxo"},
        format="json",
    )
    assert response.status_code == 403


# --- Security review: ids and lists are bounded, never a 500 ---------------------------------

HUGE = 10**30


@pytest.mark.parametrize(
    "user_ids, message",
    [
        ([HUGE], "less than or equal to"),
        ([0], "greater than or equal to 1"),
        ([-5], "greater than or equal to 1"),
        (list(range(1, 1002)), "no more than 1000"),
        ([], "at least 1"),
    ],
)
def test_license_ids_out_of_range_are_a_clear_400(
    api_client, customer, finance, make_subscription, user_ids, message
):
    subscription = make_subscription()
    api_client.force_authenticate(finance)
    response = api_client.post(
        f"/api/v1/subscriptions/{customer.slug}/{subscription.pk}/licenses/",
        {"user_ids": user_ids},
        format="json",
    )
    assert response.status_code == 400
    assert message in str(response.json()["error"]["fields"]["user_ids"])
    assert License.objects.count() == 0


def test_system_and_extension_ids_out_of_range_are_a_clear_400(api_client, customer, operation):
    site = site_create(company=customer, name="HQ", actor=None)
    system = system_create(site=site, name="PBX", kind="oxe", actor=None)
    extension = extension_create(system=system, number="2001", actor=None)
    api_client.force_authenticate(operation)
    response = api_client.post(
        f"/api/v1/systems/{customer.slug}/",
        {"site_id": HUGE, "name": "x", "kind": "oxe"},
        format="json",
    )
    assert response.status_code == 400
    assert "site_id" in response.json()["error"]["fields"]
    response = api_client.post(
        f"/api/v1/systems/{customer.slug}/{system.pk}/extensions/{extension.pk}/member/",
        {"user_id": HUGE},
        format="json",
    )
    assert response.status_code == 400
    assert "user_id" in response.json()["error"]["fields"]
