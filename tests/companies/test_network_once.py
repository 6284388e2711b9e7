"""Issue 14: the network page names a person once, and a second email invitation to the same
address says it is already pending instead of "sent"."""

import pytest
from django.urls import reverse

from accounts.models import Invitation
from companies.services import company_create, company_visibility_set
from companies.visibility import network_selectors as selectors
from companies.visibility import network_services as services
from core.models import OutboundEmail
from rainbow_portal.exceptions import ApplicationError
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def public_user(name, first):
    company = company_create(name=name, region="EMEA", actor=None)
    company_visibility_set(company=company, visibility="public", actor=None)
    return UserFactory(company=company, first_name=first, last_name="Tester")


@pytest.fixture
def ann_and_ben():
    return public_user("Ann Co", "Ann"), public_user("Ben Co", "Ben")


def test_a_contact_is_not_also_listed_as_an_invitation_sent_by_email(ann_and_ben, client):
    ann, ben = ann_and_ben
    services.invitation_send_email(inviter=ann, email=ben.email, actor=ann)
    # Ben joins Ann's network another way: his own in-app invitation, which she accepts.
    theirs = services.invitation_send_in_app(inviter=ben, invitee=ann, actor=ben)
    services.invitation_accept(invitation=theirs, actor=ann)
    assert selectors.invitations_outgoing(user=ann) == []
    assert selectors.invitations_incoming(user=ben) == []

    client.force_login(ann)
    page = client.get(reverse("companies:network")).content.decode()
    assert page.count(ben.email) == 0
    assert 'data-testid="sent"' not in page
    assert page.count('data-testid="contact"') == 1


def test_a_contact_is_not_also_listed_as_a_declined_in_app_invitation(ann_and_ben, client):
    ann, ben = ann_and_ben
    mine = services.invitation_send_in_app(inviter=ann, invitee=ben, actor=ann)
    services.invitation_decline(invitation=mine, actor=ben)
    theirs = services.invitation_send_in_app(inviter=ben, invitee=ann, actor=ben)
    services.invitation_accept(invitation=theirs, actor=ann)
    client.force_login(ann)
    page = client.get(reverse("companies:network")).content.decode()
    assert 'data-testid="sent"' not in page
    assert page.count("Ben Tester") == 1


def test_an_invitation_to_someone_else_is_still_listed(ann_and_ben):
    ann, ben = ann_and_ben
    other = services.invitation_send_email(inviter=ann, email="carol@else.test", actor=ann)
    theirs = services.invitation_send_in_app(inviter=ben, invitee=ann, actor=ben)
    services.invitation_accept(invitation=theirs, actor=ann)
    assert selectors.invitations_outgoing(user=ann) == [other]


def test_a_second_email_invitation_says_it_is_already_pending_and_sends_nothing(
    ann_and_ben, client, django_capture_on_commit_callbacks
):
    ann, _ = ann_and_ben
    client.force_login(ann)
    url = reverse("companies:network-invite-email")
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, {"email": "stranger@else.test"}, follow=True)
    assert "Invitation sent to stranger@else.test" in first.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(url, {"email": "Stranger@Else.test"}, follow=True)
    body = second.content.decode()
    assert "already pending" in body
    assert "Invitation sent to" not in body
    assert OutboundEmail.objects.filter(to="stranger@else.test").count() == 1
    assert Invitation.objects.filter(inviter=ann, email="stranger@else.test").count() == 1


def test_a_declined_email_invitation_also_reads_already_pending(ann_and_ben):
    ann, ben = ann_and_ben
    inv = services.invitation_send_email(inviter=ann, email=ben.email, actor=ann)
    services.invitation_decline(invitation=inv, actor=ben)
    with pytest.raises(ApplicationError, match="already pending") as caught:
        services.invitation_send_email(inviter=ann, email=ben.email, actor=ann)
    assert caught.value.code == "already_pending"


def test_the_api_answers_already_pending_the_second_time(ann_and_ben, api_client):
    ann, _ = ann_and_ben
    api_client.force_authenticate(ann)
    url = reverse("api:network")
    assert api_client.post(url, {"email": "s@else.test"}, format="json").status_code == 201
    again = api_client.post(url, {"email": "s@else.test"}, format="json")
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "already_pending"
