"""The OpenAPI schema is exact (issue 10): what schemathesis found, each pinned by a test."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from companies.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema():
    user = UserFactory()
    api = APIClient()
    api.force_authenticate(user)
    response = api.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    import json

    return json.loads(response.content)


def operations(schema):
    for path, item in schema["paths"].items():
        for method, op in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, op


def test_every_operation_documents_its_errors_in_the_error_format(schema):
    error = schema["components"]["schemas"]["Error"]
    assert error["properties"]["error"]["required"] == ["code", "message", "fields"]
    for path, method, op in operations(schema):
        for code in ("400", "401", "403", "404", "429"):
            content = op["responses"][code]["content"]["application/json"]["schema"]
            assert content == {"$ref": "#/components/schemas/Error"}, (path, method, code)
        assert "Retry-After" in op["responses"]["429"]["headers"]


def test_creates_document_201_and_deletes_204(schema):
    paths = schema["paths"]
    assert "201" in paths["/api/v1/companies/{slug}/join-links/"]["post"]["responses"]
    assert "201" in paths["/api/v1/network/"]["post"]["responses"]
    assert "201" in paths["/api/v1/subscriptions/{slug}/"]["post"]["responses"]
    assert "204" in paths["/api/v1/network/contacts/{id}/"]["delete"]["responses"]
    assert "204" in paths["/api/v1/network/presence/"]["post"]["responses"]
    for path, method, op in operations(schema):
        successes = [c for c in op["responses"] if c.startswith("2")]
        assert len(successes) == 1, (path, method, successes)


def test_join_link_token_is_only_in_the_answers_that_carry_it(schema):
    components = schema["components"]["schemas"]
    assert "token" not in components["JoinLink"]["properties"]
    assert "token" in components["JoinLinkWithToken"]["required"]
    listed = schema["paths"]["/api/v1/companies/{slug}/join-links/"]["get"]["responses"]["200"]
    assert listed["content"]["application/json"]["schema"]["items"]["$ref"].endswith("/JoinLink")


def test_network_get_is_documented_with_its_real_shape(schema):
    op = schema["paths"]["/api/v1/network/"]["get"]
    ref = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    network = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert set(network["properties"]) == {"contacts", "incoming", "outgoing"}


def test_a_join_link_list_answer_validates_against_the_schema(schema):
    admin = UserFactory(roles=[Role.COMPANY_ADMIN])
    api = APIClient()
    api.force_authenticate(admin)
    url = reverse("api:company-join-links", args=[admin.company.slug])
    created = api.post(url, {"max_uses": 3, "valid_days": 7}, format="json")
    assert created.status_code == 201 and created.json()["token"]
    listed = api.get(url).json()
    assert listed and "token" not in listed[0]


def test_an_unknown_join_link_answers_404():
    api = APIClient()
    api.force_authenticate(UserFactory())
    response = api.post(reverse("api:join-link-use", args=["no-such-token"]))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "invalid_link"


def test_the_directory_refuses_control_characters_before_collapsing_spaces():
    api = APIClient()
    api.force_authenticate(UserFactory())
    response = api.get(reverse("api:directory"), {"q": "ab\tcd"})
    assert response.status_code == 400
    response = api.get(reverse("api:directory"), {"q": "a" + " " * 120 + "b"})
    assert response.status_code == 400


@pytest.mark.parametrize(
    "payload",
    [
        {"first_name": "", "last_name": "", "title": 0},  # schemathesis: a number for a string
        {"first_name": 12},
    ],
)
def test_a_value_of_the_wrong_json_type_is_refused_not_coerced(payload):
    api = APIClient()
    user = UserFactory(first_name="Ann")
    api.force_authenticate(user)
    response = api.patch(reverse("api:me"), payload, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]
    user.refresh_from_db()
    assert user.first_name == "Ann"


def test_strict_fields_take_only_their_json_type():
    from rest_framework import serializers

    from rainbow_portal import fields

    class S(serializers.Serializer):
        n = fields.IntegerField()
        b = fields.BooleanField()
        s = fields.CharField()

    assert S(data={"n": 3, "b": False, "s": "x"}).is_valid()
    for bad in ({"n": "3"}, {"n": True}, {"b": "true"}, {"b": 1}, {"s": 0}):
        serializer = S(data={"n": 3, "b": False, "s": "x", **bad})
        assert not serializer.is_valid()
        assert set(serializer.errors) == set(bad)
