"""The pipeline's calls into the other apps, in one module: each step names the app's service
it stands for, so that a switch (personal API tokens, bubbles) is a change here only.

Bubbles (SPEC §6.7, §8.3) are built on another branch: until `bubbles.services` publishes
`bubble_memberships_end_for_user`, `bubble_files_delete_for_user` and
`bubbles.selectors.bubble_export_for_user`, the three hooks below report themselves absent
(`BUBBLES_AVAILABLE` is False, `bubbles_*` return None) and tests assert exactly that.
"""

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db.models import Q
from django.db.models.functions import Lower
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import (
    Contact,
    EmailVerification,
    Invitation,
    PasswordResetCode,
    PersonalToken,
    RecoveryCode,
    User,
    UserSecurity,
    UserSession,
)
from accounts.security.services import tokens as personal_tokens
from activity.services import activity_record_build
from bubbles.models import (
    Bubble,
    BubbleFile,
    BubbleMember,
    BubbleStatus,
    Conference,
    ConferenceState,
    GuestInvitation,
    MemberRole,
    MemberStatus,
    Message,
)
from companies.membership.services import join_requests_cancel_for_user
from companies.models import CompanyInvitation, RoleAssignment
from sso.models import ConnectionTest
from subscriptions.models import Extension, License
from subscriptions.services import licenses_release_for_user

from .outbox import files_enqueue
from .sets import among

try:  # the bubbles app publishes these when issue 11 lands (see the module docstring)
    from bubbles.selectors import bubble_export_for_user
    from bubbles.services import bubble_files_delete_for_user, bubble_memberships_end_for_user

    BUBBLES_AVAILABLE = True
except ModuleNotFoundError as exc:
    # Only "the module does not exist yet" means absent; a broken bubbles module still fails.
    if exc.name not in {"bubbles.selectors", "bubbles.services"}:
        raise
    bubble_export_for_user = bubble_files_delete_for_user = bubble_memberships_end_for_user = None
    BUBBLES_AVAILABLE = False


# --- T0 ----------------------------------------------------------------------------------


def sessions_revoke(*, user_ids: list[int]) -> int:
    """End every browser session (SPEC §8.2). The session rows are deleted with their keys,
    so a copied cookie is worthless at once."""
    keys = list(
        UserSession.objects.filter(among("user_id", user_ids)).values_list("session_key", flat=True)
    )
    Session.objects.filter(among("session_key", keys)).delete()
    UserSession.objects.filter(among("user_id", user_ids)).delete()
    return len(keys)


def tokens_revoke_for_user(*, user, actor) -> int:
    """Revoke every personal API token of the user (SPEC §7.8, §8.2): one record each."""
    return personal_tokens.tokens_revoke_for_user(user=user, actor=actor, reason="account_closed")


def licenses_release(*, user, actor) -> int:
    return licenses_release_for_user(user=user, actor=actor, reason="account_closed")


def join_requests_cancel(*, user, actor) -> int:
    return join_requests_cancel_for_user(user=user, actor=actor, reason="account_closed")


# --- T+30 --------------------------------------------------------------------------------


def bubbles_leave_as_member(*, users: dict[int, object], now) -> list:
    """The set-based half of leaving (SPEC §8.3): memberships held as a plain member end in
    one UPDATE for the whole batch, with the same record the bubbles service writes
    (`bubble.member.left`). Memberships as organizer or co-organizer, which may hand a
    bubble over or archive it (SPEC §6.7), are left to `bubbles_leave_as_organizer`.

    Mirrors `bubbles.services.bubble_memberships_end_for_user` for plain members (follow-up:
    a bulk service in the bubbles app); the bench showed the per-membership path costs about
    twenty queries each."""
    rows = list(
        BubbleMember.objects.filter(
            among("user_id", users),
            role=MemberRole.MEMBER,
            status__in=[MemberStatus.INVITED, MemberStatus.ACCEPTED],
        ).values_list("pk", "bubble_id", "bubble__company_id", "user_id")
    )
    BubbleMember.objects.filter(among("pk", [r[0] for r in rows])).update(
        status=MemberStatus.LEFT, updated_at=now
    )
    return [
        activity_record_build(
            event="bubble.member.left",
            company=company_id,
            target=users[user_id],
            data={"bubble": bubble_id},
            occurred_at=now,
        )
        for _, bubble_id, company_id, user_id in rows
    ]


