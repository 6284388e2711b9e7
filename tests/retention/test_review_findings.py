"""The retention review's findings: anonymization blocked by one address, the beat run's
tail, the admin log's labels, join requests of a closed account, findability after T+30, the
12-month purge. Each test failed on the code before its fix."""

import datetime as dt
from datetime import UTC

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from activity.models import ActivityRecord
from activity.services import activity_record
from companies.membership import services as membership
from companies.models import Role, RoleAssignment
from companies.models.membership import JoinRequest
from companies.selectors import default_company
from companies.visibility import rules
from companies.visibility.network_services import invitation_send_in_app
from companies.visibility.search import findable_ids
from rainbow_portal.emails import validate_email_address
from rainbow_portal.exceptions import ApplicationError
from retention.models import AccountClosure, DataExport, RetentionRun, Stage
from retention.registry import anonymous_email
from retention.services import account_close, account_restore
from retention.services.activity_ops import activity_purge
from tests.factories import PASSWORD, UserFactory, login_with_second_factor

from .conftest import days

pytestmark = pytest.mark.django_db


# --- Finding 1: a reserved address cannot block anonymization --------------------------------


@pytest.mark.parametrize(
    "address",
    ["closed-42@anonymized.invalid", "someone@example.INVALID", "x@Sub.Anonymized.Invalid"],
)
def test_addresses_under_the_reserved_invalid_domain_are_refused(address):
    with pytest.raises(ValidationError) as refused:
        validate_email_address(address)
    assert refused.value.error_list[0].code == "reserved_domain"
    validate_email_address("someone@invalid.example.test")  # only the top-level domain counts


def test_sign_up_and_admin_edit_refuse_a_reserved_address(member):
    from accounts import services as account_services
    from companies.membership.signup import signup

    with pytest.raises(ApplicationError, match=r"\.invalid"):
        signup(email=anonymous_email(member.pk), password=PASSWORD)
    assert not User.objects.filter(email=anonymous_email(member.pk)).exists()
    root = UserFactory(is_staff=True, is_superuser=True)
    with pytest.raises(ApplicationError, match=r"\.invalid"):
        account_services.user_admin_update(user=member, actor=root, email="x@y.invalid")


def test_a_row_already_holding_the_anonymous_address_does_not_block_the_batch(
    member, company_admin, company, run
):
    other = UserFactory(company=company)
    c1 = account_close(user=member, actor=company_admin)
    account_close(user=other, actor=company_admin)
    # Written around the services (a sign-up before the domain was refused).
    squatter = User.objects.create(email=anonymous_email(member.pk), company=company)
    assert run(c1.anonymize_due_at + days(1))["anonymized"] == 2
    assert AccountClosure.objects.filter(stage=Stage.ANONYMIZED).count() == 2
    member.refresh_from_db()
    squatter.refresh_from_db()
    assert squatter.email == anonymous_email(member.pk)
    assert member.email != squatter.email and member.email.endswith("@anonymized.invalid")
    assert f"closed-{member.pk}-" in member.email and "wilhelmina" not in member.email
    other.refresh_from_db()
    assert other.email == anonymous_email(other.pk)


def test_batch_members_swapping_targets_are_anonymized_in_one_statement(
    company_admin, company, run
):
    first, second = UserFactory(company=company), UserFactory(company=company)
    # `first` holds `second`'s future address: whatever the row order, no unique clash.
    User.objects.filter(pk=first.pk).update(email=anonymous_email(second.pk))
    c = account_close(user=first, actor=company_admin)
    account_close(user=second, actor=company_admin)
    assert run(c.anonymize_due_at + days(1))["anonymized"] == 2
    emails = set(User.objects.filter(pk__in=[first.pk, second.pk]).values_list("email", flat=True))
    assert len(emails) == 2 and all(e.endswith("@anonymized.invalid") for e in emails)


# --- Finding 3: the beat run does what the command does --------------------------------------


def test_the_beat_run_expires_exports_and_writes_its_finished_record(member, company_admin):
    from retention.tasks import retention_daily

    closure = account_close(user=member, actor=company_admin)
    moment = closure.anonymize_due_at + days(1)
    owner = UserFactory()
    export = DataExport.objects.create(
        user=owner,
        status=DataExport.Status.READY,
        storage_name="exports/old.zip",
        token_hash="a" * 64,
        created_at=moment - days(5),
        ready_at=moment - days(5),
        expires_at=moment - days(1),
    )
    result = retention_daily.apply(args=[moment.isoformat()]).get()
    export.refresh_from_db()
    assert export.status == DataExport.Status.EXPIRED and export.storage_name == ""
    run = RetentionRun.objects.get(pk=result["run"])
    assert run.finished_at is not None and run.anonymized == 1
    finished = ActivityRecord.objects.filter(event="retention.run.finished")
    assert [r.data["run"] for r in finished] == [run.pk]
    assert finished.get().data["anonymized"] == 1


