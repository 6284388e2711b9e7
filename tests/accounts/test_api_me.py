"""GET /api/v1/me/ answers without building MeSerializer (issue 15): the two must agree."""

import pytest

from accounts.api import MeSerializer, me_representation
from tests.factories import UserFactory, api_token

pytestmark = pytest.mark.django_db


def test_the_fast_answer_is_the_serializers(api_client):
    user = UserFactory(first_name="Zoé", last_name="O'Neil", title="Chef d’équipe")
    assert me_representation(user) == dict(MeSerializer(user).data)
    assert set(me_representation(user)) == set(MeSerializer().fields)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token(user)}")
    answer = api_client.get("/api/v1/me/")
    assert answer.status_code == 200
    assert answer.json() == dict(MeSerializer(user).data)
    assert answer.json()["company"] == {
        "id": user.company_id,
        "name": user.company.name,
        "slug": user.company.slug,
    }


def test_a_change_answers_the_changed_profile(api_client):
    user = UserFactory()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token(user, scope='read-write')}")
    answer = api_client.patch("/api/v1/me/", {"title": "Lead"}, format="json")
    assert answer.status_code == 200 and answer.json()["title"] == "Lead"
    assert api_client.get("/api/v1/me/").json()["title"] == "Lead"
