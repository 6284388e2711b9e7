"""/api/v1/bubbles/: exact statuses and the shared error format."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from bubbles.models import BubbleMember, Message
from companies.models import Role
from tests.factories import CompanyFactory, UserFactory

from .conftest import EICAR, membership

pytestmark = pytest.mark.django_db


def client_for(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_anonymous_is_401(bubble):
    assert APIClient().get(reverse("api:bubbles")).status_code == 401


def test_create_and_list(people):
    api = client_for(people["organizer"])
    created = api.post(reverse("api:bubbles"), {"name": "API room"}, format="json")
    assert created.status_code == 201
    listed = api.get(reverse("api:bubbles")).json()
    assert [(m["bubble"]["name"], m["role"]) for m in listed] == [("API room", "organizer")]


def test_bad_name_is_400_in_the_shared_format(people):
    response = client_for(people["organizer"]).post(
        reverse("api:bubbles"), {"name": ""}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["error"]) == {"code", "message", "fields"}


def test_a_stranger_gets_404_and_a_member_403(bubble, people):
    url = reverse("api:bubble", args=[bubble.pk])
    assert client_for(people["outsider"]).get(url).status_code == 404
    assert client_for(people["member"]).delete(url).status_code == 403
    assert client_for(people["co"]).delete(url).status_code == 403
    assert client_for(people["organizer"]).delete(url).status_code == 204
    assert client_for(people["organizer"]).get(url).status_code == 404


def test_transfer_to_a_non_co_organizer_is_400(bubble, people):
    plain = membership(bubble, people["member"])
    url = reverse("api:bubble-member-action", args=[bubble.pk, plain.pk, "transfer"])
    response = client_for(people["organizer"]).post(url)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "not_co_organizer"


def test_promote_then_transfer(bubble, people):
    api = client_for(people["organizer"])
    plain = membership(bubble, people["member"])
    promote = reverse("api:bubble-member-action", args=[bubble.pk, plain.pk, "promote"])
    assert api.post(promote).json()["role"] == "co_organizer"
    transfer = reverse("api:bubble-member-action", args=[bubble.pk, plain.pk, "transfer"])
    assert api.post(transfer).json()["role"] == "organizer"


def test_last_organizer_leaving_is_400(people):
    api = client_for(people["organizer"])
    pk = api.post(reverse("api:bubbles"), {"name": "Solo"}, format="json").json()["id"]
    response = api.post(reverse("api:bubble-leave", args=[pk]))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "last_organizer"


def test_archived_bubble_refuses_writes(bubble, people):
    api = client_for(people["organizer"])
    assert api.post(reverse("api:bubble-archive", args=[bubble.pk])).status_code == 200
    response = api.post(
        reverse("api:bubble-messages", args=[bubble.pk]), {"body": "late"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bubble_archived"


def test_add_member_by_email(bubble, people):
    url = reverse("api:bubble-members", args=[bubble.pk])
    assert (
        client_for(people["member"])
        .post(url, {"email": "out@acme.test"}, format="json")
        .status_code
        == 403
    )
    response = client_for(people["co"]).post(url, {"email": "out@acme.test"}, format="json")
    assert response.status_code == 201
    unknown = client_for(people["co"]).post(url, {"email": "nobody@x.test"}, format="json")
    assert unknown.status_code == 400
    assert unknown.json()["error"]["message"] == "This person cannot be added to this bubble."


@pytest.mark.parametrize("size", [3, 120])
def test_message_list_query_count_is_constant(bubble, people, size, django_assert_max_num_queries):
    from bubbles import services

    author = membership(bubble, people["member"])
    for i in range(size):
        services.message_post(member=author, body=f"m{i}", actor=None)
    api = client_for(people["member"])
    url = reverse("api:bubble-messages", args=[bubble.pk])
    # The membership (read once, when the bubble is resolved), the three of the list, and
    # the request's activity record.
    with django_assert_max_num_queries(5):
        response = api.get(url)
    assert response.status_code == 200
    data = response.json()
    assert len(data["results"]) == min(size, 50)
    assert bool(data["next"]) == (size > 50)


def test_message_cursor_garbage_is_400(bubble, people):
    url = reverse("api:bubble-messages", args=[bubble.pk])
    assert client_for(people["member"]).get(url, {"before": "zzz"}).status_code == 400


def test_post_and_delete_last_message(bubble, people):
    api = client_for(people["member"])
    url = reverse("api:bubble-messages", args=[bubble.pk])
    mid = api.post(url, {"body": "hello"}, format="json").json()["id"]
    assert (
        client_for(people["co"])
        .delete(reverse("api:bubble-message", args=[bubble.pk, mid]))
        .status_code
        == 403
    )
    assert api.delete(reverse("api:bubble-message", args=[bubble.pk, mid])).status_code == 204
    assert Message.objects.get(pk=mid).deleted_at is not None


def test_upload_and_download(bubble, people, clamd):
    api = client_for(people["member"])
    upload = SimpleUploadedFile("../secret plan.pdf", b"%PDF-1.4 plan", content_type="text/html")
    response = api.post(reverse("api:bubble-files", args=[bubble.pk]), {"file": upload})
    assert response.status_code == 201, response.content
    meta = response.json()
    assert meta["name"] == "secret plan.pdf" and meta["content_type"] == "application/pdf"
    got = client_for(people["co"]).get(reverse("api:bubble-file", args=[bubble.pk, meta["id"]]))
    assert got.status_code == 200
    assert b"".join(got.streaming_content) == b"%PDF-1.4 plan"
    assert got["X-Content-Type-Options"] == "nosniff"
    assert got["Content-Disposition"].startswith("attachment;")
    assert (
        client_for(people["outsider"])
        .get(reverse("api:bubble-file", args=[bubble.pk, meta["id"]]))
        .status_code
        == 404
    )


def test_eicar_upload_is_400(bubble, people, clamd):
    upload = SimpleUploadedFile("eicar.txt", EICAR)
    response = client_for(people["member"]).post(
        reverse("api:bubble-files", args=[bubble.pk]), {"file": upload}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "file_infected"


def test_guest_invite_rate_limit_is_429(bubble, people, settings):
    limits = dict(settings.EMAIL_ACTION_LIMITS)
    limits["guest_invitation"] = {**limits["guest_invitation"], "user": (1, 3600)}
    settings.EMAIL_ACTION_LIMITS = limits
    api = client_for(people["co"])
    url = reverse("api:bubble-guests", args=[bubble.pk])
    assert api.post(url, {"email": "a@g.test"}, format="json").status_code == 201
    response = api.post(url, {"email": "b@g.test"}, format="json")
    assert response.status_code == 429
    assert "Retry-After" in response


def test_conference_flow(bubble, people):
    member_api = client_for(people["member"])
    co_api = client_for(people["co"])
    assert (
        member_api.post(
            reverse("api:bubble-conference-action", args=[bubble.pk, "start"])
        ).status_code
        == 403
    )
    assert co_api.post(reverse("api:bubble-conference-action", args=[bubble.pk, "start"])).json()[
        "running"
    ]
    assert (
        member_api.post(reverse("api:bubble-conference-action", args=[bubble.pk, "join"])).json()[
            "my_state"
        ]
        == "waiting"
    )
    lobby = co_api.get(reverse("api:bubble-conference", args=[bubble.pk])).json()["lobby"]
    admitted = co_api.post(reverse("api:bubble-conference-admit", args=[bubble.pk, lobby[0]["id"]]))
    assert admitted.status_code == 200 and admitted.json()["lobby"] == []


def test_company_admin_sees_metadata_and_partner_does_not(bubble, people, company):
    admin = UserFactory(company=company, roles=[Role.COMPANY_ADMIN])
    url = reverse("api:company-bubbles", args=[company.slug])
    rows = client_for(admin).get(url).json()
    assert rows[0]["name"] == "Launch" and rows[0]["owner"] == "org@acme.test"
    assert "body" not in str(rows)
    assert client_for(people["member"]).get(url).status_code == 403
    other_admin = UserFactory(company=CompanyFactory(), roles=[Role.COMPANY_ADMIN])
    assert client_for(other_admin).get(url).status_code == 404


def test_admin_reassigns_orphaned_bubble(bubble, people, company):
    admin = UserFactory(company=company, roles=[Role.COMPANY_ADMIN])
    people["organizer"].is_active = False
    people["organizer"].save()
    target = membership(bubble, people["member"])
    url = reverse("api:company-bubble-owner", args=[company.slug, bubble.pk])
    response = client_for(admin).post(url, {"member": target.pk}, format="json")
    assert response.status_code == 200
    assert BubbleMember.objects.get(pk=target.pk).role == "organizer"
