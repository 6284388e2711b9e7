"""Directory search, profile and company page (SPEC §4.3, issue 4), including bad input."""

import pytest
from django.urls import reverse

from accounts.models import Contact
from companies.models import Role
from companies.services import company_create
from companies.visibility import search
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def make(name, mode="public", region="EMEA", org=None):
    from companies.services import company_organization_set, company_visibility_set

    company = company_create(name=name, region=region, actor=None)
    if org:
        company_organization_set(company=company, organization=org, actor=None)
    company_visibility_set(company=company, visibility=mode, actor=None)
    return company


@pytest.fixture
def world():
    pub = make("Pub Co")
    priv = make("Priv Co", "private")
    closed = make("Closed Co", "closed")
    china = make("Cn Co", region="China")
    people = {
        "viewer": UserFactory(company=pub, first_name="Vera", last_name="Viewer"),
        "pub": UserFactory(company=pub, first_name="Anna", last_name="Smith"),
        "pub2": UserFactory(company=make("Other Pub"), first_name="Annabel", last_name="Jones"),
        "priv": UserFactory(company=priv, first_name="Anne", last_name="Hidden"),
        "closed": UserFactory(company=closed, first_name="Anders", last_name="Closed"),
        "china": UserFactory(company=china, first_name="Annie", last_name="Wang"),
        "wild": UserFactory(company=pub, first_name="100%", last_name="Under_Score"),
    }
    return people


def names(page):
    return [h.full_name for h in page.hits]


def test_prefix_on_first_last_and_full_name_case_insensitive(world):
    viewer = world["viewer"]
    assert names(search.directory_search(viewer=viewer, query="ANN")) == [
        "Anna Smith",
        "Annabel Jones",
    ]
    assert names(search.directory_search(viewer=viewer, query="smi")) == ["Anna Smith"]
    assert names(search.directory_search(viewer=viewer, query="anna  s")) == ["Anna Smith"]
    assert names(search.directory_search(viewer=viewer, query="anna j")) == []


def test_hidden_users_are_absent_private_closed_china(world):
    hits = names(search.directory_search(viewer=world["viewer"], query="an"))
    assert "Anne Hidden" not in hits  # private company (§4.3)
    assert "Anders Closed" not in hits  # closed company (§4.3)
    assert "Annie Wang" not in hits  # China (§2.3)


def test_contact_makes_a_private_user_findable(world):
    viewer, priv = world["viewer"], world["priv"]
    Contact.objects.create(owner=viewer, contact=priv)
    Contact.objects.create(owner=priv, contact=viewer)
    assert "Anne Hidden" in names(search.directory_search(viewer=viewer, query="hid"))


def test_exact_email_only(world):
    viewer = world["viewer"]
    found = search.directory_search(viewer=viewer, query=world["pub2"].email.upper())
    assert names(found) == ["Annabel Jones"]
    hidden = search.directory_search(viewer=viewer, query=world["priv"].email)
    assert names(hidden) == []
    partial = search.directory_search(viewer=viewer, query=world["pub2"].email[:-2])
    assert names(partial) == []


@pytest.mark.parametrize(
    "query, message",
    [
        ("", "at least 2"),
        ("   ", "at least 2"),
        ("a", "at least 2"),
        ("x" * 101, "at most 100"),
        ("@", "one complete address"),
        ("a@b@c", "one complete address"),
    ],
)
def test_bad_queries_have_clear_messages(world, query, message):
    with pytest.raises(search.QueryError, match=message):
        search.directory_search(viewer=world["viewer"], query=query)


def test_wildcards_and_sql_metacharacters_match_literally(world):
    viewer = world["viewer"]
    assert names(search.directory_search(viewer=viewer, query="%%")) == []
    assert names(search.directory_search(viewer=viewer, query="__")) == []
    assert names(search.directory_search(viewer=viewer, query="100%")) == ["100% Under_Score"]
    assert names(search.directory_search(viewer=viewer, query="under_")) == ["100% Under_Score"]
    for evil in ["'; DROP TABLE accounts_user; --", "a' OR '1'='1", "\\\\", "an\\"]:
        assert names(search.directory_search(viewer=viewer, query=evil)) == []


@pytest.mark.parametrize("page", ["0", "-1", "abc", "51", "1e9", "99999999999999999999"])
def test_bad_pages(world, page):
    with pytest.raises(search.QueryError):
        search.directory_search(viewer=world["viewer"], query="an", page=page)


