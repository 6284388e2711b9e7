"""Pages and REST endpoints of retention: same rules as the services."""

import csv
import html
import io
import zipfile
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import Contact, User
from activity.models import ActivityRecord
from activity.services import activity_record
from companies.models import Role
from core.models import OutboundEmail
from retention.models import AccountClosure, DataExport, Stage
from retention.services import account_close
from retention.services.activity_ops import activity_purge
from tests.factories import (
    PASSWORD,
    CompanyFactory,
    UserFactory,
    login_with_second_factor,
    make_operations,
)

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


# --- Closing and restoring through the pages ---------------------------------------------


def test_the_self_close_errors_are_in_the_users_language(client, standalone):
    standalone.language = "fr"
    standalone.save(update_fields=["language"])
    login(client, standalone)
    wrong = client.post("/account/close/", {"password": "nope", "confirm": "on"})
    page = html.unescape(wrong.content.decode())
    assert "Le mot de passe n'est pas correct." in page
    assert "The password is not correct." not in page
    assert not AccountClosure.objects.exists()


def test_standalone_closes_through_the_page_and_is_signed_out(client, standalone):
    login(client, standalone)
    page = client.get("/account/close/")
    assert page.status_code == 200 and b"Close my account" in page.content
    wrong = client.post("/account/close/", {"password": "nope", "confirm": "on"})
    assert wrong.status_code == 200 and b"password is not correct" in wrong.content
    assert not AccountClosure.objects.exists()
    done = client.post("/account/close/", {"password": PASSWORD, "confirm": "on"})
    assert done.status_code == 302 and done.url == "/account/closed/"
    assert "_auth_user_id" not in client.session
    assert AccountClosure.objects.get().closed_by_kind == "self"


def test_company_user_is_told_their_admin_closes_the_account(client, member):
    login(client, member)
    page = client.get("/account/close/")
    assert b"only its administrator" in page.content
    client.post("/account/close/", {"password": PASSWORD, "confirm": "on"})
    assert not AccountClosure.objects.exists()


def test_restore_link_page(client, standalone):
    account_close(user=standalone, actor=standalone, password=PASSWORD)
    token = OutboundEmail.objects.get(to=standalone.email).body_text.split("/account/restore/")[1]
    token = token.split("/")[0]
    assert client.get(f"/account/restore/{token}/").status_code == 200
    assert client.post(f"/account/restore/{token}/").status_code == 302
    assert User.objects.get(pk=standalone.pk).is_active
    again = client.post(f"/account/restore/{token}/")
    assert again.status_code == 400 and b"not valid" in again.content


def test_admin_close_and_restore_pages(client, company_admin, member):
    login(client, company_admin)
    url = f"/retention/accounts/{member.pk}/close/"
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302
    assert AccountClosure.objects.get().stage == Stage.CLOSED
    again = client.post(url)
    assert again.status_code == 400 and b"already closed" in again.content
    assert client.post(f"/retention/accounts/{member.pk}/restore/").status_code == 302
    assert AccountClosure.objects.get().stage == Stage.RESTORED


def test_admin_of_another_company_gets_404_on_the_pages(client, member):
    other = UserFactory(company=CompanyFactory(), roles=[Role.COMPANY_ADMIN])
    login(client, other)
    assert client.get(f"/retention/accounts/{member.pk}/close/").status_code == 404
    assert client.post(f"/retention/accounts/{member.pk}/close/").status_code == 404
    assert client.post("/retention/accounts/999999/close/").status_code == 404
    assert not AccountClosure.objects.exists()


def test_partner_without_delegation_gets_403_with_a_message(client, member):
    bp_admin = UserFactory(company=member.company.business_partner, roles=[Role.BP_ADMIN])
    login(client, bp_admin)
    response = client.post(f"/retention/accounts/{member.pk}/close/")
    assert response.status_code == 403 and b"partner role" in response.content
    assert not AccountClosure.objects.exists()


# --- API ---------------------------------------------------------------------------------


