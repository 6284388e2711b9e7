"""SPEC §4.1: a member's override is an explicit choice that survives every change of the
company's mode; equal to the company's mode it has no effect, and it applies again later."""

import pytest
from django.urls import reverse

from companies.models import Role
from companies.services import company_create, company_visibility_set
from companies.visibility import rules
from companies.visibility.services import user_visibility_override_set
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_private_override_survives_public_private_public():
    company = company_create(name="Acme", region="EMEA", actor=None)
    outsider = UserFactory(company=company_create(name="Other", region="EMEA", actor=None))
    member = UserFactory(company=company)
    user_visibility_override_set(user=member, override="private", actor=None)
    for mode, effective in (("private", "private"), ("public", "private"), ("closed", "private")):
        company_visibility_set(company=company, visibility=mode, actor=None)
        member.refresh_from_db()
        assert member.visibility_override == "private"
        assert member.visibility_mode == effective == rules.person(member).mode
    company_visibility_set(company=company, visibility="public", actor=None)
    member.refresh_from_db()
    assert not rules.can_find(rules.person(outsider), rules.person(member), rules.DbWorld())


def test_an_override_equal_to_the_company_mode_applies_again_later():
    company = company_create(name="Acme", region="EMEA", actor=None)
    company_visibility_set(company=company, visibility="private", actor=None)
    member = UserFactory(company=company)
    user_visibility_override_set(user=member, override="public", actor=None)
    company_visibility_set(company=company, visibility="public", actor=None)
    member.refresh_from_db()
    assert (member.visibility_override, member.visibility_mode) == ("public", "public")
    company_visibility_set(company=company, visibility="isolated", actor=None)
    member.refresh_from_db()
    assert member.visibility_mode == "public"
    # Setting the kept value again is a no-op, not a refusal.
    company_visibility_set(company=company, visibility="public", actor=None)
    assert user_visibility_override_set(user=member, override="public", actor=None)


def test_saving_the_member_page_unchanged_keeps_the_override(client):
    company = company_create(name="Acme", region="EMEA", actor=None)
    company_visibility_set(company=company, visibility="private", actor=None)
    admin = UserFactory(company=company, roles=[Role.COMPANY_ADMIN])
    member = UserFactory(company=company)
    user_visibility_override_set(user=member, override="public", actor=None)
    company_visibility_set(company=company, visibility="public", actor=None)
    client.force_login(admin)
    url = reverse("companies:member-visibility", args=[company.slug, member.pk])
    page = client.get(url).content.decode()
    assert 'value="public" selected' in page
    assert client.post(url, {"visibility_override": "public"}).status_code == 302
    member.refresh_from_db()
    assert member.visibility_override == "public"
