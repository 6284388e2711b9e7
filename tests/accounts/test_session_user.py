"""The user a session names is read with what every request asks of them in one query
(accounts.backends.PortalBackend, issue 15), and nothing of it outlives the request."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from accounts.backends import PortalBackend
from accounts.models import CompanySecurityPolicy, TwoFactorPolicy
from accounts.security.selectors import company_policy
from activity.policies import holds_operations
from companies.models import Role, RoleAssignment
from companies.selectors import user_roles
from tests.factories import CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db


def operations_permission():
    return Permission.objects.get(codename="operations", content_type__app_label="activity")


def test_one_query_reads_user_company_policy_roles_and_operations(django_assert_num_queries):
    company = CompanyFactory()
    CompanySecurityPolicy.objects.create(company=company, two_factor=TwoFactorPolicy.ADMINS)
    user = UserFactory(company=company, roles=[Role.COMPANY_ADMIN])
    group = Group.objects.create(name="ops")
    group.permissions.add(operations_permission())
    user.groups.add(group)
    with django_assert_num_queries(1):
        loaded = PortalBackend().get_user(user.pk)
        assert loaded.company == company
        assert company_policy(company=loaded.company).two_factor == TwoFactorPolicy.ADMINS
        assert user_roles(user=loaded) == {Role.COMPANY_ADMIN}
        assert holds_operations(loaded) is True


def test_answers_match_the_orm_path_for_every_way_of_holding_them():
    company = CompanyFactory()  # no policy row: the defaults
    plain = UserFactory(company=company)
    direct = UserFactory(company=company, roles=[Role.BP_ADMIN, Role.BP_FINANCE])
    direct.user_permissions.add(operations_permission())
    superadmin = UserFactory(company=company, is_superuser=True)  # not operations by that
    for user in (plain, direct, superadmin):
        loaded = PortalBackend().get_user(user.pk)
        fresh = type(user).objects.get(pk=user.pk)
        assert user_roles(user=loaded) == user_roles(user=fresh)
        assert holds_operations(loaded) == holds_operations(fresh)
        mine, theirs = company_policy(company=loaded.company), company_policy(company=fresh.company)
        assert mine.pk is None and theirs.pk is None  # unsaved defaults, both ways
        assert mine.two_factor == theirs.two_factor


def test_unknown_bad_and_inactive_ids_are_no_user():
    inactive = UserFactory(is_active=False)
    backend = PortalBackend()
    assert backend.get_user(inactive.pk) is None
    assert backend.get_user(10**12) is None
    assert backend.get_user("not-a-number") is None


def test_a_role_removed_applies_on_the_next_request(client):
    company = CompanyFactory()
    CompanySecurityPolicy.objects.create(company=company, two_factor=TwoFactorPolicy.NEVER)
    admin = UserFactory(company=company, roles=[Role.COMPANY_ADMIN])
    client.force_login(admin)
    url = client.get(reverse("companies:manage"))["Location"]  # the company's admin page
    assert client.get(url).status_code == 200
    RoleAssignment.objects.filter(user=admin).delete()
    assert client.get(url).status_code in (403, 404)


def test_the_menu_follows_the_operations_permission_on_the_next_request(client):
    user = UserFactory()
    client.force_login(user)
    home = reverse("core:dashboard")
    assert "Activity log" not in client.get(home).content.decode()
    user.user_permissions.add(operations_permission())
    assert "Activity log" in client.get(home).content.decode()