def test_pagination_never_counts_hidden_users(world):
    """Pages are cut from visible rows only: a hidden match changes neither page size nor
    whether a next page exists."""
    viewer = world["viewer"]
    pub = world["pub"].company
    for i in range(3):
        UserFactory(company=pub, first_name=f"Zed{i}", last_name="Z")
    hidden_co = make("Hidden Zed Co", "private")
    for i in range(5):
        UserFactory(company=hidden_co, first_name=f"Zed{i}a", last_name="Z")
    first = search.directory_search(viewer=viewer, query="zed", page_size=2)
    second = search.directory_search(viewer=viewer, query="zed", page=2, page_size=2)
    assert names(first) == ["Zed0 Z", "Zed1 Z"] and first.has_next
    assert names(second) == ["Zed2 Z"] and not second.has_next


def test_one_query_per_search(world, django_assert_num_queries):
    for i in range(30):
        UserFactory(company=world["pub"].company, first_name=f"Many{i}", last_name="M")
    with django_assert_num_queries(1):
        page = search.directory_search(viewer=world["viewer"], query="many")
    assert len(page.hits) == search.PAGE_SIZE and page.has_next


def test_directory_page_and_bad_input_never_500(client, world):
    client.force_login(world["viewer"])
    url = reverse("companies:directory")
    assert client.get(url).status_code == 200
    response = client.get(url, {"q": "anna"})
    assert response.status_code == 200 and b"Anna Smith" in response.content
    assert b"Anne Hidden" not in client.get(url, {"q": "anne"}).content
    for q in ["a", "x" * 5000, "%_%", "' OR 1=1 --", "\x00"]:
        response = client.get(url, {"q": q})
        assert response.status_code in (200, 400), q
    response = client.get(url, {"q": "an", "page": "zzz"})
    assert response.status_code == 200 and b"page must be a number" in response.content


