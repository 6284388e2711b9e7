"""Overrides, grants, mutual requests (SPEC §4.1, §4.6), the copies on the user row, the
visibility_matrix command, and the grant admin."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from activity.models import ActivityRecord
from companies.models import Organization, Role, VisibilityGrant, VisibilityRequest
from companies.services import (
    company_create,
    company_organization_set,
    company_visibility_set,
    user_move_to_company,
)
from companies.visibility import rules
from companies.visibility.services import (
    user_visibility_override_set,
    visibility_grant_create,
    visibility_request_accept,
    visibility_request_create,
    visibility_request_decline,
)
from rainbow_portal.exceptions import ApplicationError
from tests.factories import CompanyFactory, UserFactory, login_with_second_factor

pytestmark = pytest.mark.django_db


def co(name, mode="public", region="EMEA"):
    company = company_create(name=name, region=region, actor=None)
    company_visibility_set(company=company, visibility=mode, actor=None)
    return company


ALLOWED = {
    "public": {"private"},
    "private": {"public"},
    "closed": {"public", "private"},
    "isolated": {"public", "private"},
    "organization": {"public", "private"},
}


@pytest.mark.parametrize("company_mode", list(ALLOWED))
@pytest.mark.parametrize("override", ["public", "private", "closed", "isolated", "organization"])
def test_override_table_cell_by_cell(company_mode, override):
    """SPEC §4.1: every cell, each "no" included."""
    company = company_create(name="T", region="EMEA", actor=None)
    if company_mode == "organization":
        company_organization_set(
            company=company, organization=Organization.objects.create(name="O"), actor=None
        )
    company_visibility_set(company=company, visibility=company_mode, actor=None)
    member = UserFactory(company=company)
    if override in ALLOWED[company_mode]:
        user_visibility_override_set(user=member, override=override, actor=None)
        member.refresh_from_db()
        assert member.visibility_mode == override
        assert ActivityRecord.objects.filter(event="member.visibility.changed").count() == 1
    else:
        with pytest.raises(ApplicationError):
            user_visibility_override_set(user=member, override=override, actor=None)
        member.refresh_from_db()
        assert member.visibility_override == "" and member.visibility_mode == company_mode


def test_copies_follow_company_mode_org_and_moves():
    company = co("Src", "closed")
    member = UserFactory(company=company)
    user_visibility_override_set(user=member, override="public", actor=None)
    # The override equals the new mode: kept, without effect (SPEC §4.1).
    company_visibility_set(company=company, visibility="public", actor=None)
    member.refresh_from_db()
    assert (member.visibility_override, member.visibility_mode) == ("public", "public")
    org = Organization.objects.create(name="Org")
    company_organization_set(company=company, organization=org, actor=None)
    member.refresh_from_db()
    assert member.visibility_org_id == org.pk
    user_visibility_override_set(user=member, override="private", actor=None)
    china = co("Cn", "closed", region="China")
    user_move_to_company(user=member, company=china, actor=None)
    member.refresh_from_db()
    assert (member.visibility_override, member.visibility_mode) == ("", "closed")
    assert member.visibility_china and member.visibility_org_id is None


def test_grants_one_direction_and_china_refused():
    a, b = co("A", "private"), co("B", "private")
    ua, ub = UserFactory(company=a), UserFactory(company=b)
    admin = UserFactory(company=a, is_superuser=True)
    with pytest.raises(ApplicationError):
        visibility_grant_create(company=a, visible_by=b, actor=ua)  # not a superadmin
    visibility_grant_create(company=a, visible_by=b, actor=admin)
    w = rules.DbWorld()
    assert rules.can_find(rules.person(ub), rules.person(ua), w)
    assert not rules.can_find(rules.person(ua), rules.person(ub), w)
    with pytest.raises(ApplicationError, match="China"):
        visibility_grant_create(company=co("C", region="China"), visible_by=a, actor=admin)


def test_mutual_request_accept_creates_both_grants_decline_none():
    # A request names only a company the requester finds (SPEC §4.6): public ones here.
    a, b, c = co("A", "public"), co("B", "public"), co("C", "public")
    req = visibility_request_create(from_company=a, to_company=b, actor=None)
    assert visibility_request_create(from_company=b, to_company=a, actor=None) == req
    visibility_request_accept(request=req, actor=None)
    assert set(VisibilityGrant.objects.values_list("company__name", "visible_by__name")) == {
        ("A", "B"),
        ("B", "A"),
    }
    with pytest.raises(ApplicationError):
        visibility_request_accept(request=req, actor=None)
    other = visibility_request_create(from_company=a, to_company=c, actor=None)
    visibility_request_decline(request=other, actor=None)
    assert VisibilityGrant.objects.count() == 2
    assert VisibilityRequest.objects.get(pk=other.pk).status == "declined"


def test_company_visibility_page_request_and_answer(client):
    a, b = co("Alpha", "private"), co("Beta", "public")
    admin_a = UserFactory(company=a, roles=[Role.COMPANY_ADMIN])
    admin_b = UserFactory(company=b, roles=[Role.COMPANY_ADMIN])
    client.force_login(admin_a)
    url = reverse("companies:company-visibility", args=[a.slug])
    assert client.post(url, {"company_name": "beta"}).status_code == 302
    response = client.post(url, {"company_name": "Nope"})
    assert b"No company has this exact name" in response.content
    client.force_login(admin_b)
    req = VisibilityRequest.objects.get()
    answer = reverse("companies:visibility-request-answer", args=[b.slug, req.pk, "accept"])
    assert client.post(answer).status_code == 302
    assert VisibilityGrant.objects.count() == 2
    # Another company's admin: 404; a plain member: 403.
    assert client.get(url).status_code == 404
    client.force_login(UserFactory(company=a))
    assert client.get(url).status_code == 403


def test_matrix_command(tmp_path, capsys):
    world = {
        "organizations": [{"name": "org0"}],
        "companies": [
            {"name": "hq", "visibility": "private", "organization": "org0", "region": "EMEA"},
            {"name": "br", "visibility": "organization", "organization": "org0", "region": "EMEA"},
            {"name": "pub", "visibility": "public", "organization": None, "region": "EMEA"},
            {"name": "cn", "visibility": "public", "organization": None, "region": "China"},
            {"name": "iso", "visibility": "isolated", "organization": None, "region": "EMEA"},
        ],
        "users": [
            {"email": "hq@x.test", "company": "hq", "visibility": None},
            {"email": "br@x.test", "company": "br", "visibility": None},
            {"email": "pub@x.test", "company": "pub", "visibility": None},
            {"email": "cn@x.test", "company": "cn", "visibility": None},
            {"email": "iso@x.test", "company": "iso", "visibility": None},
        ],
        "grants": [{"company": "cn", "visible_by": "pub"}],
        "contacts": [{"a": "iso@x.test", "b": "pub@x.test"}],
    }
    path = tmp_path / "world.json"
    path.write_text(json.dumps(world))
    call_command("visibility_matrix", str(path))
    out = json.loads(capsys.readouterr().out)
    assert out["find"] == [
        ["br@x.test", "pub@x.test"],
        ["hq@x.test", "br@x.test"],  # the HQ finds the branch, not the reverse (§4.5)
        ["hq@x.test", "pub@x.test"],
        ["iso@x.test", "pub@x.test"],  # contacts (§4.2)
        ["pub@x.test", "iso@x.test"],
    ]
    # The isolated row holds even inside the circle (§4.4); China never (§2.3).
    assert out["invite_in_app"] == [
        ["br@x.test", "pub@x.test"],
        ["hq@x.test", "br@x.test"],
        ["hq@x.test", "pub@x.test"],
    ]
    assert ["hq@x.test", "pub@x.test"] in out["invite_by_email"]
    assert not any("cn@x.test" in pair or "iso@x.test" in pair for pair in out["invite_by_email"])
    from accounts.models import User

    assert not User.objects.filter(email="hq@x.test").exists()  # rolled back


@pytest.mark.parametrize(
    "world, words",
    [
        ({"companies": [{"name": "a", "visibility": "organization"}]}, "organization mode"),
        (
            {"companies": [{"name": "a"}], "users": [{"email": "u@x.t", "company": "b"}]},
            "unknown company",
        ),
        (
            {
                "companies": [{"name": "a", "visibility": "public"}],
                "users": [{"email": "u@x.t", "company": "a", "visibility": "public"}],
            },
            "override 'public'",
        ),
        ({"companies": [{"name": "a", "visibility": "weird"}]}, "unknown visibility"),
        ({"companies": [{"name": "a"}], "grants": [{"company": "a", "visible_by": "z"}]}, "grants"),
    ],
)
def test_matrix_command_rejects_bad_worlds(tmp_path, world, words):
    path = tmp_path / "world.json"
    path.write_text(json.dumps(world))
    with pytest.raises(CommandError, match=words):
        call_command("visibility_matrix", str(path))


def test_grant_admin_goes_through_the_service(client):
    a, b = co("A", "private"), co("B", "private")
    root = UserFactory(company=a, is_superuser=True, is_staff=True)
    login_with_second_factor(client, root)  # the admin sits behind OTP (SPEC §7.5)
    url = reverse("admin:companies_visibilitygrant_add")
    response = client.post(url, {"company": a.pk, "visible_by": b.pk})
    assert response.status_code == 302
    assert ActivityRecord.objects.filter(event="visibility.grant.created").count() == 1
    same = client.post(url, {"company": a.pk, "visible_by": a.pk})
    assert same.status_code == 200 and b"always sees itself" in same.content


def test_admin_api_override_simulator_and_requests(api_client):
    a, b = co("Alpha", "private"), co("Beta", "private")
    admin_a = UserFactory(company=a, roles=[Role.COMPANY_ADMIN])
    admin_b = UserFactory(company=b, roles=[Role.COMPANY_ADMIN])
    member = UserFactory(company=a)
    url = reverse("api:member-visibility", args=[a.slug, member.pk])
    api_client.force_authenticate(admin_a)
    ok = api_client.patch(url, {"visibility_override": "public"}, format="json")
    assert ok.status_code == 200 and ok.json()["effective_mode"] == "public"
    bad = api_client.patch(url, {"visibility_override": "private"}, format="json")
    assert bad.status_code == 400  # private company: only `public` (SPEC §4.1)
    assert api_client.patch(url, {"visibility_override": "x"}, format="json").status_code == 400
    # Beta is private: the admin of Alpha cannot simulate against its people.
    assert api_client.get(url, {"other": admin_b.email}).status_code == 404
    sim = api_client.get(url, {"other": admin_a.email}).json()["simulation"]
    assert sim["member_finds"] == {"allowed": True, "reason": "same company", "section": "§4.2"}
    assert (
        api_client.get(reverse("api:member-visibility", args=[a.slug, 999999])).status_code == 404
    )
    # A private company cannot be asked (SPEC §4.6): Beta goes public first.
    company_visibility_set(company=b, visibility="public", actor=None)
    created = api_client.post(
        reverse("api:visibility-request-create", args=[a.slug]),
        {"company_name": "BETA"},
        format="json",
    )
    assert created.status_code == 201
    missing = api_client.post(
        reverse("api:visibility-request-create", args=[a.slug]),
        {"company_name": "Nope"},
        format="json",
    )
    assert missing.status_code == 404
    answer = reverse("api:visibility-request-answer", args=[b.slug, created.json()["id"], "accept"])
    assert api_client.post(answer).status_code == 404  # not Beta's admin
    api_client.force_authenticate(admin_b)
    assert api_client.post(answer).json()["status"] == "accepted"
    assert api_client.post(answer).status_code == 400  # already answered
    assert VisibilityGrant.objects.count() == 2
    api_client.force_authenticate(member)
    assert api_client.get(url).status_code == 403


def test_a_china_company_is_not_found_by_a_mutual_visibility_request(client, api_client):
    """SPEC §2.3: from another region a China company answers like a missing one — the
    request reveals nothing, not even "exists but refused"."""
    from companies.models import Company, Role

    emea = CompanyFactory(region="EMEA")
    CompanyFactory(name="Great Wall Trading", region="China")
    admin = UserFactory(company=emea, roles=[Role.COMPANY_ADMIN])
    client.force_login(admin)
    page = client.post(
        reverse("companies:company-visibility", args=[emea.slug]),
        {"company_name": "Great Wall Trading"},
    )
    api_client.force_authenticate(admin)
    api = api_client.post(
        reverse("api:visibility-request-create", args=[emea.slug]),
        {"company_name": "great wall trading"},
        format="json",
    )
    missing = api_client.post(
        reverse("api:visibility-request-create", args=[emea.slug]),
        {"company_name": "No Such Company"},
        format="json",
    )
    assert "No company has this exact name." in page.content.decode()
    assert "China" not in page.content.decode()
    assert api.status_code == missing.status_code == 404
    assert api.json() == missing.json()
    assert not Company.objects.get(name="Great Wall Trading").visibility_requests_received.exists()


# --- can_find_company, rule by rule with its reason (the simulator shows the reason; issue 9's
# mutation run). Expectations from SPEC §2.3, §4.2, §4.3, §4.5, §4.6.


def _company_row(pk, mode, org=None, region="EMEA"):
    from types import SimpleNamespace

    return SimpleNamespace(pk=pk, visibility=mode, organization_id=org, region=region)


def _viewer(company_id, mode="public", org=None, region="EMEA", override=""):
    from companies.visibility import rules

    return rules.Person(
        id=7, company_id=company_id, company_mode=mode, override=override, org_id=org, region=region
    )


@pytest.mark.parametrize(
    ("viewer", "company", "grants", "expected"),
    [
        (_viewer(1, "closed"), _company_row(1, "closed"), set(), (True, "own company", "§4.2")),
        (_viewer(2), _company_row(1, "private"), {(1, 2)}, (True, "a visibility grant", "§4.6")),
        (
            _viewer(2),
            _company_row(1, "private"),
            {(2, 1)},
            (False, "not visible to the viewer", "§4.3"),
        ),
        (
            _viewer(2, "organization", org=9),
            _company_row(1, "organization", org=9),
            set(),
            (True, "same organization", "§4.5"),
        ),
        (
            _viewer(2, "organization", org=9),
            _company_row(1, "private", org=9),
            set(),
            (False, "not visible to the viewer", "§4.3"),
        ),
        (
            _viewer(2, "public", org=8),
            _company_row(1, "organization", org=9),
            set(),
            (False, "not visible to the viewer", "§4.3"),
        ),
        (_viewer(2), _company_row(1, "public"), set(), (True, "public company", "§4.3")),
        (
            _viewer(2, "closed"),
            _company_row(1, "public"),
            set(),
            (False, "not visible to the viewer", "§4.3"),
        ),
        (
            _viewer(2, override="private"),
            _company_row(1, "public"),
            set(),
            (True, "public company", "§4.3"),
        ),
        (
            _viewer(2, region="China"),
            _company_row(1, "public"),
            {(1, 2)},
            (False, "China is never visible to or from another region", "§2.3"),
        ),
    ],
)
def test_can_find_company_rule_by_rule(viewer, company, grants, expected):
    from companies.visibility import rules

    world = rules.MemoryWorld(contacts=set(), grant_pairs=grants)
    verdict = rules.can_find_company(viewer, company, world)
    assert (verdict.allowed, verdict.reason, verdict.section) == expected
