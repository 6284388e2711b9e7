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


# --- Lookups by a value from the URL or a form (issue 9's mutation run).


def test_join_request_and_partner_offer_ids_that_are_not_numbers_are_404(db):
    company = CompanyFactory(name="Ours")
    for pk in ["abc", "", "1.0", "-1", None]:
        with pytest.raises(Http404):
            membership.join_request_get(company=company, request_id=pk)
        with pytest.raises(Http404):
            membership.partner_invitation_get(company=company, invitation_id=pk)


def test_join_request_get_brings_its_company_in_the_same_query(db, django_assert_num_queries):
    from companies.membership.services import join_request_create
    from companies.selectors import default_company

    company = CompanyFactory(name="Joinable", visibility="public")
    asker = UserFactory(company=default_company())
    request = join_request_create(user=asker, company=company)
    with django_assert_num_queries(1):
        found = membership.join_request_get(company=company, request_id=str(request.pk))
        assert found.company.name == "Joinable"
    with pytest.raises(Http404):
        membership.join_request_get(company=CompanyFactory(), request_id=request.pk)


def test_a_slug_longer_than_the_column_names_no_company(db, django_assert_num_queries):
    """Slugs hold at most 80 characters: a longer one is nobody's, even when it starts with
    a real one (it is never cut down to match)."""
    from companies.selectors import default_company

    viewer = UserFactory(company=default_company())
    long_slug = "a" * 80
    company = CompanyFactory(name="Long", slug=long_slug, visibility="public")
    assert membership.joinable_company_get(user=viewer, slug=long_slug) == company
    assert visibility.company_page_get_for_viewer(viewer=viewer, slug=long_slug) == company
    for slug in [long_slug + "b", long_slug + "a"]:
        with django_assert_num_queries(0):  # refused before any query
            with pytest.raises(Http404):
                membership.joinable_company_get(user=viewer, slug=slug)
            with pytest.raises(Http404):
                visibility.company_page_get_for_viewer(viewer=viewer, slug=slug)


def test_person_get_for_viewer_brings_the_company_in_the_same_query(db, django_assert_num_queries):
    company = CompanyFactory(name="Ours", visibility="public")
    viewer, colleague = UserFactory(company=company), UserFactory(company=company)
    with django_assert_num_queries(1):
        assert visibility.person_get_for_viewer(viewer=viewer, pk=viewer.pk).company.name == "Ours"
    assert visibility.person_get_for_viewer(viewer=viewer, pk=str(colleague.pk)) == colleague


def test_simulation_counterpart_is_found_by_exact_address_only(db, django_assert_num_queries):
    company = CompanyFactory(name="Ours")
    admin = UserFactory(company=company, roles=[Role.COMPANY_ADMIN])
    local = "b" * 64
    target = UserFactory(company=company, email=f"{local}@{'c' * 180}.test")
    assert len(target.email) == 250
    found = visibility.simulation_counterpart_get(viewer=admin, email=target.email.upper())
    with django_assert_num_queries(0):  # the company came with the person
        assert found.company.name == "Ours"
    # The longest address there can be (254 characters) is still found.
    longest = UserFactory(
        company=company, email=f"{'b' * 64}@{'d' * 60}.{'e' * 60}.{'f' * 62}.test"
    )
    assert len(longest.email) == 254
    assert visibility.simulation_counterpart_get(viewer=admin, email=longest.email) == longest
    # Longer than any address can be (254): nobody, not a cut-down match, and no query.
    with django_assert_num_queries(0):
        for extra in ("x" * 5, "x" * 9):  # 255 and 259 characters
            assert (
                visibility.simulation_counterpart_get(viewer=admin, email=target.email + extra)
                is None
            )


def test_request_counterpart_never_names_the_default_company(db):
    from companies.selectors import default_company

    company = CompanyFactory(name="Ours", visibility="public")
    rainbow = default_company()
    assert visibility.request_counterpart_get(company=company, name=rainbow.name) is None
    other = CompanyFactory(name="Other Public", visibility="public")
    assert visibility.request_counterpart_get(company=company, name="  other   PUBLIC ") == other
    assert visibility.request_counterpart_get(company=company, name=None) is None
    assert visibility.request_counterpart_get(company=company, name="") is None
    assert visibility.request_counterpart_get(company=company, name="   ") is None


def test_a_company_as_a_viewer_has_its_mode_and_no_member_override(db):
    """SPEC §4.6: what a company finds is decided with the company's own mode, organization,
    region and default-company status, as no particular person (id 0: no user has it)."""
    from companies.visibility import rules
    from tests.factories import OrganizationFactory

    company = CompanyFactory(
        name="Viewer", visibility="closed", region="APAC", organization=OrganizationFactory()
    )
    assert rules.company_viewer(company) == rules.Person(
        id=0,
        company_id=company.pk,
        company_mode="closed",
        override="",
        org_id=company.organization_id,
        region="APAC",
        standalone=False,
    )
    from companies.selectors import default_company

    assert rules.company_viewer(default_company()).standalone is True


def test_the_visibility_pages_member_lookup_brings_the_company_in_one_query(
    two_companies, django_assert_num_queries
):
    (ours, our_world), _ = two_companies
    with django_assert_num_queries(1):
        found = visibility.member_get(company=ours, pk=our_world["member"].pk)
        assert found.company.name == "Ours"
