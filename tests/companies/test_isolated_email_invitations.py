"""SPEC §4.4: the isolated row holds even inside the circle, except within the same company
and the same organization. An isolated member email-invites their colleagues and their
organization's peers, as the visibility predicate says, and nobody else."""

import pytest
from django.urls import reverse

from accounts.models import Invitation
from companies.models import Organization
from companies.services import company_create, company_organization_set, company_visibility_set
from companies.visibility import network_services as services
from companies.visibility import rules
from rainbow_portal.exceptions import ApplicationError
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def co(name, mode, org=None):
    company = company_create(name=name, region="EMEA", actor=None)
    if org is not None:
        company_organization_set(company=company, organization=org, actor=None)
    company_visibility_set(company=company, visibility=mode, actor=None)
    return company


@pytest.fixture
def world():
    org = Organization.objects.create(name="Group")
    iso = co("Iso", "isolated", org)
    return {
        "me": UserFactory(company=iso, email="me@iso.test"),
        "colleague": UserFactory(company=iso, email="colleague@iso.test"),
        "peer": UserFactory(company=co("Branch", "organization", org), email="peer@b.test"),
        "outsider": UserFactory(company=co("Out", "public"), email="out@o.test"),
    }


@pytest.mark.parametrize("who", ["colleague", "peer"])
def test_an_isolated_member_email_invites_colleagues_and_organization_peers(world, who):
    me, target = world["me"], world[who]
    assert rules.can_invite_by_email(rules.person(me), rules.person(target), rules.DbWorld())
    invitation = services.invitation_send_email(inviter=me, email=target.email, actor=me)
    assert invitation.kind == "email" and invitation.status == "pending"
    services.invitation_accept(invitation=invitation, actor=target)


@pytest.mark.parametrize("email", ["out@o.test", "nobody@nowhere.test"])
def test_anyone_else_gets_one_refusal_whether_or_not_the_address_exists(world, email):
    me = world["me"]
    with pytest.raises(ApplicationError, match="own company and organization"):
        services.invitation_send_email(inviter=me, email=email, actor=me)
    assert not Invitation.objects.exists()


def test_the_network_page_offers_the_email_form_to_isolated_members(client, world):
    client.force_login(world["me"])
    page = client.get(reverse("companies:network")).content.decode()
    assert 'action="/accounts/network/invite-email/"' in page
    response = client.post(
        reverse("companies:network-invite-email"), {"email": "colleague@iso.test"}, follow=True
    )
    assert "Invitation sent to colleague@iso.test" in response.content.decode()
    response = client.post(
        reverse("companies:network-invite-email"), {"email": "out@o.test"}, follow=True
    )
    assert "own company and organization" in response.content.decode()