def bubbles_leave_as_organizer(*, users: dict[int, object], now) -> tuple[dict[int, int], list]:
    """The other half of leaving (SPEC §8.3, §6.7), set-based for the batch, after the plain
    memberships: memberships as organizer or co-organizer end; a bubble whose organizer
    left goes to its longest-standing remaining organizer or co-organizer (an active
    account, accepted; an organizer first); a bubble left by an organizer or co-organizer
    with nobody of them remaining is archived (its guests' links revoked, a running
    conference ended). The bubbles are locked first, in id order.

    Mirrors `bubbles.services.bubble_memberships_end_for_user` (same states, same records:
    `bubble.member.left`, `bubble.ownership.transferred`, `bubble.archived`); calling it
    afterwards finds nothing left. Follow-up: a bulk service in the bubbles app (D12c.2)."""
    rows = list(
        BubbleMember.objects.filter(
            among("user_id", users), status__in=[MemberStatus.INVITED, MemberStatus.ACCEPTED]
        ).values_list("pk", "bubble_id", "role", "user_id")
    )
    if not rows:
        return {}, []
    bubble_ids = sorted({r[1] for r in rows})
    bubbles = {
        b.pk: b
        for b in Bubble.objects.select_for_update(of=("self",))
        .filter(among("pk", bubble_ids))
        .order_by("pk")
        .only("id", "company_id", "status")
    }
    BubbleMember.objects.filter(among("pk", [r[0] for r in rows])).update(
        role=MemberRole.MEMBER, status=MemberStatus.LEFT, updated_at=now
    )
    counts: dict[int, int] = {}
    records = []
    for _, bubble_id, _role, user_id in rows:
        counts[user_id] = counts.get(user_id, 0) + 1
        bubble = bubbles[bubble_id]
        records.append(_bubble_record("bubble.member.left", bubble, users[user_id], now))
    active = {pk for pk, b in bubbles.items() if b.status == BubbleStatus.ACTIVE}
    organizing = {b for _, b, role, _ in rows if b in active and role in ORGANIZING}
    organized = {b for _, b, role, _ in rows if b in active and role == MemberRole.ORGANIZER}
    heirs: dict[int, BubbleMember] = {}
    for heir in (
        BubbleMember.objects.select_for_update(of=("self",))
        .filter(
            among("bubble_id", organizing),
            role__in=ORGANIZING,
            status=MemberStatus.ACCEPTED,
            user__is_active=True,
        )
        .order_by("bubble_id", "created_at", "id")
        .only("id", "bubble_id", "role", "user_id")
    ):
        # The longest-standing one, unless a (remaining) organizer comes later: that one.
        first = heirs.get(heir.bubble_id)
        organizer_later = (
            first is not None
            and heir.role == MemberRole.ORGANIZER
            and first.role != MemberRole.ORGANIZER
        )
        if first is None or organizer_later:
            heirs[heir.bubble_id] = heir
    promoted = [heirs[b] for b in sorted(organized) if b in heirs]
    BubbleMember.objects.filter(among("pk", [h.pk for h in promoted])).update(
        role=MemberRole.ORGANIZER, updated_at=now
    )
    for heir in promoted:
        records.append(
            _bubble_record(
                "bubble.ownership.transferred", bubbles[heir.bubble_id], User(pk=heir.user_id), now
            )
        )
    archived = sorted(organizing - set(heirs))
    if archived:
        Bubble.objects.filter(among("pk", archived)).update(
            status=BubbleStatus.ARCHIVED, archived_at=now
        )
        GuestInvitation.objects.filter(
            among("bubble_id", archived), revoked_at__isnull=True
        ).update(revoked_at=now)
        Conference.objects.filter(
            among("bubble_id", archived), state=ConferenceState.STARTED
        ).update(state=ConferenceState.ENDED, ended_at=now)
        records += [
            _bubble_record("bubble.archived", bubbles[b], bubbles[b], now) for b in archived
        ]
    return counts, records


