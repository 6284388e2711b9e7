import pytest

from activity.models import ActivityRecord
from tests.factories import UserFactory, api_token

pytestmark = pytest.mark.django_db


def test_anonymous_gets_401_in_the_error_format(api_client):
    response = api_client.get("/api/v1/me/")
    assert response.status_code == 401
    body = response.json()
    assert body["error"]["code"] == "not_authenticated"
    assert body["error"]["message"] and body["error"]["fields"] == {}


def test_token_authentication(api_client):
    user = UserFactory(email="tok@example.test")
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token(user)}")
    response = api_client.get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["email"] == "tok@example.test"


def test_malformed_json_gets_400_in_the_error_format(api_client):
    api_client.force_authenticate(UserFactory())
    response = api_client.patch(
        "/api/v1/me/", data='{"first_name": ', content_type="application/json"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "parse_error"
    assert "JSON" in error["message"]


def test_field_errors_name_the_field(api_client):
    api_client.force_authenticate(UserFactory())
    response = api_client.patch("/api/v1/me/", data={"first_name": "x" * 151}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "first_name" in error["fields"]
    assert "150" in error["message"]


def test_patch_changes_the_profile_and_records_it(api_client):
    user = UserFactory(title="")
    api_client.force_authenticate(user)
    response = api_client.patch("/api/v1/me/", data={"title": "CTO"}, format="json")
    assert response.status_code == 200 and response.json()["title"] == "CTO"
    user.refresh_from_db()
    assert user.title == "CTO"
    rec = ActivityRecord.objects.get(event="user.profile.updated")
    assert rec.data == {"fields": ["title"]}


def test_email_cannot_be_changed_through_the_api(api_client):
    user = UserFactory(email="same@example.test")
    api_client.force_authenticate(user)
    api_client.patch("/api/v1/me/", data={"email": "other@example.test"}, format="json")
    user.refresh_from_db()
    assert user.email == "same@example.test"  # SPEC §3.2: nobody changes their own login email


def test_unknown_api_route_is_json_404(api_client):
    response = api_client.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_schema_and_docs_are_served(client):
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/me/" in schema.content
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200


def test_openapi_schema_generates_without_warnings(tmp_path):
    """Two serializers sharing a component name silently corrupt the schema (seen when two
    apps each named one MemberSerializer); drf-spectacular's own validation catches it."""
    from django.core.management import call_command

    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
    )
    assert (tmp_path / "schema.yml").read_text().startswith("openapi:")


@pytest.mark.parametrize("body", ["[" * 5000 + "]" * 5000, '{"a":' * 5000 + "1" + "}" * 5000])
def test_deeply_nested_json_is_a_400_not_a_500(api_client, body):
    api_client.force_authenticate(UserFactory())
    response = api_client.patch("/api/v1/me/", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


@pytest.mark.parametrize("debug", [True, False])
def test_unknown_api_paths_answer_json_even_with_debug(api_client, settings, debug):
    settings.DEBUG = debug
    api_client.force_authenticate(UserFactory())
    for method, path in [("get", "/api/v1/nope/"), ("post", "/api/v1/me"), ("get", "/api/v1/me")]:
        response = getattr(api_client, method)(path)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"
    assert "end with a slash" in api_client.post("/api/v1/me").json()["error"]["message"]


def test_schema_describes_what_the_endpoints_answer(tmp_path):
    """Found by fuzzing with schemathesis: the members list is paginated but was declared a
    plain array, and a subscription's `ended_on` may be null but was declared a string."""
    import yaml
    from django.core.management import call_command

    path = tmp_path / "schema.yml"
    call_command("spectacular", "--file", str(path))
    schema = yaml.safe_load(path.read_text())
    members = schema["paths"]["/api/v1/companies/{slug}/members/"]["get"]["responses"]["200"]
    ref = members["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    page = schema["components"]["schemas"][ref]
    assert {"count", "next", "previous", "results"} <= set(page["properties"])
    subscription = schema["components"]["schemas"]["Subscription"]["properties"]["ended_on"]
    assert subscription.get("nullable") is True
