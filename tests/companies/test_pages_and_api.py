"""Company admin pages, joining pages, partner portal and the API: behaviour, clear refusals
(page and API) and constant query counts."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from activity.models import ActivityRecord
from companies.membership import selectors, services
from companies.models import Company, CompanyInvitation, JoinLink, Role, RoleAssignment
from companies.selectors import default_company
from core.models import OutboundEmail
from tests.factories import PASSWORD, CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def company():
    return CompanyFactory(name="Acme")


@pytest.fixture
def admin(company):
    return UserFactory(company=company, roles=[Role.COMPANY_ADMIN], email="admin@acme.test")


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


@pytest.fixture
def admin_api(admin):
    api = APIClient()
    api.force_authenticate(admin)
    return api


def url(name, company, **kw):
    return reverse(f"companies:{name}", kwargs={"slug": company.slug, **kw})


def api_url(name, company, **kw):
    return reverse(f"api:{name}", kwargs={"slug": company.slug, **kw})


def page_text(response) -> str:
    return response.content.decode()


# --- Members list --------------------------------------------------------------------------


def test_members_search_filter_and_pages(admin_client, company, admin):
    for i in range(60):
        UserFactory(company=company, email=f"m{i:02d}@acme.test", first_name="Member")
    UserFactory(company=company, email="zed@acme.test", first_name="Zed", is_active=False)
    response = admin_client.get(url("members", company))
    assert "62 members" in page_text(response)
    assert "Page 1 of 2" in page_text(response)
    response = admin_client.get(url("members", company), {"q": "zed"})
    assert "zed@acme.test" in page_text(response) and "m01@acme.test" not in page_text(response)
    response = admin_client.get(url("members", company), {"role": "company_admin"})
    assert "1 member" in page_text(response) and "admin@acme.test" in page_text(response)
    response = admin_client.get(url("members", company), {"status": "inactive"})
    assert "1 member" in page_text(response) and "zed@acme.test" in page_text(response)
    response = admin_client.get(url("members", company), {"q": "Member", "page": 2})
    assert "Page 2 of 2" in page_text(response)


def test_members_list_query_count_is_constant(admin_client, company, django_assert_max_num_queries):
    def load():
        response = admin_client.get(url("members", company))
        assert response.status_code == 200

    for i in range(5):
        UserFactory(company=company, roles=[Role.COMPANY_ADMIN] if i % 2 else [])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        load()
    for i in range(120):
        UserFactory(company=company, roles=[Role.COMPANY_ADMIN] if i % 2 else [])
    with django_assert_max_num_queries(len(small.captured_queries)):
        load()


def test_members_api_query_count_is_constant(admin_api, company, django_assert_max_num_queries):
    UserFactory.create_batch(3, company=company)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert admin_api.get(api_url("company-members", company)).status_code == 200
    for _ in range(80):
        UserFactory(company=company, roles=[Role.COMPANY_ADMIN])
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = admin_api.get(api_url("company-members", company))
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 84 and len(data["results"]) == 50


# --- Roles: refused with a clear message, page and API -------------------------------------


def test_self_role_change_refused_on_page_and_api(admin_client, admin_api, company, admin):
    response = admin_client.post(
        url("member-role", company, member_id=admin.pk),
        {"role": "company_admin", "action": "remove"},
        follow=True,
    )
    assert "Nobody changes their own roles" in page_text(response)
    response = admin_api.post(
        api_url("company-member-roles", company, member_id=admin.pk),
        {"role": "company_admin", "action": "remove"},
        format="json",
    )
    assert response.status_code == 400
    assert "Nobody changes their own roles" in response.json()["error"]["message"]
    assert RoleAssignment.objects.filter(user=admin).exists()
    assert not ActivityRecord.objects.filter(event="role.revoked").exists()


def test_role_by_non_holder_refused_on_page_and_api():
    partner = CompanyFactory(kind=Company.Kind.BUSINESS_PARTNER)
    finance = UserFactory(company=partner, roles=[Role.BP_FINANCE])
    colleague = UserFactory(company=partner)
    client = Client()
    client.force_login(finance)
    response = client.post(
        url("member-role", partner, member_id=colleague.pk),
        {"role": "bp_admin", "action": "grant"},
        follow=True,
    )
    assert "Only someone who holds the role Partner admin" in page_text(response)
    api = APIClient()
    api.force_authenticate(finance)
    response = api.post(
        api_url("company-member-roles", partner, member_id=colleague.pk),
        {"role": "bp_admin", "action": "grant"},
        format="json",
    )
    assert response.status_code == 400
    assert "holds the role Partner admin" in response.json()["error"]["message"]
    assert not RoleAssignment.objects.filter(user=colleague).exists()
    # The holder may.
    response = api.post(
        api_url("company-member-roles", partner, member_id=colleague.pk),
        {"role": "bp_finance", "action": "grant"},
        format="json",
    )
    assert response.json()["roles"] == ["bp_finance"]


def test_member_page_shows_grant_buttons_only_where_allowed(admin_client, company, admin):
    member = UserFactory(company=company)
    text = page_text(admin_client.get(url("member", company, member_id=member.pk)))
    assert "Grant Company admin" in text
    text = page_text(admin_client.get(url("member", company, member_id=admin.pk)))
    assert "Grant Company admin" not in text and "Remove Company admin" not in text
    assert "Nobody changes their own roles" in text


# --- Invitations ----------------------------------------------------------------------------


def test_invite_page_many_and_refusal(admin_client, admin_api, company):
    UserFactory(email="member@acme.test", company=company)
    response = admin_client.post(
        url("invitations", company), {"emails": "one@new.test, member@acme.test"}
    )
    assert response.status_code == 200
    assert "already a member of Acme" in page_text(response)
    assert not CompanyInvitation.objects.exists()
    response = admin_api.post(
        api_url("company-invitations", company),
        {"emails": ["one@new.test", "member@acme.test"]},
        format="json",
    )
    assert response.status_code == 400
    assert "already a member of Acme" in response.json()["error"]["message"]
    assert not CompanyInvitation.objects.exists()
    response = admin_client.post(
        url("invitations", company), {"emails": "one@new.test\ntwo@new.test"}, follow=True
    )
    assert "2 invitations sent" in page_text(response)
    assert "one@new.test" in page_text(response) and "two@new.test" in page_text(response)


def test_resend_and_cancel_from_the_page(admin_client, company, admin):
    (invitation,) = services.invitations_create(company=company, emails=["r@new.test"], actor=admin)
    response = admin_client.post(
        url("invitation-resend", company, invitation_id=invitation.pk), follow=True
    )
    assert "Invitation sent again to r@new.test" in page_text(response)
    assert OutboundEmail.objects.filter(to="r@new.test").count() == 2
    response = admin_client.post(
        url("invitation-cancel", company, invitation_id=invitation.pk), follow=True
    )
    assert "Invitation to r@new.test canceled" in page_text(response)
    response = admin_client.post(
        url("invitation-cancel", company, invitation_id=invitation.pk), follow=True
    )
    assert "This invitation is canceled" in page_text(response)


def test_invitation_signup_page(client, company, admin):
    services.invitations_create(company=company, emails=["new@new.test"], actor=admin)
    token = OutboundEmail.objects.get(to="new@new.test").body_text.split("/invitations/")[1]
    token = token.split("/")[0]
    link = reverse("companies:invitation", args=[token])
    page = client.get(link)
    assert "Join Acme" in page_text(page) and "new@new.test" in page_text(page)
    response = client.post(
        link,
        {"first_name": "New", "last_name": "Person", "password": "x", "password_again": "x"},
    )
    assert response.status_code == 200 and not User.objects.filter(email="new@new.test").exists()
    response = client.post(
        link,
        {
            "first_name": "New",
            "last_name": "Person",
            "password": PASSWORD,
            "password_again": PASSWORD,
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="new@new.test")
    assert user.company == company
    assert client.get(reverse("core:dashboard")).context["user"] == user
    assert "already used" in page_text(client.get(link))


# --- Join links and requests ------------------------------------------------------------------


def test_expired_and_exhausted_join_links_refused_on_page_and_api(client, company, admin):
    JoinLink.objects.create(
        company=company,
        token_hash=selectors.token_hash("full"),
        max_uses=1,
        use_count=1,
        expires_at=timezone.now() + timezone.timedelta(days=1),
    )
    JoinLink.objects.create(
        company=company,
        token_hash=selectors.token_hash("old"),
        max_uses=5,
        expires_at=timezone.now(),
    )
    person = UserFactory(company=default_company())
    client.force_login(person)
    api = APIClient()
    api.force_authenticate(person)
    for token, message in (("full", "maximum number of users"), ("old", "has expired")):
        page = client.get(reverse("companies:join", args=[token]))
        assert page.status_code == 400 and message in page_text(page)
        page = client.post(reverse("companies:join", args=[token]))
        assert page.status_code == 400 and message in page_text(page)
        response = api.post(reverse("api:join-link-use", args=[token]), format="json")
        assert response.status_code == 400 and message in response.json()["error"]["message"]
    person.refresh_from_db()
    assert person.company.is_default
    assert not ActivityRecord.objects.filter(event="join_link.used").exists()


def test_join_link_page_flow(admin_client, company):
    response = admin_client.post(
        url("join-links", company), {"max_uses": 2, "valid_days": 3}, follow=True
    )
    assert "Join link created" in page_text(response)
    token = page_text(response).split("/join/")[1].split("/")[0]
    person = UserFactory(company=default_company())
    client = Client()
    client.force_login(person)
    assert "Join Acme" in page_text(client.get(reverse("companies:join", args=[token])))
    client.post(reverse("companies:join", args=[token]))
    person.refresh_from_db()
    assert person.company == company


def test_standalone_user_asks_to_join_and_admin_accepts(admin_client, company):
    person = UserFactory(company=default_company())
    client = Client()
    client.force_login(person)
    page = client.get(reverse("companies:join-start"), {"q": "acm"})
    assert "Ask to join Acme" in page_text(page)
    response = client.post(reverse("companies:join-request", args=[company.slug]), follow=True)
    assert "Your request to join Acme was sent" in page_text(response)
    page = admin_client.get(url("join-requests", company))
    assert person.email in page_text(page)
    request_id = page.context["requests"][0].pk
    admin_client.post(
        url("join-request-decide", company, request_id=request_id), {"decision": "accept"}
    )
    person.refresh_from_db()
    assert person.company == company


def test_standalone_user_creates_company_from_the_page(client):
    person = UserFactory(company=default_company())
    client.force_login(person)
    response = client.post(reverse("companies:join-start"), {"name": "Fresh Co"}, follow=True)
    assert "Fresh Co is created; you are its admin" in page_text(response)
    person.refresh_from_db()
    assert person.company.name == "Fresh Co"
    assert client.get(reverse("companies:manage")).status_code == 302


# --- Partner portal ---------------------------------------------------------------------------


@pytest.fixture
def partner():
    return CompanyFactory(kind=Company.Kind.BUSINESS_PARTNER, name="Bridge")


@pytest.mark.parametrize(
    "roles, can_create",
    [([Role.BP_OPERATION], True), ([Role.BP_FINANCE], True), ([Role.BP_ADMIN], False)],
)
def test_partner_portal_by_role(client, partner, roles, can_create):
    CompanyFactory(name="Cobalt", business_partner=partner)
    client.force_login(UserFactory(company=partner, roles=roles))
    page = client.get(reverse("companies:partner"))
    assert page.status_code == 200 and "Cobalt" in page_text(page)
    assert ("New customer" in page_text(page)) is can_create
    response = client.post(
        reverse("companies:customer-create"), {"name": "Delta", "admin_email": "a@delta.test"}
    )
    assert (response.status_code == 302) is can_create
    assert Company.objects.filter(name="Delta", business_partner=partner).exists() is can_create


def test_partner_portal_refuses_others(client, company, admin):
    client.force_login(admin)
    assert client.get(reverse("companies:partner")).status_code == 403
    api = APIClient()
    api.force_authenticate(admin)
    assert api.get(reverse("api:partner-customers")).status_code == 403


def test_partner_creates_customer_through_api(partner):
    op = UserFactory(company=partner, roles=[Role.BP_OPERATION])
    api = APIClient()
    api.force_authenticate(op)
    response = api.post(
        reverse("api:partner-customers"),
        {"name": "Echo", "admin_email": "admin@echo.test"},
        format="json",
    )
    assert response.status_code == 201 and response.json()["name"] == "Echo"
    assert CompanyInvitation.objects.get(email="admin@echo.test").role == Role.COMPANY_ADMIN
    assert [c["name"] for c in api.get(reverse("api:partner-customers")).json()] == ["Echo"]


def test_partner_offer_flow_through_pages(admin_client, partner, company):
    client = Client()
    client.force_login(UserFactory(company=partner, roles=[Role.BP_FINANCE]))
    response = client.post(
        reverse("companies:partner-offer-create"), {"customer_name": "Acme"}, follow=True
    )
    assert "Offer sent to Acme" in page_text(response)
    page = admin_client.get(url("profile", company))
    assert "Bridge offers to become your business partner" in page_text(page)
    offer_id = page.context["partner_offers"][0].pk
    response = admin_client.post(
        url("partner-offer-decide", company, invitation_id=offer_id),
        {"decision": "accept"},
        follow=True,
    )
    assert "Bridge is now your partner" in page_text(response)
    company.refresh_from_db()
    assert company.business_partner == partner


# --- Company profile and file sharing ---------------------------------------------------------


def test_profile_rename_and_file_sharing(admin_client, admin_api, company):
    CompanyFactory(name="Taken")
    response = admin_client.post(url("profile", company), {"name": "taken"})
    assert "already exists" in page_text(response)
    admin_client.post(url("profile", company), {"name": "Acme Renamed"})
    company.refresh_from_db()
    assert company.name == "Acme Renamed"
    admin_client.post(url("file-sharing", company), {"enabled": "0"})
    assert admin_api.get(api_url("company-file-sharing", company)).json() == {"enabled": False}
    response = admin_api.patch(api_url("company", company), {"name": "Taken"}, format="json")
    assert response.status_code == 400 and "already exists" in response.json()["error"]["message"]


def test_standalone_api_create_company_and_ask_to_join(company):
    person = UserFactory(company=default_company())
    api = APIClient()
    api.force_authenticate(person)
    response = api.post(
        reverse("api:join-request-create"), {"company": company.slug}, format="json"
    )
    assert response.status_code == 201
    response = api.post(
        reverse("api:join-request-create"), {"company": company.slug}, format="json"
    )
    assert response.status_code == 400 and "already asked" in response.json()["error"]["message"]
    response = api.post(reverse("api:company-create"), {"name": "Mine"}, format="json")
    assert response.status_code == 201 and response.json()["region"] == "EMEA"
    response = api.post(reverse("api:company-create"), {"name": "Second"}, format="json")
    # A rights question, as on the page (schemathesis: schema-valid input is not a 400).
    assert response.status_code == 403
    assert "Only standalone users" in response.json()["error"]["message"]
    assert not Company.objects.filter(name="Second").exists()


@pytest.mark.parametrize("change", [{"region": "NA"}, {"is_hds": True}])
def test_api_refuses_region_and_hds_change(admin_api, company, change):
    response = admin_api.patch(
        api_url("company", company), {"name": "New", **change}, format="json"
    )
    assert response.status_code == 400
    assert "cannot be changed" in response.json()["error"]["message"]
    company.refresh_from_db()
    assert (company.name, company.region, company.is_hds) == ("Acme", "EMEA", False)


def test_operator_domain_api(company):
    other = CompanyFactory(name="Other")
    root = UserFactory(is_staff=True, is_superuser=True)
    api = APIClient()
    api.force_authenticate(root)
    endpoint = reverse("api:operator-domains", args=[company.slug])
    assert api.post(endpoint, {"domain": "acme.test"}, format="json").status_code == 201
    response = api.post(
        reverse("api:operator-domains", args=[other.slug]), {"domain": "ACME.test"}, format="json"
    )
    assert response.status_code == 400
    assert "already belongs to “Acme”" in response.json()["error"]["message"]
    assert api.get(endpoint).json() == [{"domain": "acme.test"}]
    admin = UserFactory(company=company, roles=[Role.COMPANY_ADMIN])
    api.force_authenticate(admin)
    assert api.post(endpoint, {"domain": "x.test"}, format="json").status_code == 403


# --- Security review: a join link is shown in full once -------------------------------------


def test_join_link_page_shows_the_full_link_once(admin_client, company, admin_api):
    response = admin_client.post(
        url("join-links", company), {"max_uses": 2, "valid_days": 3}, follow=True
    )
    text = page_text(response)
    assert "/join/" in text and "copy it now" in text
    token = text.split("/join/")[1].split("/")[0]
    link = JoinLink.objects.get()
    assert link.token_hash == selectors.token_hash(token)
    # Seen again later, the page no longer holds the link.
    assert token not in page_text(admin_client.get(url("join-links", company)))
    # Regenerating shows a new one, once; the old one stops working.
    response = admin_client.post(url("join-link-regenerate", company, link_id=link.pk), follow=True)
    new_token = page_text(response).split("/join/")[1].split("/")[0]
    assert new_token != token
    assert new_token not in page_text(admin_client.get(url("join-links", company)))
    # The API hands the token back at creation only.
    created = admin_api.post(
        api_url("company-join-links", company), {"max_uses": 3, "valid_days": 2}, format="json"
    ).json()
    assert JoinLink.objects.get(pk=created["id"]).token_hash == selectors.token_hash(
        created["token"]
    )
    listed = admin_api.get(api_url("company-join-links", company)).json()
    assert all("token" not in row for row in listed)
    regenerated = admin_api.post(
        api_url("company-join-link-regenerate", company, link_id=created["id"]), format="json"
    ).json()
    assert regenerated["token"] != created["token"]


# --- Security review: query strings are validated (NUL bytes, unknown choices) ---------------


@pytest.mark.parametrize(
    "params, field",
    [({"q": "a\x00b"}, "q"), ({"role": "emperor"}, "role"), ({"status": "x"}, "status")],
)
def test_member_list_api_refuses_bad_filters_with_a_400(admin_api, company, params, field):
    response = admin_api.get(api_url("company-members", company), params)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_member_list_api_filters_still_work(admin_api, company):
    UserFactory(company=company, email="zed@acme.test")
    response = admin_api.get(api_url("company-members", company), {"q": "zed", "role": "user"})
    assert response.status_code == 200
    assert [m["email"] for m in response.json()["results"]] == ["zed@acme.test"]


def test_members_page_refuses_a_nul_byte_with_a_form_error(admin_client, company):
    response = admin_client.get(url("members", company), {"q": "a\x00b"})
    assert response.status_code == 400
    assert "Null characters are not allowed" in page_text(response)


def test_join_start_search_refuses_a_nul_byte(company):
    client = Client()
    client.force_login(UserFactory(company=default_company()))
    response = client.get(reverse("companies:join-start"), {"q": "ac\x00me"})
    assert response.status_code == 400
    assert "Null characters are not allowed" in page_text(response)
    response = client.get(reverse("companies:join-start"), {"q": "acm"})
    assert response.status_code == 200 and "Ask to join Acme" in page_text(response)