def test_a_redelivered_step_task_does_not_finish_the_run_twice(member, company_admin):
    from retention.services.pipeline import run_start, run_worker_done

    closure = account_close(user=member, actor=company_admin)
    run = run_start(now=closure.anonymize_due_at, trigger="beat", strict=False, workers=2)
    assert run_worker_done(run_id=run.pk, worker="task-1") is None
    assert run_worker_done(run_id=run.pk, worker="task-1") is None  # redelivered: same id
    assert run_worker_done(run_id=run.pk, worker="task-2") is not None
    assert run_worker_done(run_id=run.pk, worker="task-2") is None
    assert ActivityRecord.objects.filter(event="retention.run.finished").count() == 1


def test_a_dispatch_cut_short_by_the_broker_still_completes_the_run(
    member, company_admin, monkeypatch
):
    """The broker fails after two step tasks left: the day's lock stops a retry from sending
    the rest, so the run must wait for those two only, not for good."""
    from kombu.exceptions import OperationalError

    from retention import tasks

    closure = account_close(user=member, actor=company_admin)
    moment = closure.anonymize_due_at + days(1)
    sent, real = [], tasks.retention_step.delay

    def delay(*args):
        if len(sent) == 2:
            raise OperationalError("broker gone")
        sent.append(args)
        return real(*args)  # eager in the tests: runs here, and ends before the cut

    monkeypatch.setattr(tasks.retention_step, "delay", delay)
    with pytest.raises(OperationalError):
        tasks.retention_daily.apply(args=[moment.isoformat()], throw=True)
    run = RetentionRun.objects.get()
    assert run.workers == 2 and len(run.workers_done) == 2
    assert run.finished_at is not None
    assert any(e.startswith("dispatch:") for e in run.errors)
    assert ActivityRecord.objects.filter(event="retention.run.finished").count() == 1


# --- Finding 4: the admin log's labels of role assignments ----------------------------------


def test_role_assignment_admin_labels_are_scrubbed_and_new_ones_carry_no_name(
    client, member, company_admin, run
):
    root = UserFactory(is_staff=True, is_superuser=True, email="root@portal.test")
    login_with_second_factor(client, root)
    # An entry written before the fix, with the name in the label, about a role removed
    # since (its row is gone: only the label can find it).
    legacy = RoleAssignment.objects.create(user=member, role=Role.COMPANY_ADMIN)
    LogEntry.objects.log_actions(
        user_id=root.pk, queryset=[legacy], action_flag=ADDITION, single_object=True
    )
    assert LogEntry.objects.filter(object_repr__contains="Wilhelmina").exists()
    legacy.delete()
    # Through the admin now: the label names the user by id only.
    response = client.post(
        reverse("admin:companies_roleassignment_add"),
        {"user": member.pk, "role": Role.COMPANY_ADMIN},
    )
    assert response.status_code == 302, response.content
    added = LogEntry.objects.order_by("-pk").first()
    assert "Wilhelmina" not in added.object_repr and str(member.pk) in added.object_repr
    closure = account_close(user=member, actor=company_admin)
    run(closure.anonymize_due_at + days(1))
    reprs = list(LogEntry.objects.values_list("object_repr", flat=True))
    assert reprs and not [r for r in reprs if "Wilhelmina" in r or "Brask" in r]


def test_role_assignment_admin_entries_of_a_standalone_user_go_at_t60(standalone, run):
    root = UserFactory(is_staff=True, is_superuser=True)
    assignment = RoleAssignment.objects.create(user=standalone, role=Role.COMPANY_ADMIN)
    LogEntry.objects.log_actions(
        user_id=root.pk, queryset=[assignment], action_flag=ADDITION, single_object=True
    )
    closure = account_close(user=standalone, actor=standalone, password=PASSWORD)
    run(closure.anonymize_due_at + days(1))
    assert LogEntry.objects.get().object_repr.startswith("***")
    run(closure.delete_due_at + days(1))
    assert not LogEntry.objects.exists()


# --- Finding 6: join requests of a closed account -------------------------------------------


def test_closing_cancels_pending_join_requests_and_restore_does_not_revive_them(company):
    person = UserFactory(company=default_company())
    join_request = membership.join_request_create(user=person, company=company)
    account_close(user=person, actor=person, password=PASSWORD)
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.CANCELED
    record = ActivityRecord.objects.get(event="join_request.canceled")
    assert record.data == {"reason": "account_closed"}
    superadmin = UserFactory(is_staff=True, is_superuser=True)
    account_restore(user=person, actor=superadmin)
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.CANCELED


