"""SPEC §10.4: only operations staff read the activity log — the `operations` permission;
being a superadmin is not enough."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from activity.policies import holds_operations
from tests.factories import UserFactory, login_with_second_factor, make_operations

pytestmark = pytest.mark.django_db


def superadmin(**kwargs):
    return UserFactory(is_staff=True, is_superuser=True, **kwargs)


def test_a_superadmin_without_the_permission_gets_nothing(client):
    root = superadmin()
    assert not holds_operations(root) and not root.is_operations
    login_with_second_factor(client, root)
    assert client.get(reverse("admin:activity_activityrecord_changelist")).status_code == 403
    assert "Activity" not in client.get(reverse("admin:index")).content.decode()


def test_the_permission_held_directly_or_through_a_group_opens_it(client):
    staff = make_operations(UserFactory(is_staff=True))
    assert holds_operations(staff)
    login_with_second_factor(client, staff)
    assert client.get(reverse("admin:activity_activityrecord_changelist")).status_code == 200
    group = Group.objects.create(name="Operations")
    group.permissions.add(
        Permission.objects.get(codename="operations", content_type__app_label="activity")
    )
    member = UserFactory(is_staff=True)
    member.groups.add(group)
    assert holds_operations(member)
    root_with = make_operations(superadmin())
    assert holds_operations(root_with)
