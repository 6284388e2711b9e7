"""T0 closure and restore (SPEC §8.1–8.2): who may, what happens at once, bad input."""

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.http import Http404
from django_otp.oath import TOTP

from accounts.models import PersonalToken, User, UserSession
from accounts.security.services import authenticator_device_create
from activity.models import ActivityRecord
from companies.models import Role
from companies.visibility.search import findable_ids
from core.models import OutboundEmail
from rainbow_portal.exceptions import ApplicationError
from retention.models import AccountClosure, RestoreToken, Stage
from retention.services import account_close, account_restore, account_restore_by_token, steps
from subscriptions.models import License, Offer
from subscriptions.services import license_assign, subscription_create
from tests.factories import PASSWORD, CompanyFactory, UserFactory, api_token

from .conftest import days

pytestmark = pytest.mark.django_db


def test_standalone_closes_own_account_and_everything_is_revoked_at_once(standalone, client):
    client.login(email=standalone.email, password=PASSWORD)
    assert Session.objects.count() == 1
    UserSession.objects.create(
        user=standalone,
        session_key=Session.objects.get().session_key,
        last_seen=standalone.date_joined,
    )
    api_token(standalone)
    closure = account_close(user=standalone, actor=standalone, password=PASSWORD)
    standalone.refresh_from_db()
    assert not standalone.is_active
    assert Session.objects.count() == 0 and UserSession.objects.count() == 0
    assert not PersonalToken.objects.filter(revoked_at__isnull=True).exists()
    assert PersonalToken.objects.get().revoked_reason == "account_closed"
    assert closure.standalone and closure.closed_by_kind == "self"
    assert closure.anonymize_due_at - closure.closed_at == days(30)
    record = ActivityRecord.objects.get(event="account.closed")
    assert record.data["browsers_signed_out"] == 1 and record.data["api_access_revoked"] == 1
    # The emailed restore link: only its hash is stored; it expires at T+30.
    mail = OutboundEmail.objects.get(to=standalone.email)
    token = mail.body_text.split("/account/restore/")[1].split("/")[0]
    stored = RestoreToken.objects.get()
    assert token not in stored.token_hash and stored.expires_at == closure.anonymize_due_at
    # Sign-in is refused.
    assert not client.login(email=standalone.email, password=PASSWORD)
    response = client.post("/accounts/login/", {"email": standalone.email, "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_closure_frees_licenses(company_admin, member):
    sub = subscription_create(
        company=member.company,
        offer=Offer.objects.get(code="business"),
        billing="monthly",
        seats=2,
        start_date=dt.date(2026, 1, 1),
        actor=None,
    )
    license_assign(subscription=sub, user=member, actor=None)
    account_close(user=member, actor=company_admin)
    assert License.objects.get(user=member).released_at is not None


def test_standalone_must_give_password_and_second_factor_where_enrolled(standalone):
    with pytest.raises(ApplicationError, match="password"):
        account_close(user=standalone, actor=standalone, password="wrong")
    device = authenticator_device_create(user=standalone, name="phone", confirmed=True)
    with pytest.raises(ApplicationError, match="authenticator"):
        account_close(user=standalone, actor=standalone, password=PASSWORD, otp="000000")
    assert not AccountClosure.objects.exists()
    code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    account_close(user=standalone, actor=standalone, password=PASSWORD, otp=f"{code:06d}")
    assert AccountClosure.objects.get().stage == Stage.CLOSED


def test_closing_an_already_closed_account_is_refused(member, company_admin):
    account_close(user=member, actor=company_admin)
    with pytest.raises(ApplicationError, match="already closed"):
        account_close(user=member, actor=company_admin)
    assert AccountClosure.objects.count() == 1
    assert ActivityRecord.objects.filter(event="account.closed").count() == 1


def test_a_company_user_cannot_close_themselves(member):
    with pytest.raises(PermissionDenied, match="only its administrator"):
        account_close(user=member, actor=member, password=PASSWORD)
    member.refresh_from_db()
    assert member.is_active and not AccountClosure.objects.exists()


def test_admin_of_another_company_gets_404(member):
    other_admin = UserFactory(company=CompanyFactory(), roles=[Role.COMPANY_ADMIN])
    with pytest.raises(Http404):
        account_close(user=member, actor=other_admin)
    assert not AccountClosure.objects.exists()


def test_plain_member_of_the_same_company_cannot_close_a_colleague(member, company):
    colleague = UserFactory(company=company)
    with pytest.raises(PermissionDenied):
        account_close(user=member, actor=colleague)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [(Role.BP_OPERATION, True), (Role.BP_FINANCE, True), (Role.BP_ADMIN, False)],
)
def test_partner_closes_by_delegation_only_with_the_manage_company_right(member, role, allowed):
    partner_user = UserFactory(company=member.company.business_partner, roles=[role])
    if allowed:
        assert account_close(user=member, actor=partner_user).closed_by_kind == "partner"
    else:
        with pytest.raises(PermissionDenied, match="partner role"):
            account_close(user=member, actor=partner_user)
        assert not AccountClosure.objects.exists()


def test_nobody_but_the_user_or_a_superadmin_closes_a_standalone_account(standalone):
    other = UserFactory(company=standalone.company, roles=[Role.COMPANY_ADMIN])
    with pytest.raises(Http404):
        account_close(user=standalone, actor=other)
    superadmin = UserFactory(is_superuser=True, is_staff=True)
    assert account_close(user=standalone, actor=superadmin).closed_by_kind == "superadmin"


def test_restore_by_link_is_single_use_and_restores(standalone):
    account_close(user=standalone, actor=standalone, password=PASSWORD)
    token = OutboundEmail.objects.get(to=standalone.email).body_text.split("/account/restore/")[1]
    token = token.split("/")[0]
    account_restore_by_token(token=token)
    standalone.refresh_from_db()
    assert standalone.is_active
    with pytest.raises(ApplicationError, match="not valid"):
        account_restore_by_token(token=token)
    assert ActivityRecord.objects.filter(event="account.restore_link.refused").count() == 1


def test_restoring_after_t30_is_refused_and_changes_nothing(standalone, member, company_admin):
    account_close(user=standalone, actor=standalone, password=PASSWORD)
    token = OutboundEmail.objects.get(to=standalone.email).body_text.split("/account/restore/")[1]
    token = token.split("/")[0]
    closure = AccountClosure.objects.get(user=standalone)
    with pytest.raises(ApplicationError, match="not valid"):
        account_restore_by_token(token=token, now=closure.anonymize_due_at + days(0.01))
    mclosure = account_close(user=member, actor=company_admin)
    with pytest.raises(ApplicationError, match="no longer be restored"):
        account_restore(user=member, actor=company_admin, now=mclosure.anonymize_due_at)
    assert AccountClosure.objects.filter(stage=Stage.CLOSED).count() == 2
    assert not User.objects.get(pk=member.pk).is_active


def test_restoring_an_open_account_is_refused(member, company_admin):
    with pytest.raises(ApplicationError, match="not closed"):
        account_restore(user=member, actor=company_admin)


def test_a_restored_account_can_be_closed_again(member, company_admin):
    account_close(user=member, actor=company_admin)
    account_restore(user=member, actor=company_admin)
    account_close(user=member, actor=company_admin)
    assert AccountClosure.objects.filter(stage=Stage.CLOSED).count() == 1
    assert AccountClosure.objects.filter(stage=Stage.RESTORED).count() == 1


def test_account_close_command_follows_the_page_rules(member, company_admin):
    other_admin = UserFactory(company=CompanyFactory(), roles=[Role.COMPANY_ADMIN])
    with pytest.raises(CommandError, match="no access"):
        call_command("account_close", member.email, "--actor", other_admin.email)
    with pytest.raises(CommandError, match="only its administrator"):
        call_command("account_close", member.email, "--actor", member.email)
    call_command("account_close", member.email, "--actor", company_admin.email)
    with pytest.raises(CommandError, match="already closed"):
        call_command("account_close", member.email, "--actor", company_admin.email)
    with pytest.raises(CommandError, match="No account"):
        call_command("account_close", "nobody@x.test", "--actor", company_admin.email)
    assert AccountClosure.objects.count() == 1


def test_the_closed_account_stays_findable_in_the_directory(member, company_admin, company):
    """SPEC §4.8: closed accounts stay findable by those who could find them, until T+30."""
    viewer = UserFactory(company=company)
    account_close(user=member, actor=company_admin)
    assert member.pk in {pk for pk, _ in findable_ids(User.objects.get(pk=viewer.pk))}


def test_closure_revokes_personal_tokens_once(member, company_admin):
    api_token(member)
    assert steps.tokens_revoke_for_user(user=member, actor=company_admin) == 1
    assert steps.tokens_revoke_for_user(user=member, actor=company_admin) == 0
    assert not PersonalToken.objects.filter(user=member, revoked_at__isnull=True).exists()


def test_the_directory_marks_a_closed_account(client, member, company_admin, company):
    viewer = UserFactory(company=company)
    account_close(user=member, actor=company_admin)
    client.force_login(viewer)
    page = client.get("/companies/directory/", {"q": "Brask"})
    assert b"Wilhelmina Brask" in page.content and b"(account closed)" in page.content
