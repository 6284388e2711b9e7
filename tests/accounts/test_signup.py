"""Self-registration with email verification (SPEC §7.1) and placement (SPEC §2.5)."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import EmailVerification, User, UserSecurity
from accounts.security.services import email_verify, login_attempt
from companies.membership.signup import signup
from companies.models import CompanyDomain
from companies.selectors import default_company
from rainbow_portal.exceptions import ApplicationError
from tests.factories import PASSWORD, CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db


def do_signup(client, email, password=PASSWORD, password2=None):
    return client.post(
        reverse("companies:signup"),
        {
            "email": email,
            "first_name": "Nora",
            "last_name": "North",
            "new_password1": password,
            "new_password2": password2 or password,
        },
    )


def link_from(smtp_server) -> str:
    return re.search(r"http\S+/accounts/verify/\S+/", smtp_server.text()).group(0)


def test_sign_up_creates_an_unusable_account_until_the_link_is_followed(
    client, smtp_server, django_capture_on_commit_callbacks, assert_activity
):
    with django_capture_on_commit_callbacks(execute=True):
        response = do_signup(client, "Nora@Example.test")
    assert response["Location"] == reverse("companies:signup-done")
    user = User.objects.get(email="nora@example.test")
    assert user.company == default_company()
    assert UserSecurity.objects.get(user=user).email_verified is False
    with pytest.raises(ApplicationError, match="Confirm your email"):
        login_attempt(email=user.email, password=PASSWORD)

    link = link_from(smtp_server)
    path = link.split("127.0.0.1:8000")[-1] if "127.0.0.1:8000" in link else link
    assert client.get(path).status_code == 200  # a form, nothing confirmed yet
    response = client.post(path, {"password": PASSWORD})
    assert response["Location"] == reverse("accounts:login")
    assert UserSecurity.objects.get(user=user).email_verified is True
    assert login_attempt(email=user.email, password=PASSWORD) == user
    assert_activity("user.email.verified", target=user)
    assert_activity("user.verification.sent", target=user)


def test_a_verification_link_works_once(smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        signup(email="once@example.test", password=PASSWORD)
    token = link_from(smtp_server).rstrip("/").rsplit("/", 1)[-1]
    email_verify(token=token, password=PASSWORD)
    with pytest.raises(ApplicationError, match="already used"):
        email_verify(token=token, password=PASSWORD)
    assert EmailVerification.objects.get().used_at is not None


def test_an_expired_or_unknown_link_is_refused_on_a_clear_page(
    client, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        user = signup(email="late@example.test", password=PASSWORD)
    token = link_from(smtp_server).rstrip("/").rsplit("/", 1)[-1]
    EmailVerification.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("accounts:verify-email", args=[token]))
    assert response.status_code == 400
    assert "expired" in response.content.decode()
    response = client.get(reverse("accounts:verify-email", args=["nonsense"]))
    assert "not valid" in response.content.decode()
    assert UserSecurity.objects.get(user=user).email_verified is False


def test_a_domain_owned_by_a_company_places_the_user_there():
    company = CompanyFactory()
    CompanyDomain.objects.create(company=company, domain="cobalt.test")
    user = signup(email="nina@Cobalt.test", password=PASSWORD)
    assert user.company == company


def test_an_existing_address_gets_the_same_answer_and_an_email_not_an_account(
    client, smtp_server, django_capture_on_commit_callbacks
):
    existing = UserFactory(email="taken@example.test")
    with django_capture_on_commit_callbacks(execute=True):
        taken = do_signup(client, "taken@example.test")
        fresh = do_signup(client, "fresh@example.test")
    assert taken["Location"] == fresh["Location"] == reverse("companies:signup-done")
    assert User.objects.filter(email="taken@example.test").count() == 1
    existing.refresh_from_db()
    assert existing.check_password(PASSWORD)
    assert "already has one" in smtp_server.text(0)


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("Ab1!xyz", "at least 8 characters (it has 7)"),
        ("Ab1!" + "x" * 61, "at most 64 characters (it has 65)"),
        ("abcdefg1!", "an upper-case letter"),
        ("ABCDEFG1!", "a lower-case letter"),
        ("Abcdefgh!", "a digit"),
        ("Abcdefgh1", "a special character"),
    ],
)
def test_a_bad_password_is_refused_on_the_form_and_nothing_is_created(client, password, expected):
    response = do_signup(client, "bad@example.test", password)
    assert response.status_code == 200
    assert expected in response.content.decode()
    assert not User.objects.filter(email="bad@example.test").exists()


def test_two_different_passwords_are_refused(client):
    response = do_signup(client, "two@example.test", PASSWORD, "Other-Pass-9!")
    assert "The two passwords are not the same." in response.content.decode()
    assert not User.objects.filter(email="two@example.test").exists()


def test_signing_up_again_before_confirming_sends_a_new_link(
    smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        signup(email="again@example.test", password=PASSWORD)
        assert signup(email="again@example.test", password=PASSWORD) is None
    # The older link is dropped: only the latest sign-up's link and password count.
    assert EmailVerification.objects.count() == 1
    assert "Confirm your email address" in smtp_server.parsed(-1)["Subject"]


def test_a_pending_invitation_places_the_user_and_is_claimed_only_once_verified(
    smtp_server, django_capture_on_commit_callbacks
):
    """SPEC §2.5 step 3: no link followed, no domain match, but a pending invitation for the
    address: the user lands in the inviting company, and the invitation (with its role) is
    claimed when the address is confirmed — never before."""
    from companies.membership.services import invitations_create
    from companies.models import CompanyInvitation, Role
    from companies.selectors import user_roles

    company = CompanyFactory()
    admin = UserFactory(company=company, roles=[Role.COMPANY_ADMIN])
    with django_capture_on_commit_callbacks(execute=True):
        (invitation,) = invitations_create(
            company=company, emails=["Invited@free.test"], actor=admin, role=Role.COMPANY_ADMIN
        )
        user = signup(email="invited@free.test", password=PASSWORD)
    assert user.company == company
    invitation.refresh_from_db()
    assert invitation.status == CompanyInvitation.Status.PENDING
    assert Role.COMPANY_ADMIN not in user_roles(user=user)

    email_verify(token=link_from(smtp_server).rstrip("/").rsplit("/", 1)[-1], password=PASSWORD)
    invitation.refresh_from_db()
    assert invitation.status == CompanyInvitation.Status.ACCEPTED
    user = User.objects.get(pk=user.pk)
    assert Role.COMPANY_ADMIN in user_roles(user=user)


def test_sign_up_costs_one_password_hash_whether_or_not_the_address_is_taken(monkeypatch):
    """An existing address must not answer faster than a new one (timing enumeration)."""
    from django.contrib.auth.hashers import MD5PasswordHasher

    calls = []
    original = MD5PasswordHasher.encode

    def counting(self, password, salt):
        calls.append(password)
        return original(self, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "encode", counting)
    counts = []
    UserFactory(email="verified@example.test")
    for email in ("new@example.test", "new@example.test", "verified@example.test"):
        calls.clear()
        signup(email=email, password=PASSWORD)
        counts.append(len(calls))
    # a new address, an unconfirmed one, a confirmed one
    assert counts == [1, 1, 1]


ATTACKER_PASSWORD = "Attacker-Pass-1!"


def token_of(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[-1]


def test_opening_the_link_changes_nothing_confirming_needs_the_sign_up_password(
    client, smtp_server, django_capture_on_commit_callbacks
):
    """A mail scanner that fetches the link must not confirm the account, and nobody but
    the person who chose the password can confirm it."""
    with django_capture_on_commit_callbacks(execute=True):
        user = signup(email="alice@example.test", password=PASSWORD)
    url = reverse("accounts:verify-email", args=[token_of(link_from(smtp_server))])
    page = client.get(url)
    assert page.status_code == 200
    assert "Enter the password you chose" in page.content.decode()
    assert UserSecurity.objects.get(user=user).email_verified is False

    wrong = client.post(url, {"password": "Not-The-One-1!"})
    assert wrong.status_code == 200
    assert "not the password chosen at sign-up" in wrong.content.decode()
    assert reverse("accounts:password-reset") in wrong.content.decode()
    assert UserSecurity.objects.get(user=user).email_verified is False
    assert EmailVerification.objects.get().used_at is None

    right = client.post(url, {"password": PASSWORD})
    assert right["Location"] == reverse("accounts:login")
    assert UserSecurity.objects.get(user=user).email_verified is True


def test_a_link_stops_working_after_five_wrong_passwords(
    client, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        user = signup(email="five@example.test", password=PASSWORD)
    url = reverse("accounts:verify-email", args=[token_of(link_from(smtp_server))])
    for _ in range(5):
        client.post(url, {"password": "Not-The-One-1!"})
    response = client.post(url, {"password": PASSWORD})
    assert "5 wrong passwords" in response.content.decode()
    assert UserSecurity.objects.get(user=user).email_verified is False


def test_pre_registration_cannot_hijack_an_invited_address(
    client, smtp_server, django_capture_on_commit_callbacks
):
    """An attacker signs up first with the invitee's address and their own password. The
    invitee's mailbox receives the link but cannot confirm without the attacker's password;
    a reset (which proves the mailbox) confirms the address, claims the invitation with its
    role, and the attacker's password is gone."""
    from companies.membership.services import invitations_create
    from companies.models import CompanyInvitation, Role
    from companies.selectors import user_roles

    company = CompanyFactory(name="NewCo")
    admin = UserFactory(company=company, roles=[Role.COMPANY_ADMIN])
    with django_capture_on_commit_callbacks(execute=True):
        (invitation,) = invitations_create(
            company=company, emails=["boss@newco.test"], actor=admin, role=Role.COMPANY_ADMIN
        )
    smtp_server.messages.clear()
    with django_capture_on_commit_callbacks(execute=True):
        do_signup(client, "boss@newco.test", ATTACKER_PASSWORD)
    url = reverse("accounts:verify-email", args=[token_of(link_from(smtp_server))])
    # the victim (or their mail scanner) opens the link, and cannot confirm
    client.get(url)
    client.post(url, {"password": PASSWORD})
    with pytest.raises(ApplicationError, match="Confirm your email"):
        login_attempt(email="boss@newco.test", password=ATTACKER_PASSWORD)
    invitation.refresh_from_db()
    assert invitation.status == CompanyInvitation.Status.PENDING

    # the victim resets the password instead: the code proves the mailbox
    from accounts.security.services import password_reset_confirm, password_reset_request

    smtp_server.messages.clear()
    with django_capture_on_commit_callbacks(execute=True):
        password_reset_request(email="boss@newco.test")
    code = re.search(r"code is: (\d{6})", smtp_server.text()).group(1)
    victim = password_reset_confirm(email="boss@newco.test", code=code, new_password=PASSWORD)
    invitation.refresh_from_db()
    assert invitation.status == CompanyInvitation.Status.ACCEPTED
    assert Role.COMPANY_ADMIN in user_roles(user=User.objects.get(pk=victim.pk))
    assert login_attempt(email="boss@newco.test", password=PASSWORD) == victim
    with pytest.raises(ApplicationError):
        login_attempt(email="boss@newco.test", password=ATTACKER_PASSWORD)
    # the pre-registered link is dead now
    assert not EmailVerification.objects.filter(user=victim, used_at__isnull=True).exists()


