"""Profile locks (SPEC §7.7) and the company security settings page."""

import pytest
from django.urls import reverse

from accounts.models import CompanySecurityPolicy, UserSecurity
from accounts.security.services import user_profile_lock_set
from accounts.services import user_profile_update
from activity.models import ActivityRecord
from companies.models import Company, Role
from rainbow_portal.exceptions import ApplicationError
from tests.factories import CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def company():
    return CompanyFactory()


@pytest.fixture
def admin(company):
    return UserFactory(company=company, roles=[Role.COMPANY_ADMIN])


@pytest.fixture
def member(company):
    return UserFactory(company=company, first_name="Mia", title="Nurse")


def test_a_company_lock_refuses_the_users_own_change_over_the_api(api_client, member):
    CompanySecurityPolicy.objects.create(company=member.company, lock_profiles=True)
    api_client.force_authenticate(member)
    response = api_client.patch("/api/v1/me/", {"first_name": "Eve"}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "profile_locked"
    assert "locked your name and title" in error["message"]
    assert error["fields"] == {"first_name": ["Locked by your company."]}
    member.refresh_from_db()
    assert member.first_name == "Mia"


def test_a_user_lock_refuses_but_an_admin_may_still_correct(member, admin, assert_activity):
    user_profile_lock_set(user=member, locked=True, actor=admin)
    with pytest.raises(ApplicationError, match="locked"):
        user_profile_update(user=member, actor=member, title="Chief")
    user_profile_update(user=member, actor=admin, title="Chief")
    member.refresh_from_db()
    assert member.title == "Chief"
    assert assert_activity("user.profile_lock.changed", target=member)[0].data == {"locked": True}


def test_an_unlocked_profile_can_be_changed(api_client, member):
    api_client.force_authenticate(member)
    response = api_client.patch("/api/v1/me/", {"title": "Surgeon"}, format="json")
    assert response.status_code == 200 and response.json()["title"] == "Surgeon"


def test_the_profile_page_shows_locked_fields_read_only(client, member, admin):
    user_profile_lock_set(user=member, locked=True, actor=admin)
    client.force_login(member)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert 'name="first_name" value="Mia"' in page and "disabled" in page
    # A forged POST cannot change a disabled field.
    client.post(reverse("accounts:profile"), {"first_name": "Eve", "title": "Boss"})
    member.refresh_from_db()
    assert (member.first_name, member.title) == ("Mia", "Nurse")


def test_nobody_locks_their_own_profile(admin):
    with pytest.raises(ApplicationError):
        user_profile_lock_set(user=admin, locked=True, actor=admin)


def url(company):
    return reverse("companies:company-security", args=[company.slug])


def test_company_security_page_isolation(client, company, admin, member):
    response = client.get(url(company))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(member)
    assert client.get(url(company)).status_code == 403
    client.force_login(UserFactory(company=CompanyFactory(), roles=[Role.COMPANY_ADMIN]))
    assert client.get(url(company)).status_code == 404
    client.force_login(admin)
    assert client.get(url(company)).status_code == 200


def test_a_customers_security_belongs_to_its_own_admins_not_its_partner(client):
    """SPEC §3.3: security settings are the company's own admins' (bp_admin for the
    partner's own company), never the partner's roles on an end customer."""
    partner = CompanyFactory(kind=Company.Kind.BUSINESS_PARTNER)
    customer = CompanyFactory(business_partner=partner)
    for role in (Role.BP_FINANCE, Role.BP_OPERATION, Role.BP_ADMIN):
        client.force_login(UserFactory(company=partner, roles=[role]))
        assert client.get(url(customer)).status_code == 403
    client.force_login(UserFactory(company=partner, roles=[Role.BP_ADMIN]))
    assert client.get(url(partner)).status_code == 200
    client.force_login(UserFactory(company=partner, roles=[Role.BP_OPERATION]))
    assert client.get(url(partner)).status_code == 403


def test_the_admin_sets_the_policy(client, company, admin):
    client.force_login(admin)
    response = client.post(
        url(company), {"password_min_length": 12, "two_factor": "admins", "lock_profiles": "on"}
    )
    assert response.status_code == 302
    policy = CompanySecurityPolicy.objects.get(company=company)
    assert (policy.password_min_length, policy.two_factor, policy.lock_profiles) == (
        12,
        "admins",
        True,
    )
    record = ActivityRecord.objects.get(event="company.security_policy.changed")
    assert record.data["min_length"] == 12 and record.data["two_factor"] == "admins"


@pytest.mark.parametrize("length", [7, 65])
def test_a_minimum_length_outside_8_to_64_is_refused(client, company, admin, length):
    client.force_login(admin)
    response = client.post(url(company), {"password_min_length": length, "two_factor": "never"})
    assert response.status_code == 200
    assert not CompanySecurityPolicy.objects.filter(company=company).exists()


def test_the_admin_locks_and_unlocks_a_member(client, company, admin, member):
    client.force_login(admin)
    lock = reverse("companies:member-profile-lock", args=[company.slug, member.pk])
    client.post(lock, {"locked": "1"})
    assert UserSecurity.objects.get(user=member).profile_locked
    client.post(lock, {"locked": "0"})
    assert not UserSecurity.objects.get(user=member).profile_locked
    stranger = UserFactory()
    other = reverse("companies:member-profile-lock", args=[company.slug, stranger.pk])
    assert client.post(other, {"locked": "1"}).status_code == 404


def test_the_member_list_costs_the_same_queries_as_it_grows(
    client, company, admin, django_assert_max_num_queries
):
    client.force_login(admin)
    UserFactory(company=company)
    with django_assert_max_num_queries(15) as few:
        assert client.get(url(company)).status_code == 200
    baseline = len(few)
    for n in range(10):
        user = UserFactory(company=company)
        if n % 2:
            UserSecurity.objects.create(user=user, profile_locked=True)
    with django_assert_max_num_queries(baseline):
        response = client.get(url(company))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("Unlock ") == 5
