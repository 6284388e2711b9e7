"""Time travel through `retention_run --now` (SPEC §8.2–8.5)."""

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from activity.models import ActivityRecord
from retention.models import AccountClosure, RetentionRun, Stage
from retention.services import account_close, account_restore, legal_hold_place, legal_hold_release
from tests.factories import UserFactory

from .conftest import days

pytestmark = pytest.mark.django_db


def _close_standalone(user):
    return account_close(user=user, actor=user, password="Correct-Horse-9!")


def test_t29_nothing_t30_exactly_due_t59_nothing_t60_deleted(
    standalone, member, company_admin, run
):
    c1 = _close_standalone(standalone)
    c2 = account_close(user=member, actor=company_admin)
    late = UserFactory(company=member.company)
    # Closed a day later: due a day later.
    c3 = account_close(user=late, actor=company_admin, now=c1.closed_at + days(1))
    t0 = c1.closed_at

    assert run(t0 + days(29)) == {"closed": 3, "anonymized": 0, "deleted": 0, "held": 0}
    assert AccountClosure.objects.filter(stage=Stage.ANONYMIZED).count() == 0

    assert run(c2.closed_at + days(30)) == {"closed": 1, "anonymized": 2, "deleted": 0, "held": 0}
    assert set(
        AccountClosure.objects.filter(stage=Stage.ANONYMIZED).values_list("pk", flat=True)
    ) == {c1.pk, c2.pk}
    assert AccountClosure.objects.get(pk=c3.pk).stage == Stage.CLOSED

    assert run(t0 + days(59))["deleted"] == 0
    assert User.objects.filter(pk=standalone.pk).exists()

    result = run(t0 + days(60) + days(0.5))
    assert result["deleted"] == 2
    # SPEC §8.4: the standalone user is gone; the company user keeps an anonymized stub.
    assert not User.objects.filter(pk=standalone.pk).exists()
    stub = User.objects.get(pk=member.pk)
    assert stub.first_name == "***" and stub.last_name == "" and "wilhelmina" not in stub.email
    assert not stub.is_active and not stub.has_usable_password()
    assert AccountClosure.objects.get(pk=c1.pk).stage == Stage.DELETED
    assert AccountClosure.objects.get(pk=c1.pk).user_id is None
    assert AccountClosure.objects.get(pk=c3.pk).stage == Stage.ANONYMIZED  # due a day later

    anonymized = ActivityRecord.objects.filter(event="account.anonymized")
    assert sorted(r.data["closure"] for r in anonymized) == sorted([c1.pk, c2.pk, c3.pk])
    deleted = ActivityRecord.objects.filter(event="account.deleted")
    assert sorted(r.data["closure"] for r in deleted) == sorted([c1.pk, c2.pk])
    # Files: SPEC §8.3 standalone deleted, company kept.
    files = {r.data["closure"]: r.data["files"] for r in anonymized}
    assert files[c1.pk] == "deleted" and files[c2.pk] == "kept"


def test_anonymized_account_shows_as_stars_to_others(member, company_admin, run):
    closure = account_close(user=member, actor=company_admin)
    member.refresh_from_db()
    assert str(member) == "Wilhelmina Brask"  # still visible, as before, until T+30
    run(closure.anonymize_due_at)
    member.refresh_from_db()
    assert str(member) == "***"
    assert member.title == ""


def test_restore_before_t30_cancels_the_pipeline(member, company_admin, run):
    closure = account_close(user=member, actor=company_admin)
    account_restore(user=member, actor=company_admin, now=closure.closed_at + days(10))
    member.refresh_from_db()
    assert member.is_active
    assert run(closure.closed_at + days(61)) == {
        "closed": 0,
        "anonymized": 0,
        "deleted": 0,
        "held": 0,
    }
    member.refresh_from_db()
    assert member.first_name == "Wilhelmina"
    assert AccountClosure.objects.get(pk=closure.pk).stage == Stage.RESTORED


def test_account_hold_blocks_every_step_until_released(member, company_admin, run):
    ops = UserFactory(is_superuser=True, is_staff=True)
    closure = account_close(user=member, actor=company_admin)
    hold = legal_hold_place(actor=ops, reason="Court order 12/2026", user=member)
    assert run(closure.closed_at + days(30)) == {
        "closed": 0,
        "anonymized": 0,
        "deleted": 0,
        "held": 1,
    }
    member.refresh_from_db()
    assert member.first_name == "Wilhelmina"
    legal_hold_release(hold=hold, actor=ops)
    assert run(closure.closed_at + days(31))["anonymized"] == 1
    assert ActivityRecord.objects.filter(event="account.hold.placed").count() == 1
    assert ActivityRecord.objects.filter(event="account.hold.released").count() == 1


def test_company_hold_blocks_its_members_only(member, company_admin, standalone, run):
    ops = UserFactory(is_superuser=True, is_staff=True)
    c1 = account_close(user=member, actor=company_admin)
    _close_standalone(standalone)
    legal_hold_place(actor=ops, reason="Audit", company=member.company)
    result = run(c1.closed_at + days(30.1))
    assert result == {"closed": 0, "anonymized": 1, "deleted": 0, "held": 1}
    assert AccountClosure.objects.get(pk=c1.pk).stage == Stage.CLOSED


def test_dry_run_counts_and_changes_nothing(member, company_admin, run):
    closure = account_close(user=member, actor=company_admin)
    before = ActivityRecord.objects.count()
    assert run(closure.closed_at + days(30), "--dry-run") == {
        "closed": 0,
        "anonymized": 1,
        "deleted": 0,
        "held": 0,
    }
    assert AccountClosure.objects.get(pk=closure.pk).stage == Stage.CLOSED
    assert RetentionRun.objects.count() == 0
    assert ActivityRecord.objects.count() == before


def test_a_second_run_at_the_same_moment_does_nothing_more(member, company_admin, run):
    closure = account_close(user=member, actor=company_admin)
    assert run(closure.anonymize_due_at)["anonymized"] == 1
    assert run(closure.anonymize_due_at)["anonymized"] == 0
    assert ActivityRecord.objects.filter(event="account.anonymized").count() == 1


@pytest.mark.parametrize("bad", ["yesterday", "2027-13-01T00:00:00Z", "2027-03-01T00:00:00", ""])
def test_now_in_a_bad_format_is_refused_and_changes_nothing(bad, member, company_admin):
    account_close(user=member, actor=company_admin)
    with pytest.raises(CommandError, match=r"--now|time zone|ISO"):
        call_command("retention_run", "--now", bad)
    assert RetentionRun.objects.count() == 0
    assert AccountClosure.objects.get().stage == Stage.CLOSED


def test_now_before_the_last_run_is_refused_and_changes_nothing(member, company_admin, run):
    closure = account_close(user=member, actor=company_admin)
    run(closure.closed_at + days(5))
    with pytest.raises(CommandError, match="before the last run"):
        call_command("retention_run", "--now", (closure.closed_at + days(4)).isoformat())
    with pytest.raises(CommandError, match="before the last run"):
        call_command(
            "retention_run", "--now", (closure.closed_at + days(4)).isoformat(), "--dry-run"
        )
    assert RetentionRun.objects.count() == 1
