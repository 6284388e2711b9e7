"""The pipeline and bubbles (SPEC §6.7, §8.3–8.4): leaving, hand-over or archive, files of
standalone users deleted and company users' kept, and nothing left at T+60."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from activity.models import ActivityRecord
from bubbles import selectors as bubble_selectors
from bubbles import services as bubbles
from bubbles.models import Bubble, BubbleFile, BubbleMember, BubbleStatus, MemberRole, Message
from retention.models import FileDeletion
from retention.services import account_close, outbox_drain, steps
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def join(bubble, user, by):
    bubbles.bubble_member_add(bubble=bubble, user=user, actor=by)
    bubbles.bubble_invitation_accept(bubble=bubble, actor=user)
    return BubbleMember.objects.get(bubble=bubble, user=user)


def upload(bubble, user, name, data):
    member = BubbleMember.objects.select_related("bubble", "user").get(bubble=bubble, user=user)
    return bubbles.bubble_file_upload(
        member=member, upload=SimpleUploadedFile(name, data, content_type="text/plain"), actor=user
    )


def blobs(root):
    return [p for p in root.rglob("*") if p.is_file()]


def test_the_bubble_hooks_are_wired():
    assert steps.BUBBLES_AVAILABLE


def test_company_user_leaves_bubbles_hands_over_or_archives_and_keeps_files(
    member, company_admin, company, run, clamd, vault_storage
):
    co = UserFactory(company=company)
    shared = bubbles.bubble_create(name="Launch", actor=member)
    co_member = join(shared, co, member)
    bubbles.bubble_co_organizer_promote(member=co_member, actor=member)
    solo = bubbles.bubble_create(name="Solo notes", actor=member)
    kept = upload(shared, member, "plan.txt", b"company plan")
    closure = account_close(user=member, actor=company_admin)
    # Until T+30 the account is still in its bubbles, marked closed elsewhere.
    assert BubbleMember.objects.get(bubble=shared, user=member).role == MemberRole.ORGANIZER
    run(closure.anonymize_due_at)
    assert BubbleMember.objects.get(bubble=shared, user=member).status == "left"
    assert BubbleMember.objects.get(bubble=shared, user=co).role == MemberRole.ORGANIZER
    assert Bubble.objects.get(pk=solo.pk).status == BubbleStatus.ARCHIVED
    assert BubbleFile.objects.get(pk=kept.pk).deleted_at is None  # the company's file stays
    assert len(blobs(vault_storage)) == 1
    run(closure.delete_due_at)
    assert User.objects.filter(pk=member.pk).exists()
    assert BubbleFile.objects.filter(pk=kept.pk, deleted_at__isnull=True).exists()


def test_standalone_files_are_deleted_at_t30_and_everything_goes_at_t60(
    standalone, run, clamd, vault_storage, django_capture_on_commit_callbacks
):
    friend = UserFactory(company=standalone.company)
    room = bubbles.bubble_create(name="Book club", actor=friend)
    join(room, standalone, friend)
    bubbles.message_post(
        member=BubbleMember.objects.get(bubble=room, user=standalone),
        body="hello",
        actor=standalone,
    )
    upload(room, standalone, "zebulon-notes.txt", b"my notes")
    theirs = upload(room, friend, "agenda.txt", b"agenda")
    assert len(blobs(vault_storage)) == 2
    closure = account_close(user=standalone, actor=standalone, password=PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        run(closure.anonymize_due_at)
    outbox_drain()
    assert len(blobs(vault_storage)) == 1  # only the friend's
    # The batch did what the bubbles service does: calling it now finds nothing left.
    anonymized = User.objects.get(pk=standalone.pk)
    assert bubbles.bubble_files_delete_for_user(user=anonymized) == 0
    assert bubbles.bubble_memberships_end_for_user(user=anonymized) == 0
    assert ActivityRecord.objects.filter(event="bubble.file.deleted").count() == 1
    assert ActivityRecord.objects.filter(event="bubble.member.left").count() == 1
    assert FileDeletion.objects.filter(reason="bubble_file", done_at__isnull=False).exists()
    run(closure.delete_due_at)
    assert not User.objects.filter(pk=standalone.pk).exists()
    assert not Message.objects.filter(author__user_id=standalone.pk).exists()
    assert not BubbleFile.objects.filter(display_name="zebulon-notes.txt").exists()
    assert BubbleFile.objects.filter(pk=theirs.pk, deleted_at__isnull=True).exists()
    assert Bubble.objects.get(pk=room.pk).status == BubbleStatus.ACTIVE


def test_the_export_holds_the_users_bubbles(
    member, settings, tmp_path, django_capture_on_commit_callbacks
):
    import io
    import json
    import zipfile

    from retention.models import DataExport
    from retention.selectors import data_export_chunks
    from retention.services.exports import data_export_request

    settings.MEDIA_ROOT = tmp_path
    room = bubbles.bubble_create(name="Roadmap", actor=member)
    bubbles.message_post(
        member=BubbleMember.objects.get(bubble=room, user=member), body="my words", actor=member
    )
    with django_capture_on_commit_callbacks(execute=True):
        data_export_request(user=member, actor=member)
    export = DataExport.objects.get()
    archive = zipfile.ZipFile(io.BytesIO(b"".join(data_export_chunks(export=export))))
    content = json.loads(archive.read("bubbles.json"))
    assert [b["name"] for b in content["bubbles"]] == ["Roadmap"]
    assert [m["body"] for m in content["messages"]] == ["my words"]
    assert content == json.loads(json.dumps(bubble_selectors.bubble_export_for_user(user=member)))


def test_guest_traces_of_the_old_address_are_rewritten_at_t30(
    member, company_admin, standalone, run
):
    """A guest membership and a guest invitation addressed to the closing user's address
    (in another case) forget it at T+30; a guest with another address keeps theirs."""
    from datetime import timedelta

    from django.utils import timezone

    from bubbles.models import GuestInvitation
    from retention.registry import anonymous_email

    room = bubbles.bubble_create(name="Guests", actor=member)
    guest = BubbleMember.objects.create(
        bubble=room, role=MemberRole.GUEST, guest_email=standalone.email.upper()
    )
    other = BubbleMember.objects.create(
        bubble=room, role=MemberRole.GUEST, guest_email="someone.else@example.test"
    )
    invitation = GuestInvitation.objects.create(
        bubble=room,
        member=guest,
        email=standalone.email,
        token_hash="0" * 64,
        expires_at=timezone.now() + timedelta(days=7),
    )
    closure = account_close(user=standalone, actor=standalone, password=PASSWORD)
    run(closure.anonymize_due_at)
    guest.refresh_from_db()
    invitation.refresh_from_db()
    other.refresh_from_db()
    assert guest.guest_email == anonymous_email(standalone.pk)
    assert invitation.email == anonymous_email(standalone.pk)
    assert other.guest_email == "someone.else@example.test"


def test_organizers_closed_in_one_batch_hand_over_or_archive_like_the_service(
    member, company_admin, company, run
):
    """Set-based organizer leaving (D12c.2): a bubble whose organizer and co-organizer both
    close in the same batch is archived (nobody active remains); one with two remaining
    co-organizers goes to the longest-standing; each change recorded once."""
    partner_in_crime = UserFactory(company=company)
    first_co, second_co = UserFactory(company=company), UserFactory(company=company)
    both = bubbles.bubble_create(name="Both leave", actor=member)
    bubbles.bubble_co_organizer_promote(member=join(both, partner_in_crime, member), actor=member)
    handed = bubbles.bubble_create(name="Handed over", actor=member)
    bubbles.bubble_co_organizer_promote(member=join(handed, first_co, member), actor=member)
    bubbles.bubble_co_organizer_promote(member=join(handed, second_co, member), actor=member)
    closures = [
        account_close(user=member, actor=company_admin),
        account_close(user=partner_in_crime, actor=company_admin),
    ]
    run(max(c.anonymize_due_at for c in closures))
    assert Bubble.objects.get(pk=both.pk).status == BubbleStatus.ARCHIVED
    assert Bubble.objects.get(pk=handed.pk).status == BubbleStatus.ACTIVE
    roles = dict(BubbleMember.objects.filter(bubble=handed).values_list("user_id", "role"))
    assert roles[first_co.pk] == MemberRole.ORGANIZER
    assert roles[second_co.pk] == MemberRole.CO_ORGANIZER
    assert not BubbleMember.objects.filter(
        user__in=[member, partner_in_crime], status__in=["invited", "accepted"]
    ).exists()
    events = ActivityRecord.objects.filter(data__bubble__in=[both.pk, handed.pk])
    assert events.filter(event="bubble.archived").count() == 1
    assert events.filter(event="bubble.ownership.transferred").count() == 1
    assert events.filter(event="bubble.member.left").count() == 3
    for user in (member, partner_in_crime):
        assert bubbles.bubble_memberships_end_for_user(user=User.objects.get(pk=user.pk)) == 0
