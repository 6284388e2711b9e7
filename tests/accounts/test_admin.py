"""The Django admin's user pages (security review finding 5): SPEC §3.2 holds there too
(nobody changes their own login email or roles), company moves go through the portal's flows,
and each admin change of a user is one service call with one activity record."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from accounts import services
from accounts.models import User
from activity.models import ActivityRecord
from companies.selectors import default_company
from rainbow_portal.exceptions import ApplicationError
from tests.factories import PASSWORD, CompanyFactory, UserFactory, login_with_second_factor

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(client):
    root = UserFactory(
        company=default_company(), email="root@portal.test", is_staff=True, is_superuser=True
    )
    login_with_second_factor(client, root)
    return root


def change_form_data(client, user, **overrides) -> dict:
    """What the browser would post back from the change page, with some fields changed."""
    page = client.get(reverse("admin:accounts_user_change", args=[user.pk]))
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form.initial.get(name)
        if value is None:
            continue
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, list):
            data[name] = [getattr(v, "pk", v) for v in value]
        else:
            data[name] = getattr(value, "pk", value)
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_own_email_superuser_groups_and_permissions_are_read_only(client, root, assert_activity):
    group = Group.objects.create(name="auditors")
    permission = Permission.objects.get(codename="change_user")
    form = (
        client.get(reverse("admin:accounts_user_change", args=[root.pk])).context["adminform"].form
    )
    for name in ("email", "is_superuser", "groups", "user_permissions", "company"):
        assert name not in form.fields
    data = change_form_data(
        client,
        root,
        email="other@portal.test",
        is_superuser=None,
        groups=[group.pk],
        user_permissions=[permission.pk],
        company=CompanyFactory().pk,
        first_name="Rooty",
    )
    data.pop("is_superuser", None)
    response = client.post(reverse("admin:accounts_user_change", args=[root.pk]), data)
    assert response.status_code == 302, response.content
    root.refresh_from_db()
    assert root.email == "root@portal.test"
    assert root.is_superuser
    assert not root.groups.exists() and not root.user_permissions.exists()
    assert root.company == default_company()
    assert root.first_name == "Rooty"
    assert assert_activity.events() == ["user.admin.updated"]
    assert ActivityRecord.objects.get(event="user.admin.updated").data == {"fields": ["first_name"]}


def test_company_is_read_only_when_editing_another_user(client, root, assert_activity):
    person = UserFactory(company=CompanyFactory(name="Acme"))
    form = (
        client.get(reverse("admin:accounts_user_change", args=[person.pk]))
        .context["adminform"]
        .form
    )
    assert "company" not in form.fields
    assert "email" in form.fields and "is_superuser" in form.fields
    data = change_form_data(client, person, company=CompanyFactory(name="Other").pk)
    client.post(reverse("admin:accounts_user_change", args=[person.pk]), data)
    person.refresh_from_db()
    assert person.company.name == "Acme"
    assert assert_activity.events() == []


def test_editing_another_user_is_one_service_call_and_one_record(client, root, assert_activity):
    person = UserFactory(company=CompanyFactory(), email="p@acme.test")
    group = Group.objects.create(name="auditors")
    data = change_form_data(
        client, person, email="P2@Acme.test", last_name="Changed", is_staff="on", groups=[group.pk]
    )
    response = client.post(reverse("admin:accounts_user_change", args=[person.pk]), data)
    assert response.status_code == 302, response.content
    person.refresh_from_db()
    assert (person.email, person.last_name, person.is_staff) == ("p2@acme.test", "Changed", True)
    assert list(person.groups.all()) == [group]
    assert assert_activity.events() == ["user.admin.updated"]
    record = ActivityRecord.objects.get(event="user.admin.updated")
    assert record.data == {"fields": ["email", "groups", "is_staff", "last_name"]}
    assert "p2@acme.test" not in str(record.data)


def test_a_refused_admin_change_shows_its_message_and_writes_nothing(client, root, assert_activity):
    UserFactory(email="taken@acme.test")
    person = UserFactory(email="p@acme.test", last_name="Same")
    data = change_form_data(client, person, email="TAKEN@acme.test", last_name="Other")
    response = client.post(reverse("admin:accounts_user_change", args=[person.pk]), data)
    assert response.status_code in (200, 302)
    person.refresh_from_db()
    assert (person.email, person.last_name) == ("p@acme.test", "Same")
    assert assert_activity.events() == []


def test_adding_a_user_goes_through_user_create(client, root, assert_activity):
    company = CompanyFactory(name="Acme")
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "New@Acme.test",
            "company": company.pk,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302, response.content
    user = User.objects.get(email="new@acme.test")
    assert user.company == company and user.check_password(PASSWORD)
    assert assert_activity.events() == ["user.created"]


def test_service_refuses_self_changes_and_grants_by_non_superusers(assert_activity):
    root = UserFactory(is_staff=True, is_superuser=True, email="root@portal.test")
    for change in (
        {"email": "x@portal.test"},
        {"is_superuser": False},
        {"groups": [Group.objects.create(name="g")]},
        {"user_permissions": [Permission.objects.get(codename="change_user")]},
    ):
        with pytest.raises(ApplicationError, match="Nobody changes their own"):
            services.user_admin_update(user=root, actor=root, **change)
    staff = UserFactory(is_staff=True)
    other = UserFactory()
    with pytest.raises(ApplicationError, match="Only a superadmin"):
        services.user_admin_update(user=other, actor=staff, is_superuser=True)
    with pytest.raises(ApplicationError, match="company"):
        services.user_admin_update(user=other, actor=root, company=CompanyFactory())
    other.refresh_from_db()
    assert not other.is_superuser
    assert assert_activity.events() == []


def test_admin_password_page_goes_through_a_service(client, root, assert_activity):
    person = UserFactory(email="p@acme.test")
    url = reverse("admin:auth_user_password_change", args=[person.pk])
    response = client.post(
        url,
        {
            "password1": "Brand-New-Pass-9!",
            "password2": "Brand-New-Pass-9!",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password("Brand-New-Pass-9!")
    assert assert_activity.events() == ["user.password.set_by_admin", "user.sessions.ended"]
    # One's own password is changed on the portal's own page, which keeps this session.
    response = client.post(
        reverse("admin:auth_user_password_change", args=[root.pk]),
        {
            "password1": "Brand-New-Pass-9!",
            "password2": "Brand-New-Pass-9!",
            "usable_password": "true",
        },
    )
    root.refresh_from_db()
    assert not root.check_password("Brand-New-Pass-9!")


def test_an_operator_unlocks_a_locked_account_from_the_admin(root, client):
    """SPEC §7.3: five wrong passwords lock the account; an operator lifts the lock (one
    activity record) and the person signs in with their own password, unchanged."""
    from django.test import Client

    from accounts.models import UserSecurity

    person = UserFactory(email="locked@example.test")
    browser = Client()
    for _ in range(5):
        browser.post(reverse("accounts:login"), {"username": person.email, "password": "wrong"})
    security = UserSecurity.objects.get(user=person)
    assert security.locked_until is not None
    refused = browser.post(
        reverse("accounts:login"), {"username": person.email, "password": PASSWORD}
    )
    assert refused.status_code == 200  # still locked

    response = client.post(
        reverse("admin:accounts_usersecurity_changelist"),
        {"action": "unlock", "_selected_action": [security.pk]},
        follow=True,
    )
    assert "1 account(s) unlocked." in response.content.decode()
    security.refresh_from_db()
    assert security.locked_until is None and security.failed_logins == 0
    assert ActivityRecord.objects.filter(event="user.unlocked").count() == 1
    signed_in = browser.post(
        reverse("accounts:login"), {"username": person.email, "password": PASSWORD}
    )
    assert signed_in.status_code == 302
    # Unlocking an account that is not locked changes and records nothing.
    client.post(
        reverse("admin:accounts_usersecurity_changelist"),
        {"action": "unlock", "_selected_action": [security.pk]},
    )
    assert ActivityRecord.objects.filter(event="user.unlocked").count() == 1
