"""SPEC §4.6: a mutual-visibility request names only a company the requester's company can
find; any other name gets exactly the answer of an unknown company, and nothing is filed."""

import re

import pytest
from django.urls import reverse

from companies.models import Role, VisibilityRequest
from companies.services import company_create, company_visibility_set
from companies.visibility.services import visibility_request_create
from rainbow_portal.exceptions import ApplicationError
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _page(response) -> str:
    # The CSRF token differs between two answers; nothing else may.
    return re.sub(
        r'(csrfmiddlewaretoken" value="|CSRFToken": ")[^"]+', "", response.content.decode()
    )


def co(name, mode="public", region="EMEA"):
    company = company_create(name=name, region=region, actor=None)
    company_visibility_set(company=company, visibility=mode, actor=None)
    return company


@pytest.mark.parametrize("mode", ["isolated", "closed", "private"])
def test_a_hidden_company_answers_like_an_unknown_one(client, api_client, mode):
    requester = co("Requester", "private")
    co("Hidden Target", mode)
    admin = UserFactory(company=requester, roles=[Role.COMPANY_ADMIN])
    api_client.force_authenticate(admin)
    url = reverse("api:visibility-request-create", args=[requester.slug])
    hidden = api_client.post(url, {"company_name": "hidden target"}, format="json")
    missing = api_client.post(url, {"company_name": "No Such Company"}, format="json")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    client.force_login(admin)
    page_url = reverse("companies:company-visibility", args=[requester.slug])
    page_hidden = client.post(page_url, {"company_name": "Hidden Target"})
    page_missing = client.post(page_url, {"company_name": "No Such Company"})
    assert page_hidden.status_code == page_missing.status_code == 200
    assert "No company has this exact name." in page_hidden.content.decode()
    assert _page(page_hidden).replace("Hidden Target", "No Such Company") == _page(page_missing)
    assert not VisibilityRequest.objects.exists()


def test_a_public_company_can_be_asked():
    requester = co("Requester", "private")
    target = co("Public Target", "public")
    request = visibility_request_create(from_company=requester, to_company=target, actor=None)
    assert request.status == "pending"


def test_the_service_refuses_a_hidden_company_whoever_calls():
    requester, target = co("Requester", "public"), co("Isolated Target", "isolated")
    with pytest.raises(ApplicationError, match="No company has this exact name") as exc:
        visibility_request_create(from_company=requester, to_company=target, actor=None)
    assert exc.value.code == "not_found"
    assert not VisibilityRequest.objects.exists()