def test_api_directory(api_client, world):
    url = reverse("api:directory")
    assert api_client.get(url, {"q": "ann"}).status_code in (401, 403)
    api_client.force_authenticate(world["viewer"])
    body = api_client.get(url, {"q": "ann"}).json()
    assert [r["first_name"] for r in body["results"]] == ["Anna", "Annabel"]
    assert body["has_next"] is False
    bad = api_client.get(url, {"q": "a"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_query"
    assert api_client.get(url, {"q": "an", "page": "x"}).status_code == 400


def test_api_directory_rows_are_the_hit_serializers(api_client, world):
    # The endpoint writes its rows without building HitSerializer (issue 15): same answer.
    from companies.visibility import search
    from companies.visibility.api import HitSerializer, hit_representation

    api_client.force_authenticate(world["viewer"])
    body = api_client.get(reverse("api:directory"), {"q": "ann"}).json()
    hits = search.directory_search(viewer=world["viewer"], query="ann", page=1).hits
    assert body["results"] == [dict(HitSerializer(hit).data) for hit in hits]
    assert [hit_representation(hit) for hit in hits] == body["results"]
    assert set(body["results"][0]) == set(HitSerializer().fields)


def test_profile_hidden_is_404_not_403(client, api_client, world):
    client.force_login(world["viewer"])
    assert client.get(reverse("companies:person", args=[world["pub2"].pk])).status_code == 200
    for hidden in ("priv", "closed", "china"):
        url = reverse("companies:person", args=[world[hidden].pk])
        assert client.get(url).status_code == 404
    assert client.get(reverse("companies:person", args=[999999])).status_code == 404
    api_client.force_authenticate(world["viewer"])
    assert (
        api_client.get(reverse("api:directory-person", args=[world["priv"].pk])).status_code == 404
    )
    ok = api_client.get(reverse("api:directory-person", args=[world["pub2"].pk])).json()
    assert ok["presence"] is None  # not a contact (SPEC §4.7)


def test_company_page_follows_company_mode(client, world):
    client.force_login(world["viewer"])
    response = client.get(reverse("companies:company-page", args=[world["pub2"].company.slug]))
    assert response.status_code == 200 and b"Annabel Jones" in response.content
    for hidden in ("priv", "closed", "china"):
        slug = world[hidden].company.slug
        assert client.get(reverse("companies:company-page", args=[slug])).status_code == 404
    assert client.get(reverse("companies:company-page", args=["no-such"])).status_code == 404


def test_member_visibility_page_sets_override_and_simulates(client, world):
    pub = world["pub"].company
    admin = UserFactory(company=pub, roles=[Role.COMPANY_ADMIN])
    client.force_login(admin)
    url = reverse("companies:member-visibility", args=[pub.slug, world["pub"].pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"visibility_override": "private"})
    assert response.status_code == 302
    world["pub"].refresh_from_db()
    assert world["pub"].visibility_override == "private"
    assert world["pub"].visibility_mode == "private"
    bad = client.post(url, {"visibility_override": "isolated"})
    assert bad.status_code == 200 and b"errorlist" in bad.content
    sim = client.get(url, {"other": world["pub2"].email})
    # Reasons in plain words, never a rule number (issue 14).
    assert (
        b'data-testid="simulation"' in sim.content
        and b"is public: everyone finds them" in sim.content
    )
    assert b"SPEC" not in sim.content and "§".encode() not in sim.content
    # An address the admin cannot find is refused like a missing one.
    hidden = client.get(url, {"other": world["priv"].email})
    assert b"No such person that you can see" in hidden.content
    # A plain member: 403; another company's admin: 404.
    client.force_login(world["viewer"])
    assert client.get(url).status_code == 403
    other_admin = UserFactory(company=world["pub2"].company, roles=[Role.COMPANY_ADMIN])
    client.force_login(other_admin)
    assert client.get(url).status_code == 404
    assert PASSWORD


def test_operations_staff_simulate_any_company_read_only(client, world):
    from tests.factories import make_operations

    ops = make_operations(UserFactory(company=world["viewer"].company, is_staff=True))
    client.force_login(ops)
    member = world["priv"]
    url = reverse("companies:member-visibility", args=[member.company.slug, member.pk])
    page = client.get(url, {"other": world["pub"].email})
    assert page.status_code == 200
    text = page.content.decode()
    assert "is private, so only their company, their contacts" in text
    assert "SPEC" not in text and "§" not in text
    assert client.post(url, {"visibility_override": "public"}).status_code == 403
    member.refresh_from_db()
    assert member.visibility_override == ""


def test_profile_of_a_contact_in_a_hidden_company_does_not_link_the_company(client, world):
    viewer, priv = world["viewer"], world["priv"]
    Contact.objects.create(owner=viewer, contact=priv)
    Contact.objects.create(owner=priv, contact=viewer)
    client.force_login(viewer)
    page = client.get(reverse("companies:person", args=[priv.pk])).content.decode()
    assert "Anne Hidden" in page and "Priv Co" in page
    assert reverse("companies:company-page", args=[priv.company.slug]) not in page


def test_admin_reaches_the_visibility_pages_from_profile_and_company_page(client, world):
    pub = world["pub"].company
    admin = UserFactory(company=pub, roles=[Role.COMPANY_ADMIN])
    client.force_login(admin)
    profile = client.get(reverse("companies:person", args=[world["pub"].pk])).content.decode()
    assert reverse("companies:member-visibility", args=[pub.slug, world["pub"].pk]) in profile
    company = client.get(reverse("companies:company-page", args=[pub.slug])).content.decode()
    assert reverse("companies:company-visibility", args=[pub.slug]) in company
    client.force_login(world["viewer"])  # a plain member sees neither link
    profile = client.get(reverse("companies:person", args=[world["pub"].pk])).content.decode()
    assert "/visibility/" not in profile


def test_directory_marks_contacts_and_invited_people_instead_of_offering_invite(client, world):
    """A contact reads "In your network", someone invited reads "Invited" (a declined
    invitation too: SPEC §5.4 shows it to the inviter as pending), a stranger gets "Invite";
    the page's query count does not grow with the page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Invitation
    from companies.visibility.network_services import invitation_decline, invitation_send_in_app

    viewer = world["viewer"]
    client.force_login(viewer)
    url = reverse("companies:directory")

    def get():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, {"q": "ann"})
        assert response.status_code == 200
        body = response.content.decode()
        return body, len(ctx.captured_queries)

    get()  # the first request after sign-in records the session
    before, queries = get()
    assert before.count('aria-label="Invite') == 2  # Anna Smith, Annabel Jones

    Contact.objects.create(owner=viewer, contact=world["pub"])
    Contact.objects.create(owner=world["pub"], contact=viewer)
    invitation_send_in_app(inviter=viewer, invitee=world["pub2"], actor=viewer)
    invitation = Invitation.objects.get(inviter=viewer, invitee=world["pub2"])
    invitation_decline(invitation=invitation, actor=world["pub2"])
    after, queries_after = get()
    assert 'data-testid="in-network"' in after and 'data-testid="invited"' in after
    assert 'aria-label="Invite' not in after
    assert queries_after == queries
