"""SPEC §7.9: every action that sends email is limited per user, per company and per
address; a limit answers 429 with Retry-After on the API and a clear message on pages."""

import pytest
from django.urls import reverse

from accounts.security.ratelimit import RateLimited, email_action_limit
from companies.membership import services as membership
from companies.models import Role
from companies.services import company_create, company_visibility_set
from companies.visibility import network_services as network
from core.models import OutboundEmail
from tests.factories import PASSWORD, CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db


def public_user(**kwargs):
    company = company_create(name=kwargs.pop("company_name", "Open Co"), region="EMEA", actor=None)
    company_visibility_set(company=company, visibility="public", actor=None)
    return UserFactory(company=company, **kwargs)


def test_a_user_sending_40_network_invitations_is_refused_past_the_limit_and_not_mailed(
    settings, django_capture_on_commit_callbacks
):
    limit = settings.EMAIL_ACTION_LIMITS["network_invitation"]["user"][0]
    assert limit < 40
    inviter = public_user()
    refused = []
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(40):
            try:
                network.invitation_send_email(
                    inviter=inviter, email=f"friend{n}@else.test", actor=inviter
                )
            except RateLimited as exc:
                refused.append(exc)
    assert len(refused) == 40 - limit
    assert refused[0].retry_after > 0 and "Try again in" in refused[0].message
    assert OutboundEmail.objects.filter(to__startswith="friend").count() == limit
    assert not OutboundEmail.objects.filter(to=f"friend{limit}@else.test").exists()


def test_an_admin_sending_300_company_invitations_is_refused_past_the_limit_and_not_mailed(
    settings,
):
    limit = settings.EMAIL_ACTION_LIMITS["company_invitation"]["company"][0]
    assert limit < 300
    company = CompanyFactory(name="Acme")
    admin = UserFactory(company=company, roles=[Role.COMPANY_ADMIN])
    refused = 0
    for n in range(300):
        try:
            membership.invitations_create(
                company=company, emails=[f"new{n}@acme-guests.test"], actor=admin
            )
        except RateLimited:
            refused += 1
    assert refused == 300 - limit
    assert OutboundEmail.objects.filter(to__startswith="new").count() == limit
    assert company.invitations.count() == limit


def test_a_batch_over_the_limit_is_refused_whole(settings):
    settings.EMAIL_ACTION_LIMITS = {
        **settings.EMAIL_ACTION_LIMITS,
        "company_invitation": {"user": (3, 3600), "company": (3, 3600), "address": (5, 86400)},
    }
    company = CompanyFactory(name="Acme")
    admin = UserFactory(company=company, roles=[Role.COMPANY_ADMIN])
    membership.invitations_create(company=company, emails=["a1@x.test", "a2@x.test"], actor=admin)
    with pytest.raises(RateLimited):
        membership.invitations_create(
            company=company, emails=["b1@x.test", "b2@x.test"], actor=admin
        )
    assert company.invitations.count() == 2
    # Nothing was counted for the refused batch: one more still fits.
    membership.invitations_create(company=company, emails=["c1@x.test"], actor=admin)


def test_one_address_is_not_flooded_by_many_inviters(settings):
    limit = settings.EMAIL_ACTION_LIMITS["network_invitation"]["address"][0]
    inviters = [public_user(company_name=f"Co {n}") for n in range(limit + 1)]
    for inviter in inviters[:limit]:
        network.invitation_send_email(inviter=inviter, email="Target@Else.test", actor=inviter)
    with pytest.raises(RateLimited):
        network.invitation_send_email(
            inviter=inviters[-1], email="target@else.test", actor=inviters[-1]
        )


def test_the_api_answers_429_with_retry_after(settings, api_client):
    settings.EMAIL_ACTION_LIMITS = {
        **settings.EMAIL_ACTION_LIMITS,
        "network_invitation": {"user": (1, 3600)},
    }
    inviter = public_user()
    api_client.force_authenticate(inviter)
    url = reverse("api:network")
    assert api_client.post(url, {"email": "one@else.test"}, format="json").status_code == 201
    response = api_client.post(url, {"email": "two@else.test"}, format="json")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    assert response.json()["error"]["code"] == "rate_limited"
    assert not OutboundEmail.objects.filter(to="two@else.test").exists()


def test_the_page_says_when_to_try_again(settings, client):
    settings.EMAIL_ACTION_LIMITS = {
        **settings.EMAIL_ACTION_LIMITS,
        "network_invitation": {"user": (1, 3600)},
    }
    inviter = public_user()
    client.force_login(inviter)
    url = reverse("companies:network-invite-email")
    client.post(url, {"email": "one@else.test"})
    response = client.post(url, {"email": "two@else.test"}, follow=True)
    assert response.status_code == 200
    assert "Try again in" in response.content.decode()
    assert not OutboundEmail.objects.filter(to="two@else.test").exists()


def test_sign_up_is_limited_per_address_whether_or_not_it_is_taken(settings, client):
    settings.EMAIL_ACTION_LIMITS = {
        **settings.EMAIL_ACTION_LIMITS,
        "signup": {"address": (2, 3600)},
    }
    UserFactory(email="taken@example.test")
    for email in ("taken@example.test", "fresh@example.test"):
        for _ in range(2):
            response = client.post(
                reverse("companies:signup"),
                {
                    "email": email,
                    "first_name": "N",
                    "last_name": "O",
                    "new_password1": PASSWORD,
                    "new_password2": PASSWORD,
                },
            )
            assert response.status_code == 302
        response = client.post(
            reverse("companies:signup"),
            {
                "email": email.upper(),
                "first_name": "N",
                "last_name": "O",
                "new_password1": PASSWORD,
                "new_password2": PASSWORD,
            },
        )
        assert response.status_code == 200
        assert "Try again in" in response.content.decode()


def test_visibility_requests_are_limited_per_company(settings):
    from companies.visibility.services import visibility_request_create

    settings.EMAIL_ACTION_LIMITS = {
        **settings.EMAIL_ACTION_LIMITS,
        "visibility_request": {"company": (2, 3600)},
    }
    asking = CompanyFactory(name="Asking")
    admin = UserFactory(company=asking, roles=[Role.COMPANY_ADMIN])
    others = [CompanyFactory(name=f"Other {n}") for n in range(3)]
    for other in others[:2]:
        visibility_request_create(from_company=asking, to_company=other, actor=admin)
    with pytest.raises(RateLimited):
        visibility_request_create(from_company=asking, to_company=others[2], actor=admin)


def test_an_unknown_action_is_a_programming_error():
    with pytest.raises(KeyError):
        email_action_limit(action="no-such-action", address="a@b.test")


def test_the_api_is_throttled_per_user_with_retry_after(settings, api_client):
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "user": "3/minute"}
    user = UserFactory()
    api_client.force_authenticate(user)
    url = reverse("api:me")
    assert [api_client.get(url).status_code for _ in range(3)] == [200, 200, 200]
    response = api_client.get(url)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert response.json()["error"]["code"] == "throttled"
    # Another user has an allowance of their own.
    api_client.force_authenticate(UserFactory())
    assert api_client.get(url).status_code == 200
