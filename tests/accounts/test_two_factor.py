"""Two-factor authentication (SPEC §7.5)."""

import base64
import time

import pytest
from django.urls import reverse
from django_otp.oath import TOTP

from accounts.models import (
    AuthenticatorDevice,
    CompanySecurityPolicy,
    RecoveryCode,
    TwoFactorPolicy,
)
from accounts.security.selectors import two_factor_required
from accounts.security.services import authenticator_device_create
from companies.models import Company, Role
from tests.factories import PASSWORD, CompanyFactory, UserFactory

from .conftest import post_login

pytestmark = pytest.mark.django_db


def code_for(device, steps_ahead=0) -> str:
    totp = TOTP(device.bin_key)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def company_with(policy):
    company = CompanyFactory()
    CompanySecurityPolicy.objects.create(company=company, two_factor=policy)
    return company


@pytest.mark.parametrize(
    ("policy", "roles", "kind", "required"),
    [
        (TwoFactorPolicy.NEVER, [], Company.Kind.END_CUSTOMER, False),
        (TwoFactorPolicy.NEVER, [Role.COMPANY_ADMIN], Company.Kind.END_CUSTOMER, False),
        (TwoFactorPolicy.ADMINS, [], Company.Kind.END_CUSTOMER, False),
        (TwoFactorPolicy.ADMINS, [Role.COMPANY_ADMIN], Company.Kind.END_CUSTOMER, True),
        (TwoFactorPolicy.ADMINS, [Role.BP_FINANCE], Company.Kind.BUSINESS_PARTNER, True),
        (TwoFactorPolicy.ADMINS, [Role.BP_OPERATION], Company.Kind.BUSINESS_PARTNER, True),
        (TwoFactorPolicy.ALWAYS, [], Company.Kind.END_CUSTOMER, True),
    ],
)
def test_company_policy_decides_who_must_use_two_factor(policy, roles, kind, required):
    company = CompanyFactory(kind=kind)
    CompanySecurityPolicy.objects.create(company=company, two_factor=policy)
    assert two_factor_required(user=UserFactory(company=company, roles=roles)) is required


def test_superadmins_always_use_two_factor():
    assert two_factor_required(user=UserFactory(company=company_with("never"), is_superuser=True))


def enroll(client):
    client.get(reverse("accounts:two-factor-setup"))
    device = AuthenticatorDevice.objects.get(confirmed=False)
    return device


def test_a_required_user_is_taken_to_enrollment_before_anything_else(client, assert_activity):
    user = UserFactory(company=company_with("admins"), roles=[Role.COMPANY_ADMIN])
    response = post_login(client, user.email, PASSWORD)
    response = client.get(reverse("core:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two-factor-setup"))
    assert client.get(reverse("accounts:profile")).status_code == 302
    api = client.get("/api/v1/me/")
    assert api.status_code == 403 and api.json()["error"]["code"] == "two_factor_required"

    page = client.get(reverse("accounts:two-factor-setup"))
    assert page.status_code == 200 and b"data:image/svg+xml;base64," in page.content
    device = AuthenticatorDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("accounts:two-factor-setup"), {"token": "000000"})
    assert "not correct" in response.content.decode()
    response = client.post(reverse("accounts:two-factor-setup"), {"token": code_for(device)})
    codes = response.context["codes"]
    assert len(codes) == 10
    device.refresh_from_db()
    assert device.confirmed
    # Recovery codes are stored as digests only.
    stored = list(RecoveryCode.objects.filter(user=user).values_list("code_hash", flat=True))
    assert len(stored) == 10 and not set(codes) & set(stored)
    assert client.get(reverse("core:dashboard")).status_code == 200
    assert_activity("user.two_factor.enabled", target=user)


@pytest.fixture
def enrolled():
    user = UserFactory()
    device = authenticator_device_create(user=user, name="app", confirmed=True)
    return user, device


def test_an_enrolled_user_signs_in_with_a_code_and_a_replayed_code_is_refused(
    client, enrolled, assert_activity
):
    user, device = enrolled
    post_login(client, user.email, PASSWORD)
    response = client.get(reverse("core:dashboard"))
    assert response["Location"].startswith(reverse("accounts:two-factor-verify"))
    token = code_for(device)
    response = client.post(reverse("accounts:two-factor-verify"), {"token": token})
    assert response.status_code == 302
    assert client.get(reverse("core:dashboard")).status_code == 200

    client.post(reverse("accounts:logout"))
    post_login(client, user.email, PASSWORD)
    response = client.post(reverse("accounts:two-factor-verify"), {"token": token})
    assert "not correct or was already used" in response.content.decode()
    assert client.get(reverse("core:dashboard")).status_code == 302
    assert_activity("user.two_factor.failed", target=user)
    assert_activity("user.two_factor.verified", target=user)


