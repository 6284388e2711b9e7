import datetime as dt

import pytest

from companies.models import Company
from rainbow_portal.exceptions import ApplicationError
from subscriptions.models import License, Offer, SeatChange
from subscriptions.services import (
    license_assign,
    offer_update,
    subscription_create,
    subscription_delegation_set,
    subscription_resume,
    subscription_seats_set,
    subscription_suspend,
    subscription_terminate,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_three_offers_exist_and_essential_is_free():
    offers = {o.code: o for o in Offer.objects.all()}
    assert set(offers) == {"essential", "business", "enterprise"}
    assert offers["essential"].price_per_seat_month == 0
    assert offers["business"].price_per_seat_month > 0


def test_superadmin_changes_a_price_exactly_and_floats_are_refused(business, assert_activity):
    root = UserFactory(is_superuser=True, is_staff=True)
    offer_update(offer=business, price="12.34", actor=root)
    business.refresh_from_db()
    assert str(business.price_per_seat_month) == "12.34"
    assert_activity("offer.updated")
    with pytest.raises(ApplicationError, match="exact decimals"):
        offer_update(offer=business, price=12.5, actor=root)
    with pytest.raises(ApplicationError, match="two decimal"):
        offer_update(offer=business, price="1.999", actor=root)
    with pytest.raises(ApplicationError, match="superadmin"):
        offer_update(offer=business, price="1.00", actor=UserFactory())


def test_essential_stays_free():
    root = UserFactory(is_superuser=True, is_staff=True)
    with pytest.raises(ApplicationError, match="free"):
        offer_update(offer=Offer.objects.get(code="essential"), price="1.00", actor=root)


def test_create_records_and_keeps_seat_history(make_subscription, customer, assert_activity):
    sub = make_subscription(seats=5)
    assert sub.company == customer and sub.status == "active"
    assert list(SeatChange.objects.filter(subscription=sub).values_list("seats", flat=True)) == [5]
    assert_activity("subscription.created")


def test_essential_needs_no_subscription(make_subscription):
    with pytest.raises(ApplicationError, match="Essential is included"):
        make_subscription(offer=Offer.objects.get(code="essential"))


def test_monthly_seats_grow_and_shrink_but_not_below_assigned(
    make_subscription, customer, assert_activity
):
    sub = make_subscription(seats=2)
    subscription_seats_set(subscription=sub, seats=4, actor=None)
    license_assign(subscription=sub, user=UserFactory(company=customer), actor=None)
    license_assign(subscription=sub, user=UserFactory(company=customer), actor=None)
    with pytest.raises(ApplicationError, match="2 licenses are assigned"):
        subscription_seats_set(subscription=sub, seats=1, actor=None)
    subscription_seats_set(subscription=sub, seats=2, actor=None)
    sub.refresh_from_db()
    assert sub.seats == 2
    assert_activity("subscription.seats.changed", count=2)
    assert SeatChange.objects.filter(subscription=sub).count() == 3


def test_prepaid_term_only_grows(make_subscription):
    sub = make_subscription(billing="prepaid_1y", seats=10, start=dt.date(2026, 3, 15))
    assert sub.term_end == dt.date(2027, 3, 14)
    subscription_seats_set(subscription=sub, seats=12, actor=None)
    with pytest.raises(ApplicationError, match="prepaid subscription can only grow"):
        subscription_seats_set(subscription=sub, seats=11, actor=None)
    sub.refresh_from_db()
    assert sub.seats == 12


def test_increase_only_delegation_lets_the_customer_admin_grow_only(
    make_subscription, customer, customer_admin, finance, assert_activity
):
    sub = make_subscription(seats=3)
    subscription_delegation_set(company=customer, delegation="increase_only", actor=finance)
    customer.refresh_from_db()
    customer_admin.company = customer
    subscription_seats_set(subscription=sub, seats=5, actor=customer_admin)
    with pytest.raises(ApplicationError, match="increase seats only"):
        subscription_seats_set(subscription=sub, seats=4, actor=customer_admin)
    with pytest.raises(ApplicationError, match="increase seats only"):
        subscription_suspend(subscription=sub, actor=customer_admin)
    with pytest.raises(ApplicationError, match="increase seats only"):
        subscription_terminate(subscription=sub, actor=customer_admin)
    sub.refresh_from_db()
    assert (sub.seats, sub.status) == (5, "active")
    # Finance itself is not limited by the customer's delegation.
    subscription_seats_set(subscription=sub, seats=4, actor=finance)
    assert_activity("subscription.delegation.changed")


def test_full_delegation_allows_a_decrease(make_subscription, customer, customer_admin, finance):
    sub = make_subscription(seats=3)
    subscription_delegation_set(company=customer, delegation="full", actor=finance)
    customer_admin.company.refresh_from_db()
    subscription_seats_set(subscription=sub, seats=2, actor=customer_admin)
    sub.refresh_from_db()
    assert sub.seats == 2


def test_delegation_needs_a_partner(finance):
    lonely = Company.objects.create(name="Lonely", slug="lonely", region="EMEA")
    with pytest.raises(ApplicationError, match="no business partner"):
        subscription_delegation_set(company=lonely, delegation="full", actor=finance)


def test_suspend_resume_terminate_and_termination_frees_licenses(
    make_subscription, customer, assert_activity
):
    sub = make_subscription(seats=2)
    member = UserFactory(company=customer)
    license_assign(subscription=sub, user=member, actor=None)
    subscription_suspend(subscription=sub, actor=None)
    with pytest.raises(ApplicationError, match="Only an active"):
        subscription_suspend(subscription=sub, actor=None)
    subscription_resume(subscription=sub, actor=None)
    subscription_terminate(subscription=sub, actor=None, on=dt.date(2026, 6, 10))
    sub.refresh_from_db()
    assert sub.status == "terminated" and sub.ended_on == dt.date(2026, 6, 10)
    assert not License.objects.filter(user=member, released_at__isnull=True).exists()
    with pytest.raises(ApplicationError, match="terminated"):
        subscription_seats_set(subscription=sub, seats=3, actor=None)
    for name in ("subscription.suspended", "subscription.resumed", "subscription.terminated"):
        assert_activity(name)


def test_a_terminated_company_cannot_subscribe(make_subscription, customer):
    customer.status = Company.Status.TERMINATED
    customer.save()
    with pytest.raises(ApplicationError, match="terminated"):
        make_subscription()


def test_seats_must_be_positive(customer, business):
    with pytest.raises(ApplicationError, match="at least one seat"):
        subscription_create(
            company=customer,
            offer=business,
            billing="monthly",
            seats=0,
            start_date=dt.date(2026, 1, 1),
            actor=None,
        )


def test_a_start_date_years_ahead_is_refused_and_nothing_is_written(
    make_subscription, api_client, assert_activity
):
    """Found by fuzzing: a prepaid start in 9999 was stored, then every page that computed its
    term end answered 500. Refused by the service, so page and API alike."""
    from django.utils import timezone

    from subscriptions.models import Subscription

    with pytest.raises(ApplicationError, match="within a year"):
        make_subscription(billing="prepaid_5y", start=dt.date(9999, 6, 1))
    with pytest.raises(ApplicationError, match="within a year"):
        make_subscription(start=timezone.now().date() + dt.timedelta(days=400))
    assert not Subscription.objects.exists()
    assert_activity("subscription.created", count=0)
    # Within the year is fine.
    make_subscription(start=timezone.now().date() + dt.timedelta(days=300))
