"""Dashboards by role (issue 14): what each role sees, and a constant number of queries per
dashboard whatever the company's size (measured at two sizes)."""

import datetime as dt
import secrets

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Contact, Invitation, UserSecurity
from activity.models import ActivityRecord
from companies.models import Company, CompanyInvitation, JoinRequest, Role
from subscriptions.models import Extension, License, Offer, Site, Subscription, System
from tests.factories import CompanyFactory, UserFactory, make_operations

pytestmark = pytest.mark.django_db


def _queries(client, url) -> tuple[int, str]:
    client.get(url)  # warm: the first request of a session fills caches (content types, …)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries), response.content.decode()


def _grow_company(company, admin, n: int, offer) -> None:
    """n more of everything the company admin's and the user's panels list."""
    standalone = Company.objects.get(is_default=True)
    sub = Subscription.objects.create(
        company=company,
        offer=offer,
        billing="prepaid_1y",
        seats=n + 5,
        start_date=timezone.localdate() - dt.timedelta(days=340),
    )
    for i in range(n):
        member = UserFactory(company=company, is_active=i % 3 != 0)
        License.objects.create(subscription=sub, user=member, assigned_at=timezone.now())
        CompanyInvitation.objects.create(
            company=company,
            email=f"new{i}-{secrets.token_hex(3)}@example.test",
            token_hash=secrets.token_hex(32),
            invited_by=admin,
            expires_at=timezone.now() + dt.timedelta(days=7),
        )
        JoinRequest.objects.create(company=company, user=UserFactory(company=standalone))
        Contact.objects.create(owner=admin, contact=member)
        Invitation.objects.create(
            inviter=UserFactory(),
            invitee=admin,
            kind="in_app",
            last_sent_at=timezone.now(),
        )


def test_company_admin_dashboard_constant_queries(client):
    company = CompanyFactory(name="Acme")
    admin = UserFactory(company=company, roles=[Role.COMPANY_ADMIN])
    offer = Offer.objects.get(code="business")
    _grow_company(company, admin, 2, offer)
    client.force_login(admin)
    url = reverse("core:dashboard")
    small, _ = _queries(client, url)
    _grow_company(company, admin, 25, offer)
    large, html = _queries(client, url)
    assert large == small
    assert 'data-testid="panel-company"' in html and 'data-testid="panel-seats"' in html
    assert 'data-testid="panel-partner"' not in html  # not a partner member
    # 27 members made by _grow_company, 10 of them inactive, plus the admin.
    assert 'data-testid="members-inactive">10<' in html
    assert 'data-testid="members-active">18<' in html
    assert "Business" in html and 'data-testid="ending-soon"' in html


def _grow_partner(partner, n: int, offer) -> None:
    for i in range(n):
        customer = CompanyFactory(business_partner=partner)
        member = UserFactory(company=customer)
        sub = Subscription.objects.create(
            company=customer,
            offer=offer,
            billing="prepaid_1y",
            seats=3,
            start_date=timezone.localdate() - dt.timedelta(days=350),
        )
        License.objects.create(subscription=sub, user=member, assigned_at=timezone.now())
        site = Site.objects.create(company=customer, name=f"Site {i}")
        system = System.objects.create(
            site=site, name=f"PBX {i}", kind="oxe", activation_code="1234"
        )
        Extension.objects.create(system=system, number=f"{100 + i}")
        Extension.objects.create(system=system, number=f"{200 + i}", user=member)


def test_partner_dashboard_constant_queries(client):
    partner = CompanyFactory(kind=Company.Kind.BUSINESS_PARTNER)
    staff = UserFactory(company=partner, roles=[Role.BP_FINANCE, Role.BP_OPERATION])
    offer = Offer.objects.get(code="business")
    _grow_partner(partner, 2, offer)
    client.force_login(staff)
    url = reverse("core:dashboard")
    small, _ = _queries(client, url)
    _grow_partner(partner, 20, offer)
    large, html = _queries(client, url)
    assert large == small
    assert 'data-testid="panel-finance"' in html and 'data-testid="panel-operation"' in html
    assert "22 extensions have no member yet" in html
    assert "1 / 3" in html  # a customer's seats used / bought


def test_operation_only_partner_sees_no_finance(client):
    partner = CompanyFactory(kind=Company.Kind.BUSINESS_PARTNER)
    staff = UserFactory(company=partner, roles=[Role.BP_OPERATION])
    client.force_login(staff)
    html = client.get(reverse("core:dashboard")).content.decode()
    assert 'data-testid="panel-operation"' in html
    assert 'data-testid="panel-finance"' not in html


def _grow_signins(n: int) -> None:
    now = timezone.now()
    for i in range(n):
        user = UserFactory()
        UserSecurity.objects.update_or_create(
            user=user, defaults={"locked_until": now + dt.timedelta(minutes=30)}
        )
        for event in ("user.login.failed", "user.locked", "request"):
            ActivityRecord.objects.create(
                occurred_at=now - dt.timedelta(days=i % 10),
                kind="action",
                event=event,
                region="EMEA",
            )


def test_operations_dashboard_constant_queries(client):
    ops = make_operations(UserFactory())
    _grow_signins(2)
    client.force_login(ops)
    url = reverse("core:operations")
    small, _ = _queries(client, url)
    _grow_signins(30)
    large, html = _queries(client, url)
    assert large == small
    assert 'data-testid="panel-locked"' in html
    assert "32 failed sign-ins and 32 locks in 14 days" in html
    # The operations nav entry exists for operations staff, not for others.
    assert f'href="{url}"' in html


def test_operations_page_refuses_others(client):
    client.force_login(UserFactory(company=CompanyFactory(), roles=[Role.COMPANY_ADMIN]))
    assert client.get(reverse("core:operations")).status_code == 403
    html = client.get(reverse("core:dashboard")).content.decode()
    assert reverse("core:operations") not in html


def test_user_dashboard_shows_network_and_licenses(client):
    company = CompanyFactory()
    user = UserFactory(company=company)
    friend = UserFactory(company=company, first_name="Zora", last_name="Zed")
    Contact.objects.create(owner=user, contact=friend)
    Invitation.objects.create(
        inviter=UserFactory(first_name="Ivan", last_name="Inviter"),
        invitee=user,
        kind="in_app",
        last_sent_at=timezone.now(),
    )
    client.force_login(user)
    html = client.get(reverse("core:dashboard")).content.decode()
    assert "Zora Zed" in html and "Ivan Inviter invites you" in html
    assert 'data-testid="panel-my-licenses"' in html
    assert 'data-testid="panel-company"' not in html


def test_chart_geometry():
    from core.charts import day_columns, seat_bar

    bar = seat_bar(1, 4)
    assert (bar["used_w"], bar["free_x"], bar["free_w"], bar["free"]) == (75, 75, 225, 3)
    assert seat_bar(9, 4)["used"] == 4  # never more used than bought
    assert seat_bar(0, 0)["used_w"] == 0  # no seats: no division by zero
    days = ["d1", "d2"]
    one = day_columns(days, {"a": [2, 4]})
    two = day_columns(days, {"a": [2, 4], "b": [0, 1]})
    assert one["width"] == two["width"]  # same scale whatever the number of series
    heights = [b["h"] for b in two["bars"]]
    assert heights == [60, 0, 120, 30]  # scaled to the largest value
