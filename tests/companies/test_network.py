"""The user's network (SPEC §5) and invitations by mode (SPEC §4.4)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Contact, Invitation
from companies.services import company_create, company_visibility_set
from companies.visibility import network_selectors as selectors
from companies.visibility import network_services as services
from rainbow_portal.exceptions import ApplicationError
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def co(name, mode="public", region="EMEA"):
    company = company_create(name=name, region=region, actor=None)
    company_visibility_set(company=company, visibility=mode, actor=None)
    return company


@pytest.fixture
def people():
    return {
        "a": UserFactory(company=co("A Co"), first_name="Ann", last_name="A"),
        "b": UserFactory(company=co("B Co"), first_name="Ben", last_name="B"),
        "priv": UserFactory(company=co("P Co", "private"), first_name="Pia", last_name="P"),
        "iso": UserFactory(company=co("I Co", "isolated"), first_name="Ivo", last_name="I"),
        "closed": UserFactory(company=co("C Co", "closed"), first_name="Cy", last_name="C"),
    }


def connected(x, y):
    return (
        Contact.objects.filter(owner=x, contact=y).exists()
        and Contact.objects.filter(owner=y, contact=x).exists()
    )


def test_in_app_invite_accept_makes_contacts_on_both_sides(people, assert_activity):
    a, b = people["a"], people["b"]
    inv = services.invitation_send_in_app(inviter=a, invitee=b, actor=a)
    assert inv.status == "pending" and not connected(a, b)
    assert selectors.invitations_incoming(user=b) == [inv]
    services.invitation_accept(invitation=inv, actor=b)
    assert connected(a, b)
    assert_activity("network.invitation.sent")
    assert_activity("network.invitation.accepted")


def test_private_target_cannot_be_invited_in_app_and_is_not_revealed(people):
    with pytest.raises(ApplicationError, match="No such person"):
        services.invitation_send_in_app(inviter=people["a"], invitee=people["priv"], actor=None)


def test_closed_user_invites_by_email_only(people):
    closed, a = people["closed"], people["a"]
    with pytest.raises(ApplicationError):
        services.invitation_send_in_app(inviter=closed, invitee=a, actor=closed)
    inv = services.invitation_send_email(inviter=closed, email=a.email, actor=closed)
    assert selectors.invitations_incoming(user=a) == [inv]


def test_isolated_never_invites_or_is_invited_outside(people):
    iso, a = people["iso"], people["a"]
    with pytest.raises(ApplicationError):
        services.invitation_send_email(inviter=iso, email=a.email, actor=iso)
    # An email invitation to an isolated person is accepted like any other (no reveal) ...
    inv = services.invitation_send_email(inviter=a, email=iso.email, actor=a)
    assert inv.status == "pending"
    # ... but never reaches them, and cannot be accepted.
    assert selectors.invitations_incoming(user=iso) == []
    with pytest.raises(ApplicationError):
        services.invitation_accept(invitation=inv, actor=iso)


def test_isolated_invites_inside_own_company(people):
    iso = people["iso"]
    colleague = UserFactory(company=iso.company)
    inv = services.invitation_send_in_app(inviter=iso, invitee=colleague, actor=iso)
    assert inv.status == "accepted" and connected(iso, colleague)  # auto-accept (SPEC §5.1)


def test_email_invitation_does_not_reveal_an_account(
    people, smtp_server, django_capture_on_commit_callbacks
):
    a = people["a"]
    with django_capture_on_commit_callbacks(execute=True):
        known = services.invitation_send_email(inviter=a, email=people["b"].email, actor=a)
        unknown = services.invitation_send_email(inviter=a, email="nobody@nowhere.test", actor=a)
    assert known.status == unknown.status == "pending"
    assert known.invitee_id is None and unknown.invitee_id is None
    texts = [smtp_server.text(i) for i in range(len(smtp_server.messages))]
    assert len(texts) == 2
    assert texts[0].replace(people["b"].email, "X") == texts[1].replace("nobody@nowhere.test", "X")


def test_email_invitation_seen_on_sign_in_by_a_later_account(people):
    a = people["a"]
    inv = services.invitation_send_email(inviter=a, email="Later@Example.test", actor=a)
    later = UserFactory(company=people["b"].company, email="later@example.test")
    assert selectors.invitations_incoming(user=later) == [inv]
    services.invitation_accept(invitation=inv, actor=later)
    assert connected(a, later)


def test_decline_is_shown_pending_to_the_inviter(people, client):
    a, b = people["a"], people["b"]
    inv = services.invitation_send_in_app(inviter=a, invitee=b, actor=a)
    services.invitation_decline(invitation=inv, actor=b)
    inv.refresh_from_db()
    assert inv.status == "declined"
    assert [i.shown_status for i in selectors.invitations_outgoing(user=a)] == ["pending"]
    assert selectors.invitations_incoming(user=b) == []
    client.force_login(a)
    page = client.get(reverse("companies:network")).content.decode()
    assert "pending" in page and "declined" not in page


def test_cancel_and_resend_rate_limit(people):
    a, b = people["a"], people["b"]
    inv = services.invitation_send_in_app(inviter=a, invitee=b, actor=a)
    with pytest.raises(ApplicationError, match="once per hour"):
        services.contact_invitation_resend(invitation=inv, actor=a)
    later = timezone.now() + timedelta(hours=1, seconds=1)
    services.contact_invitation_resend(invitation=inv, actor=a, now=later)
    with pytest.raises(ApplicationError, match="once per hour"):
        services.contact_invitation_resend(
            invitation=inv, actor=a, now=later + timedelta(minutes=59)
        )
    with pytest.raises(ApplicationError):
        services.contact_invitation_cancel(invitation=inv, actor=b)  # only the inviter
    services.contact_invitation_cancel(invitation=inv, actor=a)
    assert Invitation.objects.get(pk=inv.pk).status == "canceled"
    assert selectors.invitations_incoming(user=b) == []


def test_auto_accept_within_company_is_a_company_setting(people, assert_activity):
    a = people["a"]
    colleague = UserFactory(company=a.company)
    services.network_settings_set(company=a.company, auto_accept_within_company=False, actor=None)
    inv = services.invitation_send_in_app(inviter=a, invitee=colleague, actor=a)
    assert inv.status == "pending"
    services.network_settings_set(company=a.company, auto_accept_within_company=True, actor=None)
    other = UserFactory(company=a.company)
    assert services.invitation_send_in_app(inviter=a, invitee=other, actor=a).status == "accepted"
    assert_activity("network.settings.changed", count=2)


def test_remove_contact_both_sides_favorites_and_presence(people):
    a, b, priv = people["a"], people["b"], people["priv"]
    inv = services.invitation_send_in_app(inviter=a, invitee=b, actor=a)
    services.invitation_accept(invitation=inv, actor=b)
    services.presence_touch(user=b)
    b.refresh_from_db()
    assert selectors.presence_for(viewer=a, target=b) == "online"
    assert selectors.presence_for(viewer=priv, target=b) is None  # SPEC §4.7
    services.contact_favorite_set(owner=a, contact=b, favorite=True, actor=a)
    assert selectors.contact_list(user=a)[0].is_favorite
    assert not selectors.contact_list(user=b)[0].is_favorite  # favorites are per side
    with pytest.raises(ApplicationError):
        services.contact_favorite_set(owner=a, contact=priv, favorite=True, actor=a)
    services.contact_remove(owner=b, contact=a, actor=b)
    assert not Contact.objects.filter(owner=a).exists()
    assert not Contact.objects.filter(owner=b).exists()
    assert selectors.presence_for(viewer=a, target=b) is None


def test_contact_makes_private_user_findable_then_not(people):
    from companies.visibility import search

    a, priv = people["a"], people["priv"]
    inv = services.invitation_send_email(inviter=a, email=priv.email, actor=a)
    services.invitation_accept(invitation=inv, actor=priv)
    assert [h.id for h in search.directory_search(viewer=a, query="pia").hits] == [priv.pk]
    services.contact_remove(owner=a, contact=priv, actor=a)
    assert search.directory_search(viewer=a, query="pia").hits == []


def test_network_page_query_count_is_constant(client, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    a = people["a"]
    client.force_login(a)

    def grow(n):
        for _ in range(n):
            b = UserFactory(company=people["b"].company)
            Contact.objects.create(owner=a, contact=b)
            Contact.objects.create(owner=b, contact=a)
            services.invitation_send_email(inviter=a, email=f"x{b.pk}@x.test", actor=a)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("companies:network")).status_code == 200
        return len(ctx.captured_queries)

    grow(1)
    count()  # the first request after sign-in also records the session (issue 5)
    small = count()
    grow(8)
    assert count() == small


def test_network_views_and_unknown_ids(client, people):
    a, b = people["a"], people["b"]
    client.force_login(a)
    response = client.post(reverse("companies:network-invite", args=[b.pk]))
    assert response.status_code == 302
    assert Invitation.objects.filter(inviter=a, invitee=b).exists()
    assert (
        client.post(reverse("companies:network-invite", args=[people["priv"].pk])).status_code
        == 404
    )
    assert client.post(reverse("companies:network-invite", args=[999999])).status_code == 404
    inv = Invitation.objects.get(inviter=a, invitee=b)
    assert (
        client.post(reverse("companies:network-invitation", args=[inv.pk, "bogus"])).status_code
        == 404
    )
    assert (
        client.post(reverse("companies:network-invitation", args=[999999, "accept"])).status_code
        == 404
    )
    # Someone else's invitation is the same 404.
    client.force_login(people["closed"])
    assert (
        client.post(reverse("companies:network-invitation", args=[inv.pk, "cancel"])).status_code
        == 404
    )
    response = client.post(reverse("companies:network-invite-email"), {"email": "not-an-email"})
    assert response.status_code == 302
    assert client.post(reverse("companies:network-contact-remove", args=[b.pk])).status_code == 404


def test_network_api(api_client, people):
    a, b = people["a"], people["b"]
    url = reverse("api:network")
    assert api_client.get(url).status_code in (401, 403)
    api_client.force_authenticate(a)
    created = api_client.post(url, {"user_id": b.pk}, format="json")
    assert created.status_code == 201 and created.json()["status"] == "pending"
    hidden = api_client.post(url, {"user_id": people["priv"].pk}, format="json")
    assert hidden.status_code == 404
    assert api_client.post(url, {}, format="json").status_code == 400
    by_email = api_client.post(url, {"email": "who@ever.test"}, format="json")
    assert by_email.status_code == 201 and by_email.json()["invitee"] == {"email": "who@ever.test"}
    inv_id = created.json()["id"]
    resend = api_client.post(reverse("api:network-invitation", args=[inv_id, "resend"]))
    assert resend.status_code == 429
    api_client.force_authenticate(b)
    body = api_client.get(url).json()
    assert [i["id"] for i in body["incoming"]] == [inv_id]
    declined = api_client.post(reverse("api:network-invitation", args=[inv_id, "decline"]))
    assert declined.json()["status"] == "declined"
    api_client.force_authenticate(a)
    assert api_client.get(url).json()["outgoing"][-1]["status"] == "pending"


def test_presence_heartbeat_and_favorite_views(client, api_client, people):
    a, b = people["a"], people["b"]
    services.invitation_accept(
        invitation=services.invitation_send_in_app(inviter=a, invitee=b, actor=a), actor=b
    )
    api_client.force_authenticate(b)
    assert api_client.post(reverse("api:network-presence")).status_code == 204
    b.refresh_from_db()
    assert b.last_seen_at is not None
    api_client.force_authenticate(a)
    contacts = api_client.get(reverse("api:network")).json()["contacts"]
    assert contacts == [
        {"id": b.pk, "name": "Ben B", "company": "B Co", "favorite": False, "presence": "online"}
    ]
    patched = api_client.patch(
        reverse("api:network-contact", args=[b.pk]), {"favorite": True}, format="json"
    )
    assert patched.json()["favorite"] is True
    assert api_client.delete(reverse("api:network-contact", args=[999999])).status_code == 404
    client.force_login(a)
    client.post(reverse("companies:network-contact-favorite", args=[b.pk]), {"favorite": "0"})
    assert not Contact.objects.get(owner=a, contact=b).is_favorite
    assert client.post(reverse("companies:network-presence")).status_code == 200
    assert api_client.delete(reverse("api:network-contact", args=[b.pk])).status_code == 204
    assert not connected(a, b)


def test_incoming_email_invitations_cost_constant_queries(people, django_assert_max_num_queries):
    target = people["b"]
    for i in range(6):
        inviter = UserFactory(company=co(f"Inviter {i}", "closed"))
        services.invitation_send_email(inviter=inviter, email=target.email, actor=inviter)
    with django_assert_max_num_queries(4):
        assert len(selectors.invitations_incoming(user=target)) == 6
