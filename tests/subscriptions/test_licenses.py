import threading

import pytest
from django.db import OperationalError, connection

from activity.models import ActivityRecord
from rainbow_portal.exceptions import ApplicationError
from subscriptions.models import License
from subscriptions.services import (
    license_assign,
    license_release,
    licenses_assign_bulk,
    licenses_release_for_user,
    subscription_suspend,
)
from tests.factories import CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db


def active(user=None, subscription=None):
    qs = License.objects.filter(released_at__isnull=True)
    if user is not None:
        qs = qs.filter(user=user)
    if subscription is not None:
        qs = qs.filter(subscription=subscription)
    return qs


def test_assign_records_and_counts(make_subscription, customer):
    sub = make_subscription(seats=2)
    member = UserFactory(company=customer)
    lic = license_assign(subscription=sub, user=member, actor=None)
    assert lic.exclusive is True
    assert ActivityRecord.objects.filter(event="license.assigned").count() == 1


def test_over_assignment_is_refused_all_or_nothing(make_subscription, customer):
    sub = make_subscription(seats=2)
    members = [UserFactory(company=customer) for _ in range(3)]
    with pytest.raises(ApplicationError, match="Only 2 of 2 seats are free"):
        licenses_assign_bulk(subscription=sub, users=members, actor=None)
    assert active(subscription=sub).count() == 0
    licenses_assign_bulk(subscription=sub, users=members[:2], actor=None)
    with pytest.raises(ApplicationError, match="Only 0 of 2 seats"):
        license_assign(subscription=sub, user=members[2], actor=None)


def test_duplicate_assignment_is_refused(make_subscription, customer, enterprise):
    # Duplicate on a non-exclusive path too: the same subscription twice.
    sub = make_subscription(seats=5)
    member = UserFactory(company=customer)
    license_assign(subscription=sub, user=member, actor=None)
    with pytest.raises(ApplicationError, match="already has a license of this subscription"):
        license_assign(subscription=sub, user=member, actor=None)
    assert active(user=member).count() == 1


def test_second_business_or_enterprise_license_is_refused(make_subscription, customer, enterprise):
    business_sub = make_subscription(seats=5)
    business_sub2 = make_subscription(seats=5)
    enterprise_sub = make_subscription(offer=enterprise, seats=5)
    member = UserFactory(company=customer, first_name="Nina", last_name="Nash")
    license_assign(subscription=business_sub, user=member, actor=None)
    with pytest.raises(ApplicationError, match="Nina Nash already holds a Business license"):
        license_assign(subscription=enterprise_sub, user=member, actor=None)
    with pytest.raises(ApplicationError, match="at most one of Business or Enterprise"):
        license_assign(subscription=business_sub2, user=member, actor=None)
    assert active(user=member).count() == 1


def test_member_of_another_company_is_refused(make_subscription):
    sub = make_subscription(seats=5)
    stranger = UserFactory(company=CompanyFactory())
    with pytest.raises(ApplicationError, match="is not a member of Cobalt"):
        license_assign(subscription=sub, user=stranger, actor=None)


def test_suspended_subscription_assigns_nothing(make_subscription, customer):
    sub = make_subscription(seats=5)
    subscription_suspend(subscription=sub, actor=None)
    with pytest.raises(ApplicationError, match="suspended"):
        license_assign(subscription=sub, user=UserFactory(company=customer), actor=None)


def test_closed_account_gets_no_license(make_subscription, customer):
    sub = make_subscription(seats=5)
    closed = UserFactory(company=customer, is_active=False)
    with pytest.raises(ApplicationError, match="closed"):
        license_assign(subscription=sub, user=closed, actor=None)


def test_release_frees_the_seat(make_subscription, customer):
    sub = make_subscription(seats=1)
    a, b = UserFactory(company=customer), UserFactory(company=customer)
    lic = license_assign(subscription=sub, user=a, actor=None)
    license_release(license_=lic, actor=None)
    with pytest.raises(ApplicationError, match="already released"):
        license_release(license_=lic, actor=None)
    license_assign(subscription=sub, user=b, actor=None)
    assert active(subscription=sub).count() == 1


def test_closing_an_account_frees_its_licenses_once(make_subscription, customer, enterprise):
    member = UserFactory(company=customer)
    license_assign(subscription=make_subscription(seats=1), user=member, actor=None)
    sub2 = make_subscription(offer=enterprise, seats=1)
    other = UserFactory(company=customer)
    license_assign(subscription=sub2, user=other, actor=None)
    assert licenses_release_for_user(user=member, actor=None) == 1
    assert licenses_release_for_user(user=member, actor=None) == 0
    assert active(user=member).count() == 0
    assert active(user=other).count() == 1
    assert ActivityRecord.objects.filter(event="license.released").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_assignments_cannot_overfill_seats(make_subscription, customer):
    sub = make_subscription(seats=1)
    members = [UserFactory(company=customer) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes = []

    def assign(member):
        try:
            barrier.wait()
            license_assign(subscription=sub, user=member, actor=None)
            outcomes.append("ok")
        except (ApplicationError, OperationalError) as exc:
            outcomes.append(f"{type(exc).__name__}: {exc}")
        finally:
            connection.close()

    threads = [threading.Thread(target=assign, args=(m,)) for m in members]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Never more licenses than seats. On PostgreSQL the row lock serializes the two: one
    # wins, the other is told no seat is free. (SQLite's shared-cache test database may
    # refuse both with "table is locked": still never an overfill.)
    assert active(subscription=sub).count() == outcomes.count("ok") <= 1, outcomes
    if connection.vendor == "postgresql":
        assert outcomes.count("ok") == 1, outcomes
        assert any("seats are free" in o for o in outcomes), outcomes


def test_an_unverified_account_holds_no_license(make_subscription, customer):
    """SPEC §7.1: until its address is verified an account holds no license."""
    from accounts.security.services import user_verified_set

    sub = make_subscription(seats=2)
    member = UserFactory(company=customer, first_name="Una", last_name="Verified")
    user_verified_set(user=member, verified=False)
    with pytest.raises(ApplicationError, match="Una Verified has not verified") as exc:
        license_assign(subscription=sub, user=member, actor=None)
    assert exc.value.code == "unverified"
    assert not active(user=member).exists()
    user_verified_set(user=member, verified=True)
    assert license_assign(subscription=sub, user=member, actor=None)
