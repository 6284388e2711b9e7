"""accounts.policies: the platform's own rights (superadmin, the scheduled system), asked of
real users and of the anonymous visitor."""

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.policies import is_platform_actor, is_superadmin
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_platform_actor_is_the_scheduled_system_or_a_superuser():
    assert is_platform_actor(None) is True
    assert is_platform_actor(UserFactory(is_superuser=True)) is True
    assert is_platform_actor(UserFactory()) is False
    assert is_platform_actor(AnonymousUser()) is False


def test_platform_actor_answers_a_bool_for_an_object_without_the_attribute():
    assert is_platform_actor(object()) is False


def test_superadmin_is_a_signed_in_active_superuser_only():
    assert is_superadmin(UserFactory(is_superuser=True)) is True
    assert is_superadmin(UserFactory(is_superuser=True, is_active=False)) is False
    assert is_superadmin(UserFactory()) is False
    assert is_superadmin(AnonymousUser()) is False
    assert is_superadmin(None) is False


def test_superadmin_answers_a_bool():
    assert is_superadmin(UserFactory(is_superuser=True, is_active=False)) is False
    assert is_superadmin(UserFactory(is_superuser=False)) is False