def test_accepting_the_request_of_a_closed_account_is_refused(company, company_admin):
    person = UserFactory(company=default_company())
    join_request = membership.join_request_create(user=person, company=company)
    User.objects.filter(pk=person.pk).update(is_active=False)  # closed around the services
    with pytest.raises(ApplicationError, match="closed"):
        membership.join_request_decide(join_request=join_request, accept=True, actor=company_admin)
    person.refresh_from_db()
    assert person.company.is_default
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.PENDING


# --- Finding 7: anonymized accounts are no longer findable -----------------------------------


def test_an_anonymized_account_is_found_by_nobody_and_cannot_be_invited(
    member, company_admin, company, run
):
    viewer = UserFactory(company=company)
    closure = account_close(user=member, actor=company_admin)
    member.refresh_from_db()
    with pytest.raises(ApplicationError, match="closed"):
        invitation_send_in_app(inviter=viewer, invitee=member, actor=viewer)
    run(closure.anonymize_due_at + days(1))
    viewer = User.objects.get(pk=viewer.pk)
    member = User.objects.get(pk=member.pk)
    assert member.pk not in {pk for pk, _ in findable_ids(viewer)}
    # Both faces of the rules agree (ARCHITECTURE.md, Visibility).
    assert not rules.can_find(rules.person(viewer), rules.person(member), rules.DbWorld())
    with pytest.raises(ApplicationError, match="No such person"):
        invitation_send_in_app(inviter=viewer, invitee=member, actor=viewer)


# --- Finding 8: the activity log is kept twelve calendar months ------------------------------


@pytest.mark.parametrize(
    ("now", "cutoff"),
    [
        (dt.datetime(2028, 3, 1, tzinfo=UTC), dt.datetime(2027, 3, 1, tzinfo=UTC)),
        (dt.datetime(2028, 2, 29, 13, 5, tzinfo=UTC), dt.datetime(2027, 2, 28, 13, 5, tzinfo=UTC)),
        (dt.datetime(2027, 3, 1, tzinfo=UTC), dt.datetime(2026, 3, 1, tzinfo=UTC)),
        (dt.datetime(2029, 2, 28, tzinfo=UTC), dt.datetime(2028, 2, 28, tzinfo=UTC)),
    ],
)
def test_the_purge_cutoff_is_twelve_calendar_months(now, cutoff):
    from retention.services.activity_ops import activity_retention_cutoff

    assert activity_retention_cutoff(now) == cutoff


def test_the_purge_across_a_leap_day_keeps_exactly_twelve_months(member):
    now = dt.datetime(2028, 3, 1, tzinfo=UTC)
    kept = [dt.datetime(2027, 3, 1, tzinfo=UTC), dt.datetime(2027, 3, 1, 0, 1, tzinfo=UTC)]
    gone = [dt.datetime(2027, 2, 28, 23, 59, tzinfo=UTC)]
    for moment in kept + gone:
        activity_record(event="request", actor=member, occurred_at=moment)
    assert activity_purge(now=now) == 1
    assert sorted(
        ActivityRecord.objects.filter(event="request").values_list("occurred_at", flat=True)
    ) == [timezone.localtime(m, UTC) for m in kept]


# --- Review of the fixes: a sealed conversation export is scrubbed too -----------------------


def test_a_sealed_conversation_export_loses_an_anonymized_authors_name(
    member, company_admin, company, run
):
    from django.utils.html import escape

    from core.mail_bodies import bodies_open, bodies_seal
    from core.models import OutboundEmail

    reader = UserFactory(company=company)
    name, address = member.get_full_name(), member.email
    assert len(name) >= 3
    email = OutboundEmail.objects.create(
        template="bubble_conversation",
        to=reader.email,
        subject="A conversation",
        status=OutboundEmail.Status.FAILED,  # refused for good: kept, sealed (D17b.2)
    )
    email.body_sealed = bodies_seal(
        email_id=email.pk,
        text=f"{name} <{address}>: the merger is on",
        html=f"<p>{escape(name)} &lt;{address}&gt;: the merger is on</p>",
    )
    email.save(update_fields=["body_sealed"])
    closure = account_close(user=member, actor=company_admin)
    assert run(closure.anonymize_due_at + days(1))["anonymized"] == 1
    email.refresh_from_db()
    text, html = bodies_open(email)
    for body in (text, html):
        assert name not in body and escape(name) not in body and address not in body
        assert "the merger is on" in body  # the reader's copy keeps the rest