def test_signing_up_again_unconfirmed_replaces_the_password_and_older_links(
    smtp_server, django_capture_on_commit_callbacks
):
    """The attacker got there first; the owner signs up later with their own password: the
    attacker's password and link die, the owner's link confirms with the owner's password."""
    with django_capture_on_commit_callbacks(execute=True):
        first = signup(email="owner@example.test", password=ATTACKER_PASSWORD, first_name="Eve")
    old_token = token_of(link_from(smtp_server))
    smtp_server.messages.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert signup(email="owner@example.test", password=PASSWORD, first_name="Olga") is None
    new_token = token_of(link_from(smtp_server))
    first.refresh_from_db()
    assert first.check_password(PASSWORD) and not first.check_password(ATTACKER_PASSWORD)
    assert first.first_name == "Olga"
    assert EmailVerification.objects.filter(user=first).count() == 1
    with pytest.raises(ApplicationError, match="not valid"):
        email_verify(token=old_token, password=ATTACKER_PASSWORD)
    with pytest.raises(ApplicationError, match="not the password"):
        email_verify(token=new_token, password=ATTACKER_PASSWORD)
    assert email_verify(token=new_token, password=PASSWORD) == first


def test_an_invitee_whose_address_was_pre_registered_is_told_to_set_a_new_password(
    client, smtp_server, django_capture_on_commit_callbacks
):
    from companies.membership.services import invitations_create
    from companies.models import Role

    company = CompanyFactory(name="NewCo")
    admin = UserFactory(company=company, roles=[Role.COMPANY_ADMIN])
    with django_capture_on_commit_callbacks(execute=True):
        invitations_create(company=company, emails=["boss@newco.test"], actor=admin)
    token = re.search(r"/invitations/([^/\s]+)/", smtp_server.text()).group(1)
    signup(email="boss@newco.test", password=ATTACKER_PASSWORD)
    response = client.post(
        reverse("companies:invitation", args=[token]),
        {"first_name": "B", "last_name": "C", "password": PASSWORD, "password_again": PASSWORD},
    )
    assert "set a new one from the sign-in page first" in response.content.decode()