def test_api_self_close_and_cross_company_404(api_client, standalone, member):
    api_client.force_authenticate(standalone)
    bad = api_client.post("/api/v1/retention/close/", {"password": "x"}, format="json")
    assert bad.status_code == 400 and bad.json()["error"]["fields"]["password"]
    ok = api_client.post("/api/v1/retention/close/", {"password": PASSWORD}, format="json")
    assert ok.status_code == 201 and ok.json()["stage"] == "closed"
    other = UserFactory(company=CompanyFactory(), roles=[Role.COMPANY_ADMIN])
    api_client.force_authenticate(other)
    assert api_client.post(f"/api/v1/retention/accounts/{member.pk}/close/").status_code == 404


def test_api_admin_close_restore_and_partner_rules(api_client, company_admin, member):
    bp_admin = UserFactory(company=member.company.business_partner, roles=[Role.BP_ADMIN])
    api_client.force_authenticate(bp_admin)
    refused = api_client.post(f"/api/v1/retention/accounts/{member.pk}/close/")
    assert refused.status_code == 403 and "partner role" in refused.json()["error"]["message"]
    api_client.force_authenticate(company_admin)
    assert api_client.post(f"/api/v1/retention/accounts/{member.pk}/close/").status_code == 201
    again = api_client.post(f"/api/v1/retention/accounts/{member.pk}/close/")
    assert again.status_code == 400 and again.json()["error"]["code"] == "already_closed"
    assert api_client.post(f"/api/v1/retention/accounts/{member.pk}/restore/").status_code == 200


