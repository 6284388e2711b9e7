"""The company-scoped lookups answer 404 for another company's object (issue 9).

The isolation matrix proves the pages; this proves the selectors themselves, one by one:
own company and own id finds the object; own company with another company's id, an unknown
id and an id that is not a number are all the same 404 (SPEC §3.1: ids cannot be probed).
"""

import datetime as dt

import pytest
from django.http import Http404

from companies.membership import selectors as membership
from companies.membership.services import invitations_create, join_link_create
from companies.models import Role
from companies.visibility import selectors as visibility
from subscriptions import selectors as subscriptions
from subscriptions.models import Offer, System
from subscriptions.services import site_create, subscription_create, system_create
from subscriptions.services.systems import extension_create
from tests.factories import CompanyFactory, UserFactory


def world(company):
    """One object of each scoped kind in `company`."""
    admin = UserFactory(company=company, roles=[Role.COMPANY_ADMIN])
    member = UserFactory(company=company)
    (invitation,) = invitations_create(
        company=company, emails=[f"new-{company.slug}@example.test"], actor=admin
    )
    link = join_link_create(company=company, max_uses=5, valid_days=7, actor=admin)
    subscription = subscription_create(
        company=company,
        offer=Offer.objects.get(code="business"),
        billing="monthly",
        seats=3,
        start_date=dt.date(2026, 1, 1),
        actor=None,
    )
    site = site_create(company=company, name="HQ", actor=None)
    system = system_create(site=site, name="PBX", kind=System.Kind.values[0], actor=None)
    extension = extension_create(system=system, number="100", actor=None)
    return {
        "member": member,
        "invitation": invitation,
        "link": link,
        "subscription": subscription,
        "site": site,
        "system": system,
        "extension": extension,
    }


LOOKUPS = {
    "membership.member_get": lambda c, w, pk: membership.member_get(company=c, member_id=pk),
    "membership.invitation_get": lambda c, w, pk: membership.invitation_get(
        company=c, invitation_id=pk
    ),
    "membership.join_link_get": lambda c, w, pk: membership.join_link_get(company=c, link_id=pk),
    "visibility.member_get": lambda c, w, pk: visibility.member_get(company=c, pk=pk),
    "subscriptions.member_get": lambda c, w, pk: subscriptions.member_get(company=c, pk=pk),
    "subscriptions.subscription_get": lambda c, w, pk: subscriptions.subscription_get(
        company=c, pk=pk
    ),
    "subscriptions.site_get": lambda c, w, pk: subscriptions.site_get(company=c, pk=pk),
    "subscriptions.system_get": lambda c, w, pk: subscriptions.system_get(company=c, pk=pk),
    "subscriptions.extension_get": lambda c, w, pk: subscriptions.extension_get(
        system=w["system"], pk=pk
    ),
}
OBJECT_OF = {
    "membership.member_get": "member",
    "membership.invitation_get": "invitation",
    "membership.join_link_get": "link",
    "visibility.member_get": "member",
    "subscriptions.member_get": "member",
    "subscriptions.subscription_get": "subscription",
    "subscriptions.site_get": "site",
    "subscriptions.system_get": "system",
    "subscriptions.extension_get": "extension",
}


@pytest.fixture
def two_companies(db):
    ours, theirs = CompanyFactory(name="Ours"), CompanyFactory(name="Theirs")
    return (ours, world(ours)), (theirs, world(theirs))


@pytest.mark.parametrize("lookup", sorted(LOOKUPS))
def test_own_object_is_found_and_another_companys_is_404(two_companies, lookup):
    (ours, our_world), (_theirs, their_world) = two_companies
    get, kind = LOOKUPS[lookup], OBJECT_OF[lookup]
    own = our_world[kind]
    assert get(ours, our_world, own.pk).pk == own.pk
    assert get(ours, our_world, str(own.pk)).pk == own.pk
    other = their_world[kind]
    for pk in [other.pk, str(other.pk), 10**9]:
        with pytest.raises(Http404):
            get(ours, our_world, pk)


@pytest.mark.parametrize(
    "lookup", ["membership.member_get", "membership.invitation_get", "membership.join_link_get"]
)
def test_an_id_that_is_not_a_number_is_404(two_companies, lookup):
    (ours, our_world), _ = two_companies
    for pk in ["abc", "", "1.0", "-1"]:
        with pytest.raises(Http404):
            LOOKUPS[lookup](ours, our_world, pk)


def test_subscription_get_counts_only_live_licenses(two_companies):
    (ours, our_world), _ = two_companies
    subscription = subscriptions.subscription_get(company=ours, pk=our_world["subscription"].pk)
    assert subscription.assigned == 0


def test_system_get_brings_its_site_in_the_same_query(two_companies, django_assert_num_queries):
    """The pages show the system's site: reading it costs no second query."""
    (ours, our_world), _ = two_companies
    with django_assert_num_queries(1):
        system = subscriptions.system_get(company=ours, pk=our_world["system"].pk)
        assert system.site.name == "HQ"


def test_company_get_for_actor_answers_404_to_anyone_unrelated(two_companies):
    """Missing slug for a signed-in member, an existing company for an anonymous visitor or
    for no actor at all: the same 404, never an error."""
    from django.contrib.auth.models import AnonymousUser

    from companies.selectors import company_get_for_actor

    (ours, our_world), _ = two_companies
    member = our_world["member"]
    assert company_get_for_actor(actor=member, slug=ours.slug) == ours
    for actor, slug in [
        (member, "no-such-company"),
        (AnonymousUser(), ours.slug),
        (None, ours.slug),
    ]:
        with pytest.raises(Http404):
            company_get_for_actor(actor=actor, slug=slug)


def test_company_and_member_lookups_bring_what_pages_show_in_one_query(
    two_companies, django_assert_num_queries
):
    from companies.selectors import company_get_for_actor
    from tests.factories import OrganizationFactory

    (ours, our_world), _ = two_companies
    partner = CompanyFactory(name="Partner", kind="business_partner")
    ours.business_partner, ours.organization = partner, OrganizationFactory()
    ours.save(update_fields=["business_partner", "organization"])
    member = our_world["member"]
    with django_assert_num_queries(1):
        company = company_get_for_actor(actor=member, slug=ours.slug)
        assert company.business_partner.name == "Partner" and company.organization.name
    with django_assert_num_queries(1):
        found = membership.member_get(company=ours, member_id=member.pk)
        assert found.company.name == "Ours"
