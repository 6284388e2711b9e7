"""The Django admin's hardening (security review of the admin): staff who are not superadmins
cannot take over a privileged account, escalate through groups, reach django-otp's own pages
or read secrets out through changelist lookups; refusals are messages, never a 500."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.models import User
from companies.models import Company, Organization, Role, RoleAssignment
from companies.selectors import default_company
from rainbow_portal.exceptions import ApplicationError
from tests.factories import PASSWORD, CompanyFactory, UserFactory, login_with_second_factor

pytestmark = pytest.mark.django_db


def grant(user, *codenames):
    for codename in codenames:
        app, code = codename.split(".")
        user.user_permissions.add(
            Permission.objects.get(codename=code, content_type__app_label=app)
        )
    return User.objects.get(pk=user.pk)  # a fresh permission cache


@pytest.fixture
def root(client):
    root = UserFactory(
        company=default_company(), email="root@portal.test", is_staff=True, is_superuser=True
    )
    login_with_second_factor(client, root)
    return root


@pytest.fixture
def staff(client):
    """A staff member with the ordinary user permissions, not a superadmin."""
    staff = UserFactory(company=default_company(), email="staff@portal.test", is_staff=True)
    staff = grant(staff, "accounts.view_user", "accounts.change_user", "accounts.add_user")
    login_with_second_factor(client, staff)
    return staff


def operations_holder():
    user = UserFactory(company=default_company(), email="ops@portal.test")
    return grant(user, "activity.operations")


# Finding 1: privileged accounts' email, status and password are a superadmin's.


@pytest.mark.parametrize("kind", ["superuser", "staff", "operations", "ops_inactive"])
def test_policy_protects_privileged_accounts(kind):
    from accounts.policies import account_admin_refusal

    if kind == "operations":
        target = operations_holder()
    elif kind == "ops_inactive":
        target = operations_holder()
        target.is_active = False
        target.save()
    else:
        target = UserFactory(is_staff=True, is_superuser=kind == "superuser")
    staff = UserFactory(is_staff=True)
    root = UserFactory(is_staff=True, is_superuser=True)
    assert account_admin_refusal(actor=staff, user=target, fields={"email"})
    assert account_admin_refusal(actor=staff, user=target, fields={"password"})
    assert not account_admin_refusal(actor=staff, user=target, fields={"first_name"})
    assert not account_admin_refusal(actor=root, user=target, fields={"email", "password"})
    plain = UserFactory()
    assert not account_admin_refusal(actor=staff, user=plain, fields={"email", "is_active"})


@pytest.mark.parametrize("field, value", [("email", "mine@evil.test"), ("is_active", False)])
def test_service_refuses_staff_changing_a_superadmins_email_or_status(field, value):
    staff = UserFactory(is_staff=True)
    target = UserFactory(is_staff=True, is_superuser=True, email="boss@portal.test")
    with pytest.raises(ApplicationError):
        services.user_admin_update(user=target, actor=staff, **{field: value})
    target.refresh_from_db()
    assert (target.email, target.is_active) == ("boss@portal.test", True)


def test_service_refuses_staff_setting_an_operations_holders_password():
    target = operations_holder()
    with pytest.raises(ApplicationError):
        services.user_admin_password_set(
            user=target, actor=UserFactory(is_staff=True), password="An0ther-long-passw0rd!"
        )
    assert User.objects.get(pk=target.pk).check_password(PASSWORD)


def test_admin_change_page_keeps_a_superadmins_email_and_status_read_only(client, staff):
    target = UserFactory(is_staff=True, is_superuser=True, email="boss@portal.test")
    page = client.get(reverse("admin:accounts_user_change", args=[target.pk]))
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert "email" not in form.fields and "is_active" not in form.fields
    # An ordinary account's stay editable for the same staff member.
    plain = UserFactory()
    form = (
        client.get(reverse("admin:accounts_user_change", args=[plain.pk])).context["adminform"].form
    )
    assert "email" in form.fields and "is_active" in form.fields


def test_admin_password_page_refuses_staff_on_an_operations_holder(client, staff):
    target = operations_holder()
    url = reverse("admin:auth_user_password_change", args=[target.pk])
    data = {"password1": "An0ther-long-passw0rd!", "password2": "An0ther-long-passw0rd!"}
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    assert "Only a superadmin" in response.content.decode()
    assert User.objects.get(pk=target.pk).check_password(PASSWORD)
    assert client.get(url, follow=True).status_code == 200


# Finding 2: django-otp's own admin is not reachable.


def test_django_otp_admin_is_not_registered(client, root):
    assert not admin.site.is_registered(TOTPDevice)
    response = client.get("/admin/otp_totp/totpdevice/")
    assert response.status_code == 404


# Finding 3: groups are not edited in the admin.


def test_group_admin_is_not_registered(client, root):
    assert not admin.site.is_registered(Group)
    assert client.get("/admin/auth/group/").status_code == 404


# Finding 4: role and organization refusals are messages.


def test_role_assignment_refusal_is_a_message(client, root, assert_activity):
    company = CompanyFactory()
    root.company = company
    root.save()
    url = reverse("admin:companies_roleassignment_add")
    response = client.post(url, {"user": root.pk, "role": Role.COMPANY_ADMIN}, follow=True)
    assert response.status_code == 200
    assert list(response.context["messages"])
    assert not RoleAssignment.objects.filter(user=root).exists()
    assert assert_activity.events() == []


def test_role_removal_refusal_is_a_message(client, root, assert_activity):
    company = CompanyFactory()
    root.company = company
    root.save()
    assignment = RoleAssignment.objects.create(user=root, role=Role.COMPANY_ADMIN)
    response = client.post(
        reverse("admin:companies_roleassignment_delete", args=[assignment.pk]),
        {"post": "yes"},
        follow=True,
    )
    assert response.status_code == 200
    assert list(response.context["messages"])
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()
    assert assert_activity.events() == []


def test_organization_create_refusal_is_a_message(client, assert_activity):
    staff = UserFactory(company=default_company(), is_staff=True)
    staff = grant(staff, "companies.add_organization", "companies.view_organization")
    login_with_second_factor(client, staff)
    response = client.post(
        reverse("admin:companies_organization_add"), {"name": "Nordic Group"}, follow=True
    )
    assert response.status_code == 200
    assert "superadmin" in response.content.decode()
    assert not Organization.objects.filter(name="Nordic Group").exists()
    assert assert_activity.events() == []


# Finding 5: an invisible character in a company name is a form error.


@pytest.mark.parametrize("existing", [False, True])
def test_company_name_with_invisible_character_is_a_form_error(client, root, existing):
    data = {
        "name": "Acme\u200bCorp",
        "kind": "end_customer",
        "region": "Germany",
        "visibility": "public",
        "status": "active",
    }
    if existing:
        company = CompanyFactory(name="Acme", region="Germany", is_hds=False)
        url = reverse("admin:companies_company_change", args=[company.pk])
    else:
        url = reverse("admin:companies_company_add")
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors.get("name")
    assert not Company.objects.filter(name="Acme\u200bCorp").exists()


# Finding 6: creating companies and accounts is a superadmin's.


def test_staff_cannot_add_companies_or_users(client, staff):
    staff = grant(staff, "companies.add_company", "companies.view_company")
    assert client.get(reverse("admin:companies_company_add")).status_code == 403
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "new@acme.test",
            "company": CompanyFactory().pk,
            "password1": "An0ther-long-passw0rd!",
            "password2": "An0ther-long-passw0rd!",
        },
    )
    assert response.status_code == 403
    assert not User.objects.filter(email="new@acme.test").exists()


def test_superadmin_still_adds_companies_and_users(client, root):
    assert client.get(reverse("admin:companies_company_add")).status_code == 200
    assert client.get(reverse("admin:accounts_user_add")).status_code == 200


# Finding 7: no lookups on secrets.


@pytest.mark.parametrize(
    "query",
    [
        "password__startswith=argon2",
        "password=x",
        "company__name__startswith=A&password__isnull=false",
    ],
)
def test_changelist_refuses_lookups_on_secrets(client, root, query):
    response = client.get(f"/admin/accounts/user/?{query}")
    assert response.status_code == 400


def test_token_changelist_refuses_secret_hash_lookup(client, root):
    assert client.get("/admin/accounts/personaltoken/?secret_hash__startswith=a").status_code == 400
    assert client.get("/admin/accounts/personaltoken/?scope=read").status_code == 200


def test_ordinary_lookups_still_work(client, root):
    assert client.get("/admin/accounts/user/?is_staff__exact=1").status_code == 200


# Finding 8: revoke and unlock need the change permission.


def offered_actions(page) -> set[str]:
    form = page.context["action_form"]
    return set() if form is None else set(dict(form.fields["action"].choices))


def test_revoke_and_unlock_need_change_permission(client):
    viewer = UserFactory(company=default_company(), is_staff=True)
    viewer = grant(viewer, "accounts.view_personaltoken", "accounts.view_usersecurity")
    login_with_second_factor(client, viewer)
    token_page = client.get(reverse("admin:accounts_personaltoken_changelist"))
    assert "revoke" not in offered_actions(token_page)
    security_page = client.get(reverse("admin:accounts_usersecurity_changelist"))
    assert "unlock" not in offered_actions(security_page)


def test_revoke_and_unlock_offered_with_change_permission(client):
    operator = UserFactory(company=default_company(), is_staff=True)
    operator = grant(
        operator,
        "accounts.view_personaltoken",
        "accounts.change_personaltoken",
        "accounts.view_usersecurity",
        "accounts.change_usersecurity",
    )
    login_with_second_factor(client, operator)
    token_page = client.get(reverse("admin:accounts_personaltoken_changelist"))
    assert "revoke" in offered_actions(token_page)
    security_page = client.get(reverse("admin:accounts_usersecurity_changelist"))
    assert "unlock" in offered_actions(security_page)


# The cost of unregistering django-otp's admin (D17h.2): a lost authenticator is reset by a
# superadmin through a service, recorded, never by staff, never on one's own account.


def test_a_superadmin_resets_a_lost_authenticator_through_the_service(client, root):
    from accounts.models import AuthenticatorDevice, RecoveryCode, UserSecurity, UserSession
    from accounts.security.services import authenticator_device_create, recovery_codes_regenerate
    from activity.models import ActivityRecord

    person = UserFactory(company=CompanyFactory(), email="lost@acme.test")
    authenticator_device_create(user=person, name="phone", confirmed=True)
    recovery_codes_regenerate(user=person, actor=person)
    UserSession.objects.create(user=person, session_key="k" * 32, last_seen="2026-12-04T10:00Z")
    row, _ = UserSecurity.objects.get_or_create(user=person)
    page = client.get(reverse("admin:accounts_usersecurity_changelist"))
    assert "reset_two_factor" in offered_actions(page)
    client.post(
        reverse("admin:accounts_usersecurity_changelist"),
        {"action": "reset_two_factor", "_selected_action": [row.pk]},
    )
    assert not AuthenticatorDevice.objects.filter(user=person).exists()
    assert not RecoveryCode.objects.filter(user=person).exists()
    assert not UserSession.objects.filter(user=person).exists()
    record = ActivityRecord.objects.get(event="user.two_factor.reset")
    assert record.data == {"devices": 1, "recovery": 10}


def test_staff_cannot_reset_and_nobody_resets_their_own(client, root):
    from accounts.models import AuthenticatorDevice
    from accounts.security.services import two_factor_reset

    staff = UserFactory(company=default_company(), is_staff=True)
    staff = grant(staff, "accounts.view_usersecurity", "accounts.change_usersecurity")
    person = UserFactory(company=CompanyFactory())
    with pytest.raises(ApplicationError):
        two_factor_reset(user=person, actor=staff)
    with pytest.raises(ApplicationError, match="own"):
        two_factor_reset(user=root, actor=root)
    assert AuthenticatorDevice.objects.filter(user=root).exists()
    client.logout()
    login_with_second_factor(client, staff)
    page = client.get(reverse("admin:accounts_usersecurity_changelist"))
    assert "reset_two_factor" not in offered_actions(page)
