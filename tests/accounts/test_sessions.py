"""Sessions: rotation, idle timeout, sign out everywhere, active-session list."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from accounts.models import UserSession
from accounts.security.services import SESSION_LAST_ACTIVITY
from tests.factories import PASSWORD, UserFactory

from .conftest import post_login

pytestmark = pytest.mark.django_db


def test_an_idle_session_is_ended(client, settings, assert_activity):
    settings.SESSION_IDLE_TIMEOUT = 600
    user = UserFactory()
    post_login(client, user.email, PASSWORD)
    assert client.get(reverse("core:dashboard")).status_code == 200
    session = client.session
    session[SESSION_LAST_ACTIVITY] -= 601
    session.save()
    response = client.get(reverse("core:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in client.session
    assert assert_activity("user.logout", target=user)[0].data == {"reason": "idle"}


def test_active_sessions_are_listed_and_sign_out_everywhere_ends_them_all(assert_activity):
    user = UserFactory()
    laptop, phone = Client(HTTP_USER_AGENT="Laptop"), Client(HTTP_USER_AGENT="Phone")
    post_login(laptop, user.email, PASSWORD)
    post_login(phone, user.email, PASSWORD)
    page = laptop.get(reverse("accounts:security")).content.decode()
    assert "Laptop" in page and "Phone" in page and "this session" in page

    response = laptop.post(reverse("accounts:sessions-end-all"))
    assert response["Location"] == reverse("accounts:login")
    assert phone.get(reverse("core:dashboard")).status_code == 302
    assert laptop.get(reverse("core:dashboard")).status_code == 302
    assert not UserSession.objects.filter(user=user).exists()
    assert Session.objects.count() == 0 or all(
        "_auth_user_id" not in s.get_decoded() for s in Session.objects.all()
    )
    assert_activity("user.sessions.ended", target=user)


def test_a_password_change_keeps_this_session_and_ends_the_others(assert_activity):
    user = UserFactory()
    laptop, phone = Client(), Client()
    post_login(laptop, user.email, PASSWORD)
    post_login(phone, user.email, PASSWORD)
    new = "Changed-Pass-5%"
    response = laptop.post(
        reverse("accounts:password-change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert laptop.get(reverse("core:dashboard")).status_code == 200
    assert phone.get(reverse("core:dashboard")).status_code == 302
    assert_activity("user.password.changed", target=user)
    # The session list follows this session's new key, so "sign out everywhere" still ends it.
    assert list(UserSession.objects.filter(user=user).values_list("session_key", flat=True)) == [
        laptop.session.session_key
    ]


def test_a_password_change_refuses_a_wrong_current_password(client):
    user = UserFactory()
    post_login(client, user.email, PASSWORD)
    response = client.post(
        reverse("accounts:password-change"),
        {"old_password": "nope", "new_password1": "Ab1!wxyz", "new_password2": "Ab1!wxyz"},
    )
    assert "The current password is not correct." in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_the_session_list_costs_the_same_queries_with_more_sessions(
    django_assert_max_num_queries,
):
    user = UserFactory()
    client = Client()
    post_login(client, user.email, PASSWORD)
    with django_assert_max_num_queries(12) as few:
        assert client.get(reverse("accounts:security")).status_code == 200
    baseline = len(few)
    for _ in range(8):
        post_login(Client(), user.email, PASSWORD)
    with django_assert_max_num_queries(baseline):
        page = client.get(reverse("accounts:security"))
    assert page.status_code == 200
    sessions = page.content.decode().split('data-testid="sessions"')[1].split("</table>")[0]
    assert sessions.count("<tr>") == 10


@pytest.mark.parametrize(
    ("new", "expected"),
    [
        ("Ab1!xyz", "at least 8 characters (it has 7)"),
        ("Ab1!" + "x" * 61, "at most 64 characters (it has 65)"),
        ("abcdefg1!", "an upper-case letter"),
    ],
)
def test_a_password_change_refuses_a_bad_new_password(client, new, expected):
    user = UserFactory()
    post_login(client, user.email, PASSWORD)
    response = client.post(
        reverse("accounts:password-change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert expected in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