def test_api_restore_link_refuses_a_bad_token(api_client):
    response = api_client.post("/api/v1/retention/restore/", {"token": "nope"}, format="json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "link_unknown"


def test_openapi_lists_the_retention_endpoints(client):
    schema = client.get("/api/v1/schema/").content.decode()
    for p in [
        "/api/v1/retention/close/",
        "/api/v1/retention/accounts/{user_id}/close/",
        "/api/v1/retention/restore/",
        "/api/v1/retention/exports/",
    ]:
        assert p in schema


# --- Operators: dashboard and holds --------------------------------------------------------


def test_dashboard_for_operators_only(client, company_admin, member):
    account_close(user=member, actor=company_admin)
    login(client, company_admin)
    assert client.get("/operations/retention/").status_code == 404
    ops = make_operations(UserFactory(is_staff=True))
    login(client, ops)
    page = client.get("/operations/retention/")
    assert page.status_code == 200 and b"Closed and waiting: 1" in page.content
    response = client.post(
        "/operations/retention/holds/", {"email": member.email, "reason": "Litigation"}
    )
    assert response.status_code == 302
    assert b"Litigation" in client.get("/operations/retention/").content


# --- Activity-log operations (SPEC §10.3-10.5) ----------------------------------------------


@pytest.fixture
def ops(db):
    return make_operations(UserFactory(is_staff=True))


@pytest.mark.parametrize("path", ["/operations/activity/", "/operations/activity/extract/"])
def test_activity_pages_are_404_for_admins_partners_and_plain_superadmins(client, path, member):
    bp = UserFactory(company=member.company.business_partner, roles=[Role.BP_FINANCE])
    admin = UserFactory(company=member.company, roles=[Role.COMPANY_ADMIN])
    superadmin = UserFactory(is_superuser=True, is_staff=True)
    for who in [bp, admin, superadmin]:
        login_with_second_factor(client, who)
        assert client.get(path).status_code == 404, who
        assert client.post(path).status_code == 404, who


def test_activity_search_resolves_pseudonyms_and_decrypts_ips_only_there(client, ops, member):
    activity_record(
        event="request",
        actor=member,
        ip="198.51.100.7",
        method="GET",
        route="core:dashboard",
        kind="request",
        status_code=200,
    )
    activity_record(
        event="request",
        actor=ops,
        ip="203.0.113.9",
        method="POST",
        route="accounts:login",
        kind="request",
        status_code=302,
    )
    record = ActivityRecord.objects.filter(route="core:dashboard").get()
    assert "198.51.100.7" not in record.ip_encrypted and member.email not in record.actor_pseudonym
    login(client, ops)
    page = client.get("/operations/activity/", {"email": member.email})
    body = page.content.decode()
    assert page.status_code == 200 and member.email in body and "198.51.100.7" in body
    assert "203.0.113.9" not in body
    by_ip = client.get("/operations/activity/", {"ip": "203.0.113.9"}).content.decode()
    assert "accounts:login" in by_ip and "core:dashboard" not in by_ip
    by_type = client.get("/operations/activity/", {"request_type": "GET core:"}).content.decode()
    assert "198.51.100.7" in by_type and "203.0.113.9" not in by_type
    by_company = client.get("/operations/activity/", {"company": member.company.slug}).content
    assert b"198.51.100.7" in by_company and b"203.0.113.9" not in by_company
    future = (timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    assert b"No record matches" in client.get("/operations/activity/", {"since": future}).content
    bad = client.get("/operations/activity/", {"since": future, "until": "2020-01-01T00:00"})
    assert b"must be before its end" in bad.content
    assert ActivityRecord.objects.filter(event="activity.searched").count() >= 4


def test_activity_extract_page_and_command_are_recorded(client, ops, member, tmp_path):
    activity_record(
        event="request",
        actor=member,
        ip="198.51.100.7",
        method="GET",
        route="core:dashboard",
        kind="request",
        status_code=200,
    )
    login(client, ops)
    since = (timezone.now() - timedelta(days=1)).date().isoformat()
    response = client.post(
        "/operations/activity/extract/", {"company": member.company.slug, "since": since}
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert any(r["actor_email"] == member.email and r["ip"] == "198.51.100.7" for r in rows)
    out = tmp_path / "x.csv"
    call_command(
        "activity_extract", "--company", member.company.slug, "--since", since, "--output", str(out)
    )
    assert "198.51.100.7" in out.read_text()
    assert ActivityRecord.objects.filter(event="activity.extracted").count() == 2
    with pytest.raises(CommandError, match="not a date"):
        call_command("activity_extract", "--company", member.company.slug, "--since", "soon")
    with pytest.raises(CommandError, match="No company"):
        call_command("activity_extract", "--company", "nope", "--since", since)


def test_activity_purge_removes_records_older_than_twelve_months(member):
    now = timezone.now()
    for age in [400, 366, 364, 10]:
        activity_record(event="request", actor=member, occurred_at=now - timedelta(days=age))
    assert activity_purge(now=now, batch_size=1) == 2
    left = ActivityRecord.objects.filter(event="request")
    assert left.count() == 2 and all(now - r.occurred_at < timedelta(days=365) for r in left)
    assert ActivityRecord.objects.get(event="activity.purged").data["count"] == 2


# --- GDPR export -------------------------------------------------------------------------


def test_export_is_built_offered_to_its_owner_only_and_expires(
    client, member, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    friend = UserFactory(company=member.company)
    Contact.objects.create(owner=member, contact=friend)
    login(client, member)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/account/export/").status_code == 302
    export = DataExport.objects.get()
    assert export.status == "ready"  # the task ran (eager in unit tests)
    token = client.session["retention_export_token"]
    download = client.get(f"/account/export/{token}/")
    assert download.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert set(archive.namelist()) >= {"profile.json", "network.json", "bubbles.json"}
    assert member.email in archive.read("profile.json").decode()
    assert friend.email in archive.read("network.json").decode()
    login(client, friend)
    assert client.get(f"/account/export/{token}/").status_code == 404
    DataExport.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    login(client, member)
    assert client.get(f"/account/export/{token}/").status_code == 302
    assert ActivityRecord.objects.filter(event="data_export.downloaded").count() == 1
    assert client.post("/account/export/").status_code == 302  # throttled: one an hour
    assert DataExport.objects.count() == 1
