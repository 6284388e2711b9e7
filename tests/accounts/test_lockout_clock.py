"""SPEC §7.3: one lock clock for a real account and an unknown address (failures older than
60 minutes no longer count), and wrong current passwords on the change page count toward
the same lock."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import UserSecurity
from accounts.security.services import INVALID_LOGIN, LOCKED, login_attempt
from rainbow_portal.exceptions import ApplicationError
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Another-Horse-7!"


@pytest.fixture
def clock(monkeypatch):
    """timezone.now() under the test's control (the lock clock reads nothing else)."""
    real_now = timezone.now
    state = {"now": real_now()}
    monkeypatch.setattr(timezone, "now", lambda: state["now"])

    def advance(**delta):
        state["now"] = state["now"] + timedelta(**delta)

    return advance


def answer(email, password="Wrong-pass-1!") -> str:
    try:
        login_attempt(email=email, password=password)
    except ApplicationError as exc:
        return exc.message
    return "signed in"


def test_a_fifth_failure_after_61_minutes_answers_not_correct_for_both(clock):
    real = UserFactory(email="real@example.test").email
    ghost = "ghost@example.test"
    for email in (real, ghost):
        assert [answer(email) for _ in range(4)] == [INVALID_LOGIN] * 4
    clock(minutes=61)
    assert answer(real) == answer(ghost) == INVALID_LOGIN
    # Four more on the fresh clock: the fifth of those locks, for both alike.
    for email in (real, ghost):
        assert [answer(email) for _ in range(3)] == [INVALID_LOGIN] * 3
        assert answer(email) == LOCKED


def test_failures_leave_the_window_one_by_one_for_both(clock):
    real = UserFactory(email="real@example.test").email
    ghost = "ghost@example.test"
    for step in (0, 30, 20, 5):  # failures at 0, 30, 50 and 55 minutes
        clock(minutes=step)
        assert answer(real) == answer(ghost) == INVALID_LOGIN
    clock(minutes=10)  # 65: the first failure no longer counts, four do
    assert answer(real) == answer(ghost) == INVALID_LOGIN
    clock(minutes=1)  # 66: five within the last 60 minutes
    assert answer(real) == answer(ghost) == LOCKED
    # The right password during the lock: refused, the lock unchanged.
    until = UserSecurity.objects.get(user__email=real).locked_until
    assert answer(real, PASSWORD) == LOCKED
    assert UserSecurity.objects.get(user__email=real).locked_until == until
    clock(minutes=61)
    assert answer(real, PASSWORD) == "signed in"
    assert answer(ghost) == INVALID_LOGIN


def change(client, old):
    return client.post(
        reverse("accounts:password-change"),
        {"old_password": old, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )


def test_wrong_current_passwords_count_toward_the_sign_in_lock(client, assert_activity):
    user = UserFactory()
    client.force_login(user)
    for _ in range(4):
        assert "The current password is not correct." in change(client, "nope").content.decode()
    assert LOCKED in change(client, "nope").content.decode()
    # The 6th attempt within the hour, with the right password: refused as locked.
    response = change(client, PASSWORD)
    assert response.status_code == 200 and LOCKED in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD) and not user.check_password(NEW_PASSWORD)
    assert_activity("user.locked", target=user)
    record = assert_activity("user.login.failed", target=user, count=5)[0]
    assert record.data == {"reason": "current_password", "failures": 1}
    # The same lock as sign-in's.
    assert answer(user.email, PASSWORD) == LOCKED


def test_sign_in_failures_and_wrong_current_passwords_add_up(client):
    user = UserFactory()
    for _ in range(3):
        assert answer(user.email) == INVALID_LOGIN
    client.force_login(user)
    assert "not correct" in change(client, "nope").content.decode()
    assert LOCKED in change(client, "nope").content.decode()
