"""Password reset by a 6-digit code (SPEC §7.2)."""

import re
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from accounts.models import PasswordResetCode, UserSecurity
from accounts.security.services import (
    WRONG_RESET_CODE,
    password_reset_confirm,
    password_reset_request,
)
from rainbow_portal.exceptions import ApplicationError
from tests.factories import PASSWORD, UserFactory

from .conftest import post_login

pytestmark = pytest.mark.django_db

NEW = "Brand-New-Pass-7?"


def request_code(user, smtp_server, capture) -> str:
    with capture(execute=True):
        password_reset_request(email=user.email)
    return re.search(r"code is: (\d{6})", smtp_server.text()).group(1)


@pytest.fixture
def user():
    return UserFactory()


@pytest.fixture
def code(user, smtp_server, django_capture_on_commit_callbacks):
    return request_code(user, smtp_server, django_capture_on_commit_callbacks)


def assert_unchanged(user):
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert not user.check_password(NEW)


def test_the_reset_page_answers_the_same_for_an_unknown_address(
    client, user, smtp_server, django_capture_on_commit_callbacks, assert_activity
):
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(reverse("accounts:password-reset"), {"email": user.email})
        unknown = client.post(reverse("accounts:password-reset"), {"email": "no@one.test"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("accounts:password-update")
    assert [m["to"] for m in smtp_server.messages] == [[user.email]]
    assert_activity("user.password.reset_requested", target=user)


def test_the_code_is_six_digits_stored_hashed(user, code):
    entry = PasswordResetCode.objects.get(user=user)
    assert len(code) == 6 and code not in entry.code_hash
    assert entry.expires_at - entry.created_at <= timedelta(minutes=15, seconds=1)


def test_the_right_code_sets_the_password_ends_sessions_and_unlocks(
    client, user, code, assert_activity
):
    post_login(client, user.email, PASSWORD)
    assert Session.objects.count() == 1
    UserSecurity.objects.update_or_create(
        user=user,
        defaults={"failed_logins": 5, "locked_until": timezone.now() + timedelta(minutes=30)},
    )
    password_reset_confirm(email=user.email, code=code, new_password=NEW)
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert Session.objects.count() == 0
    security = UserSecurity.objects.get(user=user)
    assert security.locked_until is None and security.failed_logins == 0
    assert assert_activity("user.password.reset", target=user)[0].data == {
        "unlocked": True,
        "email_confirmed": False,
    }
    assert_activity("user.sessions.ended", target=user)


def test_a_wrong_code_is_refused_and_counted(user, code, assert_activity):
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    with pytest.raises(ApplicationError) as exc:
        password_reset_confirm(email=user.email, code=wrong, new_password=NEW)
    assert exc.value.message == WRONG_RESET_CODE
    assert PasswordResetCode.objects.get(user=user).attempts == 1
    assert_activity("user.password.reset_failed", target=user)
    assert_unchanged(user)


def test_after_five_wrong_codes_even_the_right_one_is_refused(user, code):
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(5):
        with pytest.raises(ApplicationError):
            password_reset_confirm(email=user.email, code=wrong, new_password=NEW)
    with pytest.raises(ApplicationError, match="no longer works after 5 wrong attempts"):
        password_reset_confirm(email=user.email, code=code, new_password=NEW)
    assert_unchanged(user)


def test_an_expired_code_is_refused(user, code):
    PasswordResetCode.objects.filter(user=user).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    with pytest.raises(ApplicationError, match="expired"):
        password_reset_confirm(email=user.email, code=code, new_password=NEW)
    assert_unchanged(user)


def test_a_used_code_is_refused_the_second_time(user, code):
    password_reset_confirm(email=user.email, code=code, new_password=NEW)
    with pytest.raises(ApplicationError, match="already used"):
        password_reset_confirm(email=user.email, code=code, new_password="Other-Pass-8#")
    user.refresh_from_db()
    assert user.check_password(NEW)


def test_a_code_for_another_account_is_refused(
    user, code, smtp_server, django_capture_on_commit_callbacks
):
    other = UserFactory()
    request_code(other, smtp_server, django_capture_on_commit_callbacks)
    with pytest.raises(ApplicationError) as exc:
        password_reset_confirm(email=other.email, code=code, new_password=NEW)
    assert exc.value.message == WRONG_RESET_CODE
    other.refresh_from_db()
    assert other.check_password(PASSWORD)


def test_a_newer_code_replaces_the_older(
    user, code, smtp_server, django_capture_on_commit_callbacks
):
    newer = request_code(user, smtp_server, django_capture_on_commit_callbacks)
    if newer != code:
        with pytest.raises(ApplicationError):
            password_reset_confirm(email=user.email, code=code, new_password=NEW)
    password_reset_confirm(email=user.email, code=newer, new_password=NEW)


def test_a_bad_new_password_is_refused_and_the_code_stays_usable(user, code):
    for bad in ["Ab1!xyz", "Ab1!" + "x" * 61, "alllowercase1!"]:
        with pytest.raises(ApplicationError) as exc:
            password_reset_confirm(email=user.email, code=code, new_password=bad)
        assert "The password needs" in exc.value.message
    assert_unchanged(user)
    entry = PasswordResetCode.objects.get(user=user)
    assert entry.used_at is None and entry.attempts == 0
    password_reset_confirm(email=user.email, code=code, new_password=NEW)


def test_an_unknown_email_gets_the_wrong_code_message():
    with pytest.raises(ApplicationError) as exc:
        password_reset_confirm(email="ghost@example.test", code="123456", new_password=NEW)
    assert exc.value.message == WRONG_RESET_CODE


def test_the_update_page_shows_errors_in_the_form(client, user, code):
    response = client.post(
        reverse("accounts:password-update"),
        {
            "email": user.email,
            "code": "12ab",
            "new_password1": NEW,
            "new_password2": NEW,
        },
    )
    assert "The code is the 6 digits from the email." in response.content.decode()
    response = client.post(
        reverse("accounts:password-update"),
        {"email": user.email, "code": code, "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")


def test_the_reset_request_is_rate_limited_per_ip(client, settings):
    settings.ACCOUNT_IP_REQUEST_LIMIT = 2
    for _ in range(2):
        client.post(reverse("accounts:password-reset"), {"email": "a@b.test"})
    response = client.post(reverse("accounts:password-reset"), {"email": "a@b.test"})
    assert "Too many attempts from your network" in response.content.decode()


def test_code_requests_are_capped_per_account_whatever_the_ip(
    client, user, smtp_server, django_capture_on_commit_callbacks
):
    """Each code brings 5 fresh guesses: without a cap per account, asking again from many
    IPs would give unlimited guesses. The 6th request within the hour sends nothing, and an
    unknown address gets exactly the same answer."""
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(5):
            password_reset_request(email=user.email, ip=f"10.0.{i}.1")
        with pytest.raises(ApplicationError) as known:
            password_reset_request(email=user.email.upper(), ip="10.9.9.9")
    assert PasswordResetCode.objects.filter(user=user).count() == 5
    assert len(smtp_server.messages) == 5

    for i in range(5):
        password_reset_request(email="nobody@example.test", ip=f"10.1.{i}.1")
    with pytest.raises(ApplicationError) as unknown:
        password_reset_request(email="nobody@example.test", ip="10.9.9.8")
    assert known.value.message == unknown.value.message
    assert "in the last hour" in known.value.message

    # The page says so on the form, the same way for both.
    pages = [
        client.post(reverse("accounts:password-reset"), {"email": e}).content.decode()
        for e in (user.email, "nobody@example.test")
    ]
    assert "in the last hour" in pages[0] and "in the last hour" in pages[1]
