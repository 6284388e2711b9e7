"""The tenant-isolation matrix: every company-scoped page and API endpoint, for anonymous,
a member without the role (403), an admin of another company (404), the partner roles of
SPEC §3.3 and the allowed admin (200)."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from companies.models import (
    Company,
    CompanyInvitation,
    JoinLink,
    JoinRequest,
    PartnerInvitation,
    Role,
    VisibilityRequest,
)
from companies.selectors import default_company
from tests.factories import CompanyFactory, UserFactory, api_token

pytestmark = pytest.mark.django_db

# url name -> (method, data). Every company-scoped route must be listed (checked below).
PAGES = {
    "profile": ("get", None),
    "file-sharing": ("post", {"enabled": "0"}),
    "members": ("get", None),
    "member": ("get", None),
    "member-role": ("post", {"role": "company_admin", "action": "grant"}),
    "member-file-sharing": ("post", {"mode": "disabled"}),
    "invitations": ("get", None),
    "invitation-resend": ("post", {}),
    "invitation-cancel": ("post", {}),
    "join-requests": ("get", None),
    "join-request-decide": ("post", {"decision": "decline"}),
    "join-links": ("get", None),
    "join-link-toggle": ("post", {"enabled": "0"}),
    "join-link-regenerate": ("post", {}),
    "partner-offer-decide": ("post", {"decision": "decline"}),
    # Visibility (issue 4)
    "member-visibility": ("get", None),
    "company-visibility": ("get", None),
    "visibility-request-answer": ("post", {}),
}
API = {
    "company": ("get", None),
    "company-file-sharing": ("put", {"enabled": False}),
    "company-members": ("get", None),
    "company-member-roles": ("post", {"role": "company_admin", "action": "grant"}),
    "company-member-file-sharing": ("put", {"mode": "disabled"}),
    "company-invitations": ("post", {"emails": ["fresh@new.test"]}),
    "company-invitation-resend": ("post", {}),
    "company-invitation-cancel": ("post", {}),
    "company-join-requests": ("get", None),
    "company-join-request-decide": ("post", {"decision": "decline"}),
    "company-join-links": ("post", {"max_uses": 3, "valid_days": 2}),
    "company-join-link": ("patch", {"enabled": False}),
    "company-join-link-regenerate": ("post", {}),
    "company-partner-offer": ("post", {"decision": "decline"}),
    # Visibility (issue 4)
    "member-visibility": ("get", None),
    "visibility-request-create": ("post", {"company_name": "Matrix Counterpart"}),
    "visibility-request-answer": ("post", {}),
}
WHO = ["anonymous", "member", "other_admin", "partner_admin", "partner_operation", "admin"]


def _company_scoped_names(namespace: str) -> set[str]:
    found = set()

    def walk(patterns, ns):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, p.namespace or ns)
            elif (
                isinstance(p, URLPattern)
                and ns == namespace
                and str(p.pattern).startswith("companies/<slug:slug>/")
            ):
                found.add(p.name)

    walk(get_resolver().url_patterns, None)
    return found


def test_the_matrix_lists_every_company_scoped_route():
    assert _company_scoped_names("companies") == set(PAGES)
    assert _company_scoped_names("api") == set(API)


@pytest.fixture
def world():
    partner = CompanyFactory(kind=Company.Kind.BUSINESS_PARTNER)
    company = CompanyFactory(business_partner=partner)
    other = CompanyFactory(name="Matrix Counterpart")
    offerer = CompanyFactory(kind=Company.Kind.BUSINESS_PARTNER)
    target = UserFactory(company=company)
    now = timezone.now()
    objects = {
        "member_id": target.pk,
        "invitation_id": CompanyInvitation.objects.create(
            company=company,
            email="inv@new.test",
            token_hash="x" * 64,
            expires_at=now + timezone.timedelta(days=1),
        ).pk,
        "request_id": JoinRequest.objects.create(
            company=company, user=UserFactory(company=default_company())
        ).pk,
        "link_id": JoinLink.objects.create(
            company=company,
            token_hash="t" * 64,
            max_uses=2,
            expires_at=now + timezone.timedelta(days=1),
        ).pk,
        # An offer from another partner, pending while the company has one: still decidable.
        "invitation_id_offer": PartnerInvitation.objects.create(
            partner=offerer, customer=company
        ).pk,
        "visibility_request_id": VisibilityRequest.objects.create(
            from_company=other, to_company=company
        ).pk,
    }
    people = {
        "member": UserFactory(company=company),
        "other_admin": UserFactory(company=other, roles=[Role.COMPANY_ADMIN]),
        "partner_admin": UserFactory(company=partner, roles=[Role.BP_ADMIN]),
        "partner_operation": UserFactory(company=partner, roles=[Role.BP_OPERATION]),
        "admin": UserFactory(company=company, roles=[Role.COMPANY_ADMIN]),
    }
    return company, objects, people


def _kwargs(name, company, objects):
    kwargs = {"slug": company.slug}
    if name == "member-visibility":
        return {**kwargs, "pk": objects["member_id"]}
    if name == "visibility-request-answer":
        return {**kwargs, "pk": objects["visibility_request_id"], "action": "decline"}
    if "member" in name and name not in ("members", "company-members"):
        kwargs["member_id"] = objects["member_id"]
    if "invitation-" in name:
        kwargs["invitation_id"] = objects["invitation_id"]
    if "join-request-decide" in name:
        kwargs["request_id"] = objects["request_id"]
    if name in (
        "join-link-toggle",
        "join-link-regenerate",
        "company-join-link",
        "company-join-link-regenerate",
    ):
        kwargs["link_id"] = objects["link_id"]
    if "partner-offer" in name:
        kwargs["invitation_id"] = objects["invitation_id_offer"]
    return kwargs


# SPEC §3.3: bp_operation manages its customers; bp_admin does not.
ALLOWED = {"admin", "partner_operation"}


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("name", sorted(PAGES))
def test_pages(client, world, name, who):
    company, objects, people = world
    method, data = PAGES[name]
    url = reverse(f"companies:{name}", kwargs=_kwargs(name, company, objects))
    if who != "anonymous":
        client.force_login(people[who])
    response = getattr(client, method)(url, data or {}, follow=who in ALLOWED)
    if who == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    elif who in ("member", "partner_admin"):
        assert response.status_code == 403
    elif who == "other_admin":
        assert response.status_code == 404
    else:
        assert response.status_code == 200
        assert response.redirect_chain == [] or company.slug in response.redirect_chain[-1][0]


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("name", sorted(API))
def test_api(world, name, who):
    company, objects, people = world
    method, data = API[name]
    url = reverse(f"api:{name}", kwargs=_kwargs(name, company, objects))
    api = APIClient()
    if who != "anonymous":
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token(people[who])}")
    response = getattr(api, method)(url, data, format="json")
    expected = {
        "anonymous": {401},
        "member": {403},
        "partner_admin": {403},
        "other_admin": {404},
    }.get(who, {200, 201})
    if name == "company-member-roles" and who == "partner_operation":
        # Reaches the endpoint, but SPEC §3.2: only a holder of company_admin grants it.
        assert response.status_code == 400
        assert "holds the role" in response.json()["error"]["message"]
        return
    assert response.status_code in expected, response.content
