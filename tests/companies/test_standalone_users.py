"""SPEC §2.2, §5.1: the default company is not a circle. Two standalone users are never
"same company": an invitation between them waits for consent, each one's own mode decides,
and a private standalone user is not found by other standalone users."""

import pytest
from django.urls import reverse

from accounts.models import Contact
from companies.selectors import default_company
from companies.visibility import network_services as services
from companies.visibility import rules, search
from companies.visibility.services import standalone_visibility_set
from rainbow_portal.exceptions import ApplicationError
from tests.factories import CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair():
    rainbow = default_company()
    return (
        UserFactory(company=rainbow, first_name="Sam", last_name="Solo"),
        UserFactory(company=rainbow, first_name="Sue", last_name="Single"),
    )


def test_an_invitation_between_standalone_users_must_be_accepted(pair):
    a, b = pair
    invitation = services.invitation_send_in_app(inviter=a, invitee=b, actor=a)
    assert invitation.status == "pending"
    assert not Contact.objects.filter(owner=a, contact=b).exists()
    services.invitation_accept(invitation=invitation, actor=b)
    assert Contact.objects.filter(owner=a, contact=b).exists()


def test_a_private_standalone_user_is_hidden_from_other_standalone_users(pair):
    a, b = pair
    standalone_visibility_set(user=b, visibility="private", actor=b)
    b.refresh_from_db()
    assert b.visibility_mode == "private"
    assert not rules.can_find(rules.person(a), rules.person(b), rules.DbWorld())
    assert b.pk not in dict(search.findable_ids(a))
    assert search.directory_search(viewer=a, query="sue").hits == []
    with pytest.raises(ApplicationError, match="No such person"):
        services.invitation_send_in_app(inviter=a, invitee=b, actor=a)
    # Public again (the default): found.
    standalone_visibility_set(user=b, visibility="public", actor=b)
    b.refresh_from_db()
    assert b.pk in dict(search.findable_ids(a))


def test_standalone_users_are_not_inside_each_others_circle(pair):
    a, b = pair
    assert rules.inside_circle(rules.person(a), rules.person(b), rules.DbWorld()) is None


def test_only_a_standalone_user_chooses_and_only_for_themselves(pair):
    a, b = pair
    with pytest.raises(ApplicationError, match="Only the user"):
        standalone_visibility_set(user=b, visibility="private", actor=a)
    member = UserFactory(company=CompanyFactory())
    with pytest.raises(ApplicationError, match="company's admins"):
        standalone_visibility_set(user=member, visibility="private", actor=member)
    with pytest.raises(ApplicationError, match="public or private"):
        standalone_visibility_set(user=a, visibility="closed", actor=a)


def test_the_profile_page_and_the_api_let_a_standalone_user_choose(client, api_client, pair):
    a, b = pair
    client.force_login(a)
    assert "Who can find you" in client.get(reverse("accounts:profile")).content.decode()
    response = client.post(reverse("companies:own-visibility"), {"visibility": "private"})
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.visibility_mode == "private"
    api_client.force_authenticate(b)
    url = reverse("api:own-visibility")
    assert api_client.get(url).json()["visibility"] == "public"
    assert (
        api_client.patch(url, {"visibility": "private"}, format="json").json()["visibility"]
        == "private"
    )
    member = UserFactory(company=CompanyFactory())
    api_client.force_authenticate(member)
    refused = api_client.patch(url, {"visibility": "private"}, format="json")
    assert refused.status_code == 400
    assert "company's admins" in refused.json()["error"]["message"]
    client.force_login(member)
    assert "Who can find you" not in client.get(reverse("accounts:profile")).content.decode()
