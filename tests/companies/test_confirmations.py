"""Destructive actions confirm first (issue 14): a GET of the action's URL shows what will
happen and what cannot be undone, and changes nothing; the POST from that page acts."""

import datetime as dt
import secrets

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Contact
from companies.models import Company, CompanyInvitation, JoinLink, Role, RoleAssignment
from subscriptions.models import License, Offer, Subscription
from tests.factories import CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme():
    return CompanyFactory(name="Acme")


@pytest.fixture
def admin(acme):
    return UserFactory(company=acme, roles=[Role.COMPANY_ADMIN])


def _confirm(client, url, *expected):
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="confirm"' in html and 'method="post"' in html
    for text in expected:
        assert text in html, text
    return html


def test_invitation_cancel_confirms_then_cancels(client, acme, admin):
    inv = CompanyInvitation.objects.create(
        company=acme,
        email="new@example.test",
        token_hash=secrets.token_hex(32),
        invited_by=admin,
        expires_at=timezone.now() + dt.timedelta(days=7),
    )
    client.force_login(admin)
    url = reverse("companies:invitation-cancel", args=[acme.slug, inv.pk])
    _confirm(client, url, "Cancel the invitation to new@example.test?", "stops working")
    inv.refresh_from_db()
    assert inv.status == CompanyInvitation.Status.PENDING  # the GET changed nothing
    # The list links to the confirmation instead of posting at once.
    listing = client.get(reverse("companies:invitations", args=[acme.slug])).content.decode()
    assert f'href="{url}"' in listing
    assert client.post(url).status_code == 302
    inv.refresh_from_db()
    assert inv.status == CompanyInvitation.Status.CANCELED


def test_subscription_terminate_confirms_then_terminates(client):
    # SPEC §3.4: the partner's Finance member manages its own company's subscriptions.
    acme = CompanyFactory(kind=Company.Kind.BUSINESS_PARTNER)
    admin = UserFactory(company=acme, roles=[Role.BP_FINANCE])
    sub = Subscription.objects.create(
        company=acme,
        offer=Offer.objects.get(code="business"),
        billing="monthly",
        seats=3,
        start_date=timezone.localdate(),
    )
    client.force_login(admin)
    url = reverse("subscriptions:status", args=[acme.slug, sub.pk])
    html = _confirm(client, url + "?action=terminate", "Terminate Business (3 seats)?")
    assert "This cannot be undone." in html and 'value="terminate"' in html
    sub.refresh_from_db()
    assert sub.status == Subscription.Status.ACTIVE
    _confirm(client, url + "?action=suspend", "Suspend Business (3 seats)?")
    assert client.get(url).status_code == 302  # nothing to confirm: back to the list
    assert client.post(url, {"action": "terminate"}).status_code == 302
    sub.refresh_from_db()
    assert sub.status == Subscription.Status.TERMINATED


def test_license_release_confirms(client, acme, admin):
    member = UserFactory(company=acme, first_name="Bea", last_name="Bee")
    sub = Subscription.objects.create(
        company=acme,
        offer=Offer.objects.get(code="business"),
        billing="monthly",
        seats=3,
        start_date=timezone.localdate(),
    )
    lic = License.objects.create(subscription=sub, user=member, assigned_at=timezone.now())
    client.force_login(admin)
    url = reverse("subscriptions:license-release", args=[acme.slug, sub.pk, lic.pk])
    _confirm(client, url, "Release Bea Bee")
    lic.refresh_from_db()
    assert lic.released_at is None
    client.post(url)
    lic.refresh_from_db()
    assert lic.released_at is not None


def test_role_removal_confirms(client, acme, admin):
    other = UserFactory(company=acme, roles=[Role.COMPANY_ADMIN], first_name="Cy", last_name="C")
    client.force_login(admin)
    url = reverse("companies:member-role", args=[acme.slug, other.pk])
    html = _confirm(client, url + "?role=company_admin&action=remove", "Remove the role")
    assert 'name="action" value="remove"' in html
    assert RoleAssignment.objects.filter(user=other, role=Role.COMPANY_ADMIN).exists()
    assert client.get(url + "?role=company_admin&action=grant").status_code == 302
    client.post(url, {"role": "company_admin", "action": "remove"})
    assert not RoleAssignment.objects.filter(user=other, role=Role.COMPANY_ADMIN).exists()


def test_join_link_regenerate_confirms(client, acme, admin):
    link = JoinLink.objects.create(
        company=acme,
        token_hash=secrets.token_hex(32),
        max_uses=5,
        expires_at=timezone.now() + dt.timedelta(days=3),
        created_by=admin,
    )
    client.force_login(admin)
    url = reverse("companies:join-link-regenerate", args=[acme.slug, link.pk])
    _confirm(client, url, "stops working at once")
    assert JoinLink.objects.filter(company=acme).count() == 1


def test_contact_remove_confirms(client):
    company = CompanyFactory(kind=Company.Kind.END_CUSTOMER)
    me, friend = UserFactory(company=company), UserFactory(company=company)
    Contact.objects.create(owner=me, contact=friend)
    Contact.objects.create(owner=friend, contact=me)
    client.force_login(me)
    url = reverse("companies:network-contact-remove", args=[friend.pk])
    _confirm(client, url, "Remove", "from your network?")
    assert Contact.objects.filter(owner=me).exists()
    client.post(url)
    assert not Contact.objects.filter(owner=me).exists()


def test_the_network_page_links_to_the_confirmations_instead_of_acting(client):
    from accounts.models import Invitation
    from companies.visibility import network_services

    company = CompanyFactory(kind=Company.Kind.END_CUSTOMER)
    me, friend = UserFactory(company=company), UserFactory(company=company)
    Contact.objects.create(owner=me, contact=friend)
    Contact.objects.create(owner=friend, contact=me)
    inv = network_services.invitation_send_email(inviter=me, email="new@example.test", actor=me)
    client.force_login(me)
    html = client.get(reverse("companies:network")).content.decode()
    remove = reverse("companies:network-contact-remove", args=[friend.pk])
    cancel = reverse("companies:network-invitation", args=[inv.pk, "cancel"])
    for url in (remove, cancel):
        assert f'href="{url}"' in html
        assert f'action="{url}"' not in html
    _confirm(client, cancel, "Cancel your invitation to new@example.test?")
    assert Invitation.objects.get(pk=inv.pk).status == inv.status  # the GET changed nothing
