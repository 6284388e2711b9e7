"""The Django admin cannot reopen a closed or anonymized account (SPEC §8.2–8.4): the "active"
box of a closed account is refused (restore goes through the retention pages, before T+30),
never for an anonymized one, and no password is set on an anonymized stub."""

import pytest
from django.urls import reverse

from accounts import services
from accounts.models import User
from rainbow_portal.exceptions import ApplicationError
from retention.services import account_close, account_restore
from tests.factories import CompanyFactory, UserFactory, login_with_second_factor

from .test_admin import change_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(client):
    root = UserFactory(email="root@portal.test", is_staff=True, is_superuser=True)
    login_with_second_factor(client, root)
    return root


@pytest.fixture
def closed(root):
    person = UserFactory(company=CompanyFactory(), email="p@acme.test")
    closure = account_close(user=person, actor=root)
    return User.objects.get(pk=person.pk), closure


def _anonymize(closure):
    from django.core.management import call_command

    moment = closure.anonymize_due_at.isoformat()
    call_command("retention_run", "--now", moment, stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_the_active_box_of_a_closed_account_is_refused(closed, root, assert_activity):
    person, _ = closed
    with pytest.raises(ApplicationError, match="restore"):
        services.user_admin_update(user=person, actor=root, is_active=True)
    person.refresh_from_db()
    assert not person.is_active
    assert "user.admin.updated" not in assert_activity.events()
    # Other fields of a closed account may still be corrected.
    services.user_admin_update(user=person, actor=root, last_name="Fixed")


def test_the_admin_form_shows_why_and_changes_nothing(client, closed, root):
    person, _ = closed
    data = change_form_data(client, person, is_active="on")
    response = client.post(
        reverse("admin:accounts_user_change", args=[person.pk]), data, follow=True
    )
    assert "restore" in response.content.decode()
    person.refresh_from_db()
    assert not person.is_active


def test_an_anonymized_account_is_never_reactivated_nor_given_a_password(closed, root):
    person, closure = closed
    _anonymize(closure)
    person = User.objects.get(pk=person.pk)
    with pytest.raises(ApplicationError, match="anonymized"):
        services.user_admin_update(user=person, actor=root, is_active=True)
    with pytest.raises(ApplicationError, match="anonymized"):
        services.user_admin_password_set(user=person, actor=root, password="Brand-New-Pass-9!")
    person.refresh_from_db()
    assert not person.is_active and not person.has_usable_password()


def test_a_restored_or_never_closed_account_is_activated_as_before(closed, root):
    person, _ = closed
    account_restore(user=person, actor=root)
    person = User.objects.get(pk=person.pk)
    services.user_admin_update(user=person, actor=root, is_active=False)
    services.user_admin_update(user=person, actor=root, is_active=True)
    assert User.objects.get(pk=person.pk).is_active
    other = UserFactory(is_active=False)
    services.user_admin_update(user=other, actor=root, is_active=True)
    assert User.objects.get(pk=other.pk).is_active


def test_the_admin_form_edits_an_anonymized_stub_and_says_why_it_stays_inactive(
    client, closed, root
):
    """The form sends every field, the stub's `.invalid` address included: taking away a
    former staff member's rights must still save, and ticking "active" names the real reason."""
    person, closure = closed
    User.objects.filter(pk=person.pk).update(is_staff=True)
    _anonymize(closure)
    person = User.objects.get(pk=person.pk)
    assert person.email.endswith("@anonymized.invalid") and person.is_staff
    url = reverse("admin:accounts_user_change", args=[person.pk])
    data = change_form_data(client, person)
    data.pop("is_staff", None)
    client.post(url, data, follow=True)
    person.refresh_from_db()
    assert not person.is_staff
    data = change_form_data(client, person, is_active="on")
    page = client.post(url, data, follow=True).content.decode()
    assert "it can never be reactivated" in page
    assert "cannot receive email" not in page
    person.refresh_from_db()
    assert not person.is_active
