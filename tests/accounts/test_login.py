"""Sign-in, lockout (SPEC §7.3), per-IP limits, the Django admin behind the same door."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import UserSecurity
from accounts.security.services import (
    INVALID_LOGIN,
    IP_THROTTLED,
    LOCKED,
    authenticator_device_create,
    login_attempt,
)
from rainbow_portal.exceptions import ApplicationError
from tests.factories import PASSWORD, UserFactory, login_with_second_factor

from .conftest import post_login

pytestmark = pytest.mark.django_db


def test_sign_in_rotates_the_session_key_and_is_recorded(client, assert_activity):
    user = UserFactory()
    client.get(reverse("accounts:login"))
    client.session.save()
    before = client.session.session_key
    response = post_login(client, user.email, PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("core:dashboard")
    assert client.session.session_key != before
    assert int(client.session["_auth_user_id"]) == user.pk
    assert_activity("user.login.succeeded", target=user)


def test_a_wrong_password_says_so_without_naming_the_cause(client, assert_activity):
    user = UserFactory()
    response = post_login(client, user.email, "Wrong-pass-1!")
    assert INVALID_LOGIN in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert UserSecurity.objects.get(user=user).failed_logins == 1
    record = assert_activity("user.login.failed", target=user)[0]
    assert record.data == {"reason": "password", "failures": 1}


def test_a_closed_account_with_its_password_is_told_it_is_closed_and_not_locked(
    client, assert_activity
):
    """A closed account (SPEC §8.2) is refused with a message that says why, to someone who
    knows its password only; those attempts are not failures, so the account is not locked
    when it is restored. A wrong password still gets the usual answer and counts."""
    user = UserFactory(is_active=False)
    for _ in range(6):
        page = post_login(client, user.email, PASSWORD).content.decode()
        assert "This account is closed, so it cannot sign in." in page
        assert INVALID_LOGIN not in page and LOCKED not in page
    assert "_auth_user_id" not in client.session
    security = UserSecurity.objects.filter(user=user).first()
    assert security is None or (security.failed_logins == 0 and security.locked_until is None)
    records = assert_activity("user.login.failed", target=user, count=6)
    assert {r.data["reason"] for r in records} == {"closed"}
    wrong = post_login(client, user.email, "Wrong-pass-1!").content.decode()
    assert INVALID_LOGIN in wrong and "This account is closed" not in wrong
    assert UserSecurity.objects.get(user=user).failed_logins == 1

    user.is_active = True
    user.save(update_fields=["is_active"])
    response = post_login(client, user.email, PASSWORD)
    assert response.status_code == 302 and int(client.session["_auth_user_id"]) == user.pk


def test_five_failures_lock_the_account_for_60_minutes_even_with_the_right_password(
    client, assert_activity
):
    user = UserFactory()
    for _ in range(4):
        assert INVALID_LOGIN in post_login(client, user.email, "nope").content.decode()
    assert LOCKED in post_login(client, user.email, "nope").content.decode()
    security = UserSecurity.objects.get(user=user)
    assert security.locked_until > timezone.now() + timedelta(minutes=59)
    assert_activity("user.locked", target=user)

    response = post_login(client, user.email, PASSWORD)
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session
    # The right password during the lock does not restart it.
    assert UserSecurity.objects.get(user=user).locked_until == security.locked_until


def test_a_failed_attempt_during_the_lock_restarts_it(assert_activity):
    user = UserFactory()
    soon = timezone.now() + timedelta(minutes=2)
    UserSecurity.objects.create(user=user, failed_logins=5, locked_until=soon)
    with pytest.raises(ApplicationError, match="locked"):
        login_attempt(email=user.email, password="wrong")
    locked_until = UserSecurity.objects.get(user=user).locked_until
    assert locked_until > timezone.now() + timedelta(minutes=59)
    assert assert_activity("user.login.failed", target=user)[0].data["lock_restarted"] is True


def test_the_lock_runs_out_after_60_minutes():
    user = UserFactory()
    UserSecurity.objects.create(
        user=user, failed_logins=5, locked_until=timezone.now() - timedelta(seconds=1)
    )
    assert login_attempt(email=user.email, password=PASSWORD) == user
    security = UserSecurity.objects.get(user=user)
    assert security.failed_logins == 0 and security.locked_until is None


def test_an_unknown_email_answers_exactly_like_a_real_one_lock_included(client):
    real = UserFactory(email="real@example.test")
    answers_real = [post_login(client, real.email, "nope").content.decode() for _ in range(5)]
    answers_ghost = [
        post_login(client, "ghost@example.test", "nope").content.decode() for _ in range(5)
    ]
    for real_page, ghost_page in zip(answers_real, answers_ghost, strict=True):
        assert (INVALID_LOGIN in real_page) == (INVALID_LOGIN in ghost_page)
        assert (LOCKED in real_page) == (LOCKED in ghost_page)
    assert LOCKED in answers_ghost[-1]


def test_an_unverified_account_cannot_sign_in():
    user = UserFactory()
    UserSecurity.objects.create(user=user, email_verified=False)
    with pytest.raises(ApplicationError, match="Confirm your email"):
        login_attempt(email=user.email, password=PASSWORD)


def test_per_ip_rate_limit_blocks_every_account_from_that_address(client, settings):
    settings.LOGIN_IP_FAILURE_LIMIT = 3
    victim = UserFactory()
    for n in range(3):
        post_login(client, f"spray{n}@example.test", "nope")
    response = post_login(client, victim.email, PASSWORD)
    assert IP_THROTTLED in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address is not affected.
    assert login_attempt(email=victim.email, password=PASSWORD, ip="10.9.9.9") == victim


def test_next_is_followed_only_within_the_site(client):
    user = UserFactory()
    response = post_login(client, user.email, PASSWORD, next_url="https://evil.test/")
    assert response["Location"] == reverse("core:dashboard")
    client.logout()
    response = post_login(client, user.email, PASSWORD, next_url="/accounts/profile/")
    assert response["Location"] == "/accounts/profile/"


def test_logout_is_recorded_and_ends_the_session(client, assert_activity):
    user = UserFactory()
    post_login(client, user.email, PASSWORD)
    client.post(reverse("accounts:logout"))
    assert "_auth_user_id" not in client.session
    assert_activity("user.logout", target=user)


def test_the_admin_login_goes_through_the_portal_lockout(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    staff = UserFactory(is_staff=True, is_superuser=True)
    for _ in range(5):
        post_login(client, staff.email, "nope", next_url="/admin/")
    assert LOCKED in post_login(client, staff.email, PASSWORD, "/admin/").content.decode()


def test_the_admin_needs_a_verified_second_factor(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    response = client.get("/admin/")
    assert response.status_code == 302
    # Superadmins always need a second factor: every page, the admin too, asks for it first.
    assert response["Location"].startswith(reverse("accounts:two-factor-setup"))
    authenticator_device_create(user=staff, name="app", confirmed=True)
    response = client.get("/admin/")
    assert response["Location"].startswith(reverse("accounts:two-factor-verify"))

    login_with_second_factor(client, staff)
    assert client.get("/admin/").status_code == 200