def test_a_recovery_code_works_once(client, enrolled, assert_activity):
    from accounts.security.services import recovery_codes_regenerate

    user, _ = enrolled
    codes = recovery_codes_regenerate(user=user, actor=user)
    post_login(client, user.email, PASSWORD)
    response = client.post(reverse("accounts:two-factor-verify"), {"token": codes[0]})
    assert response.status_code == 302
    client.post(reverse("accounts:logout"))
    post_login(client, user.email, PASSWORD)
    response = client.post(reverse("accounts:two-factor-verify"), {"token": codes[0]})
    assert response.status_code == 200 and "not correct" in response.content.decode()
    assert assert_activity("user.two_factor.recovery_used", target=user)[0].data == {"left": 9}


def test_a_password_alone_cannot_replace_an_enrolled_authenticator(client, enrolled):
    user, device = enrolled
    post_login(client, user.email, PASSWORD)
    response = client.get(reverse("accounts:two-factor-setup"))
    assert response["Location"].startswith(reverse("accounts:two-factor-verify"))
    assert list(AuthenticatorDevice.objects.filter(user=user)) == [device]


def test_two_factor_cannot_be_turned_off_when_required(client):
    user = UserFactory(company=company_with("always"))
    device = authenticator_device_create(user=user, name="app", confirmed=True)
    post_login(client, user.email, PASSWORD)
    client.post(reverse("accounts:two-factor-verify"), {"token": code_for(device)})
    response = client.post(reverse("accounts:two-factor-disable"), {"password": PASSWORD})
    assert "required for your account" in response.content.decode()
    assert AuthenticatorDevice.objects.filter(user=user).exists()


def test_two_factor_can_be_turned_off_with_the_password_when_optional(
    client, enrolled, assert_activity
):
    user, device = enrolled
    post_login(client, user.email, PASSWORD)
    client.post(reverse("accounts:two-factor-verify"), {"token": code_for(device)})
    response = client.post(reverse("accounts:two-factor-disable"), {"password": "wrong"})
    assert "not correct" in response.content.decode()
    response = client.post(reverse("accounts:two-factor-disable"), {"password": PASSWORD})
    assert response.status_code == 302
    assert not AuthenticatorDevice.objects.filter(user=user).exists()
    assert_activity("user.two_factor.disabled", target=user)


def test_the_enrollment_page_shows_the_key_matching_the_qr_code(client):
    user = UserFactory()
    client.force_login(user)
    response = client.get(reverse("accounts:two-factor-setup"))
    device = AuthenticatorDevice.objects.get(user=user, confirmed=False)
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    assert secret in response.content.decode()


@pytest.mark.parametrize("tighten", ["policy", "role"])
def test_a_policy_tightened_or_a_role_granted_after_sign_in_applies_at_once(client, tighten):
    """The second factor is decided on every request, not frozen at sign-in."""
    from companies.services import role_grant

    company = company_with("admins" if tighten == "role" else "never")
    user = UserFactory(company=company)
    post_login(client, user.email, PASSWORD)
    assert client.get(reverse("accounts:profile")).status_code == 200
    if tighten == "policy":
        CompanySecurityPolicy.objects.filter(company=company).update(two_factor="always")
    else:
        role_grant(user=user, role=Role.COMPANY_ADMIN, actor=None)
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two-factor-setup"))
    api = client.get("/api/v1/me/")
    assert api.status_code == 403 and api.json()["error"]["code"] == "two_factor_required"


def test_signing_up_through_an_invitation_starts_a_listed_session_under_the_2fa_policy(
    client, smtp_server, django_capture_on_commit_callbacks, assert_activity
):
    """The invitation sign-up signs the new member in like the sign-in page does: the
    session is listed (so "sign out everywhere" ends it) and the company's policy applies."""
    import re

    from accounts.models import User, UserSession
    from accounts.security.services import sessions_end
    from companies.membership.services import invitations_create

    company = company_with("always")
    admin = UserFactory(company=company, roles=[Role.COMPANY_ADMIN])
    with django_capture_on_commit_callbacks(execute=True):
        invitations_create(company=company, emails=["new@strict.test"], actor=admin)
    token = re.search(r"/invitations/([^/\s]+)/", smtp_server.text()).group(1)
    response = client.post(
        reverse("companies:invitation", args=[token]),
        {"first_name": "N", "last_name": "U", "password": PASSWORD, "password_again": PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two-factor-setup"))
    user = User.objects.get(email="new@strict.test")
    assert UserSession.objects.filter(user=user).count() == 1
    assert_activity("user.login.succeeded", target=user)
    assert client.get(reverse("accounts:profile")).status_code == 302
    assert client.get("/api/v1/me/").status_code == 403
    sessions_end(user=user, actor=user)
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
