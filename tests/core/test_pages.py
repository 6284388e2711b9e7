import pytest
from django.urls import reverse

from companies.models import Role
from tests.factories import UserFactory, login_with_second_factor, make_operations

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_dashboard_for_signed_in_user(client):
    user = UserFactory(first_name="Zoe")
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    assert "Welcome, Zoe" in response.content.decode()


def test_unknown_route_gets_the_404_page(client):
    response = client.get("/nowhere/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_healthz_is_liveness_only(client, monkeypatch):
    # Liveness asks no dependency: a broker outage must not get every web node restarted.
    monkeypatch.setattr("core.health.broker_ok", lambda: False)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_outbox_only_with_debug(client, settings, tmp_path):
    settings.EMAIL_FILE_PATH = tmp_path
    (tmp_path / "m.eml").write_bytes(b"To: a@example.test\nSubject: Hi\n\nbody text\n")
    settings.DEBUG = False
    assert client.get(reverse("core:dev-outbox")).status_code == 404
    settings.DEBUG = True
    response = client.get(reverse("core:dev-outbox"))
    assert response.status_code == 200
    assert "body text" in response.content.decode()
    # Never to another machine, even with DEBUG on.
    assert client.get(reverse("core:dev-outbox"), REMOTE_ADDR="192.0.2.10").status_code == 404


def test_security_headers_on_every_page(client):
    response = client.get(reverse("accounts:login"))
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_login_form_is_labelled_and_never_says_which_part_is_wrong(client):
    UserFactory(email="known@example.test")
    # Email first (SPEC §7.6), then the password step, each field labelled.
    page = client.get(reverse("accounts:login")).content.decode()
    assert '<label for="id_username">' in page
    page = client.post(reverse("accounts:login"), {"username": "known@example.test"})
    page = page.content.decode()
    assert '<label for="id_username">' in page and '<label for="id_password">' in page
    wrong_password = client.post(
        reverse("accounts:login"), {"username": "known@example.test", "password": "nope"}
    )
    unknown_email = client.post(
        reverse("accounts:login"), {"username": "ghost@example.test", "password": "nope"}
    )
    assert wrong_password.status_code == unknown_email.status_code == 200
    message = "The email or password is not correct."
    assert message in wrong_password.content.decode() and message in unknown_email.content.decode()


@pytest.mark.parametrize(
    ("kind", "shown", "hidden"),
    [
        ("user", {"Dashboard", "API"}, {"Administration"}),
        ("company_admin", {"Dashboard", "API"}, {"Administration"}),
        ("operations", {"Dashboard", "API"}, {"Administration"}),
        ("superadmin", {"Dashboard", "API", "Administration"}, set()),
    ],
)
def test_navigation_by_role(client, kind, shown, hidden):
    user = UserFactory(roles=[Role.COMPANY_ADMIN] if kind == "company_admin" else [])
    if kind == "operations":
        user = make_operations(user)
    elif kind == "superadmin":
        user.is_superuser = user.is_staff = True
        user.save()
    # Superadmins always need a second factor, whatever started the session (D5.10).
    login_with_second_factor(client, user)
    page = client.get("/").content.decode()
    for label in shown:
        assert f">{label}</a>" in page
    for label in hidden:
        assert f">{label}</a>" not in page


def test_seed_demo_is_idempotent(settings):
    from django.core.management import call_command

    settings.DEBUG = True
    from accounts.models import User
    from activity.models import ActivityRecord
    from companies.models import Company

    call_command("seed_demo", stdout=__import__("io").StringIO())
    counts = (User.objects.count(), Company.objects.count(), ActivityRecord.objects.count())
    assert counts[0] >= 8 and counts[1] >= 4
    call_command("seed_demo", stdout=__import__("io").StringIO())
    assert (User.objects.count(), Company.objects.count(), ActivityRecord.objects.count()) == counts


def test_seed_demo_refuses_production(settings):
    from django.core.management import CommandError, call_command

    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=0"):
        call_command("seed_demo")


def test_server_error_page_and_api_json(rf):
    from core.views import error_500

    page = error_500(rf.get("/somewhere/"))
    assert page.status_code == 500 and b"Something went wrong" in page.content
    api = error_500(rf.get("/api/v1/me/"))
    assert api.status_code == 500
    assert __import__("json").loads(api.content)["error"]["code"] == "server_error"


def test_csrf_failure_explains_itself(client):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("accounts:login"), {"username": "a@b.test", "password": "x"})
    assert response.status_code == 403
    assert "expired" in response.content.decode()


def test_forbidden_page_is_the_custom_one(rf):
    from django.core.exceptions import PermissionDenied

    from core.views import error_403

    response = error_403(rf.get("/x/"), PermissionDenied("Your role does not allow this."))
    assert response.status_code == 403
    assert "Your role does not allow this." in response.content.decode()


def test_favicon_redirects_to_the_static_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.svg")