ORGANIZING = (MemberRole.ORGANIZER, MemberRole.CO_ORGANIZER)


def _bubble_record(event, bubble, target, now):
    """The record `bubbles.services.common.record` writes (the system acting: no actor)."""
    return activity_record_build(
        event=event,
        company=bubble.company_id,
        target=target,
        data={"bubble": bubble.pk},
        occurred_at=now,
    )


def bubbles_files_delete_bulk(*, user_ids: list[int], now) -> tuple[dict[int, int], list]:
    """SPEC §8.3 for a batch of standalone users: their live files are marked deleted in
    one statement, with the record `bubble_file_discard` writes (`bubble.file.deleted`), and
    their blobs go into the retention outbox (deleted after the commit, retried until gone).
    Mirrors `bubbles.services.bubble_files_delete_for_user`, whose per-file path costs about
    thirty queries a user (bench/retention.py); calling it afterwards finds nothing left."""
    rows = list(
        BubbleFile.objects.select_for_update(of=("self",))
        .filter(among("uploader__user_id", user_ids), deleted_at__isnull=True)
        .values_list("pk", "bubble_id", "bubble__company_id", "storage_name", "uploader__user_id")
    )
    if not rows:
        return {}, []
    BubbleFile.objects.filter(among("pk", [r[0] for r in rows])).update(deleted_at=now)
    files_enqueue(
        names=[r[3] for r in rows],
        reason="bubble_file",
        now=now,
        storage_alias=settings.VAULT_STORAGE,
    )
    counts: dict[int, int] = {}
    records = []
    for pk, bubble_id, company_id, _name, user_id in rows:
        counts[user_id] = counts.get(user_id, 0) + 1
        records.append(
            activity_record_build(
                event="bubble.file.deleted",
                company=company_id,
                target=BubbleFile(pk=pk),
                data={"bubble": bubble_id},
                occurred_at=now,
            )
        )
    return counts, records


def bubbles_leave(*, user, actor=None):
    """SPEC §8.3, §6.7: leave every bubble; owned bubbles handed over or archived."""
    if bubble_memberships_end_for_user is None:
        return None
    return bubble_memberships_end_for_user(user=user, actor=actor)


def bubbles_files_delete(*, user, actor=None):
    """SPEC §8.3: a standalone user's files are deleted (company users' are kept). The
    bubbles service removes each blob after the commit; the same blobs also go into the
    retention outbox, which retries until they are gone (deleting twice is harmless)."""
    if bubble_files_delete_for_user is None:
        return None
    count = bubble_files_delete_for_user(user=user, actor=actor)
    names = BubbleFile.objects.filter(uploader__user=user).values_list("storage_name", flat=True)
    files_enqueue(names=list(names), reason="bubble_file", storage_alias=settings.VAULT_STORAGE)
    return count


def bubbles_guest_traces_scrub(*, emails: list[str], anonymous: dict[str, str]) -> None:
    """A guest invitation or guest membership addressed to the old address forgets it. One
    read per table for the batch (addresses are compared lower-case); rare matches updated."""
    wanted = {e.lower(): anonymous[e] for e in emails}
    # Only guest rows carry a guest address (the one writer, bubbles.services.guests, and the
    # check constraint "a guest is an address, never an account"): `user IS NULL` goes
    # through the user_id index instead of reading every membership per batch.
    for model, column, scope in (
        (BubbleMember, "guest_email", Q(user__isnull=True)),
        (GuestInvitation, "email", Q()),
    ):
        matches = (
            model.objects.filter(scope)
            .annotate(address=Lower(column))
            .filter(among("address", wanted))
            .values_list("pk", "address")
        )
        for pk, address in list(matches):
            model.objects.filter(pk=pk).update(**{column: wanted[address]})


