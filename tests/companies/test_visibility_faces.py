"""Both faces of SPEC §4 agree on random worlds (ARCHITECTURE.md, issue 4).

Worlds are built through the services (company mode and organization are set after the
members exist, overrides through the override service, some members move company), so the
test also proves that the copies on the user row are kept in step. Grants and contacts are
written directly, including across the China border, to check that §2.3 wins whatever else
says yes.
"""

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Contact, User
from companies.models import Company, Organization, VisibilityGrant
from companies.services import (
    company_create,
    company_organization_set,
    company_visibility_set,
    user_move_to_company,
)
from companies.visibility import rules, search
from companies.visibility.inputs import ALLOWED_OVERRIDES
from companies.visibility.services import user_visibility_override_set
from tests.factories import UserFactory

MODES = ["public", "private", "closed", "isolated", "organization"]
REGIONS = ["EMEA", "NA", "China"]


@st.composite
def worlds(draw):
    n_orgs = draw(st.integers(0, 2))
    companies = draw(
        st.lists(
            st.tuples(
                st.sampled_from(MODES),
                st.integers(-1, n_orgs - 1),  # -1: no organization
                st.sampled_from(REGIONS),
            ),
            min_size=1,
            max_size=5,
        )
    )
    n_co = len(companies)
    users = draw(
        st.lists(
            st.tuples(
                st.integers(0, n_co - 1),
                st.sampled_from(["", "public", "private"]),
                st.sampled_from(["Ann", "Anna", "Bob", "Al"]),
                st.sampled_from(["Smith", "Annan", "Bo", "Al"]),
            ),
            min_size=2,
            max_size=8,
        )
    )
    n_users = len(users)
    pairs_co = st.tuples(st.integers(0, n_co - 1), st.integers(0, n_co - 1))
    pairs_u = st.tuples(st.integers(0, n_users - 1), st.integers(0, n_users - 1))
    grants = draw(st.lists(pairs_co, max_size=4))
    contacts = draw(st.lists(pairs_u, max_size=5))
    moves = draw(
        st.lists(st.tuples(st.integers(0, n_users - 1), st.integers(0, n_co - 1)), max_size=2)
    )
    return n_orgs, companies, users, grants, contacts, moves


def build(world):
    n_orgs, companies, users, grants, contacts, moves = world
    orgs = [Organization.objects.create(name=f"org{i}") for i in range(n_orgs)]
    cos = [
        company_create(name=f"co{i}", region=region, actor=None)
        for i, (_mode, _org, region) in enumerate(companies)
    ]
    people = [
        UserFactory(company=cos[ci], email=f"u{i}@w.test", first_name=first, last_name=last)
        for i, (ci, _o, first, last) in enumerate(users)
    ]
    for company, (mode, org, _region) in zip(cos, companies, strict=True):
        if org >= 0:
            company_organization_set(company=company, organization=orgs[org], actor=None)
        if mode == "organization" and org < 0:
            mode = "closed"
        company_visibility_set(company=company, visibility=mode, actor=None)
    for person, (_ci, override, _f, _l) in zip(people, users, strict=True):
        person.refresh_from_db()
        if override and override in ALLOWED_OVERRIDES[person.company.visibility]:
            user_visibility_override_set(user=person, override=override, actor=None)
    for ui, ci in moves:
        user_move_to_company(user=User.objects.get(pk=people[ui].pk), company=cos[ci], actor=None)
    for a, b in grants:
        if a != b:
            VisibilityGrant.objects.get_or_create(company=cos[a], visible_by=cos[b])
    for a, b in contacts:
        if a != b:
            Contact.objects.get_or_create(owner=people[a], contact=people[b])
            Contact.objects.get_or_create(owner=people[b], contact=people[a])
    return list(User.objects.filter(pk__in=[p.pk for p in people]).select_related("company"))


def keys(user):
    return (f"{user.first_name} {user.last_name}".lower(), user.last_name.lower())


@pytest.mark.django_db
@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=worlds())
def test_predicate_and_sql_agree(world):
    with transaction.atomic():
        people = build(world)
        db_world = rules.DbWorld()
        for viewer in people:
            found = dict(search.findable_ids(viewer))
            by_email = search.email_invitable_ids(viewer)
            v = rules.person(viewer)
            for target in people:
                t = rules.person(target)
                assert (target.pk in found) == rules.can_find(v, t, db_world), (viewer, target)
                assert found.get(target.pk, False) == rules.can_invite_in_app(v, t, db_world), (
                    viewer,
                    target,
                )
                assert (target.pk in by_email) == rules.can_invite_by_email(v, t, db_world), (
                    viewer,
                    target,
                )
        transaction.set_rollback(True)


def test_company_page_and_inputs_copy_follow_company(db):
    """A cheap guard on the copies: changing a company's mode updates every member row."""
    company = Company.objects.create(name="X", slug="x", region="EMEA")
    member = UserFactory(company=company)
    company_visibility_set(company=company, visibility="closed", actor=None)
    member.refresh_from_db()
    assert member.visibility_mode == "closed"