def bubbles_content_delete(*, user_ids: list[int]) -> None:
    """T+60, standalone users (SPEC §8.4: every remaining personal record): their messages
    and file rows (blobs already gone at T+30, queued again for the outbox), then their
    memberships go with the user row. Company users keep theirs: they belong to the company.

    Written here because the bubbles app publishes no bulk service for it (follow-up)."""
    files = BubbleFile.objects.filter(among("uploader__user_id", user_ids))
    files_enqueue(
        names=list(files.values_list("storage_name", flat=True)),
        reason="bubble_file",
        storage_alias=settings.VAULT_STORAGE,
    )
    files.delete()
    Message.objects.filter(among("author__user_id", user_ids)).delete()


def bubbles_export(*, user):
    if bubble_export_for_user is None:
        return None
    return bubble_export_for_user(user=user)


def credentials_delete(*, user_ids: list[int]) -> None:
    """Everything that lets someone act as the user, or that names the user's devices."""
    sessions_revoke(user_ids=user_ids)
    PersonalToken.objects.filter(among("user_id", user_ids)).delete()
    ConnectionTest.objects.filter(among("actor_id", user_ids)).delete()
    TOTPDevice.objects.filter(among("user_id", user_ids)).delete()
    RecoveryCode.objects.filter(among("user_id", user_ids)).delete()
    PasswordResetCode.objects.filter(among("user_id", user_ids)).delete()
    EmailVerification.objects.filter(among("user_id", user_ids)).delete()


def network_delete(*, user_ids: list[int], emails: list[str]) -> None:
    """Contacts both ways and invitations sent, received or addressed to the old address."""
    Contact.objects.filter(among("owner_id", user_ids) | among("contact_id", user_ids)).delete()
    Invitation.objects.filter(
        among("inviter_id", user_ids) | among("invitee_id", user_ids) | among("email", emails)
    ).delete()
    CompanyInvitation.objects.filter(among("email", emails)).delete()


def addresses_unverify(*, user_ids: list[int]) -> None:
    """The anonymous address was never verified, and SPEC §7.1 already makes an unverified
    account unfindable and uninvitable: so does SPEC §4.8 after anonymization, through the
    flag the directory's query filters on (no new predicate in it) and the row the rules'
    Python face reads. The batch form of `accounts.security.services.user_verified_set`."""
    have = set(
        UserSecurity.objects.filter(among("user_id", user_ids)).values_list("user_id", flat=True)
    )
    UserSecurity.objects.bulk_create(
        UserSecurity(user_id=pk, email_verified=False) for pk in user_ids if pk not in have
    )
    UserSecurity.objects.filter(among("user_id", user_ids)).update(email_verified=False)
    User.objects.filter(among("pk", user_ids)).update(visibility_verified=False)


def extensions_release(*, user_ids: list[int]) -> None:
    Extension.objects.filter(among("user_id", user_ids)).update(user=None)


# --- T+60 --------------------------------------------------------------------------------


def company_stub_trim(*, user_ids: list[int]) -> None:
    """Company users keep only the anonymized stub (SPEC §8.4): no role, no contact."""
    RoleAssignment.objects.filter(among("user_id", user_ids)).delete()


def license_history_delete(*, user_ids: list[int]) -> None:
    """Released licenses reference the user (PROTECT). A standalone user's row is deleted at
    T+60, its license history with it; invoices already issued keep their seat counts."""
    License.objects.filter(among("user_id", user_ids), released_at__isnull=False).delete()
