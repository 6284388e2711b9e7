"""Reads of the retention app: an account as seen by someone who may close it, the
pipeline's state for the dashboard, and a user's exports."""

from django.core.files.storage import default_storage
from django.db.models import Count, Min
from django.http import Http404
from django.utils import timezone

from accounts.models import User, normalize_email
from companies.models import Company
from rainbow_portal.crypto import data_keyring, unseal_stream_chunks

from . import policies
from .models import AccountClosure, DataExport, FileDeletion, LegalHold, RetentionRun, Stage
from .services.exports import EXPORT_PURPOSE, export_aad
from .services.pipeline import due_counts


def account_get_for_actor(*, actor, user_id) -> User:
    """The account behind a close/restore URL; "missing" and "not yours" are the same 404."""
    try:
        user = User.objects.select_related("company").get(pk=int(user_id))
    except (User.DoesNotExist, TypeError, ValueError):
        raise Http404("No such account.") from None
    if not policies.related_to(actor=actor, user=user):
        raise Http404("No such account.")
    return user


def account_get_for_viewer(*, viewer, user_id) -> User:
    """The same, named for the scoping decorator (companies.scoping.viewer_page)."""
    return account_get_for_actor(actor=viewer, user_id=user_id)


def legal_hold_get_for_viewer(*, viewer, hold_id) -> LegalHold:
    """A hold, for operators only: anyone else gets the 404 of a missing page."""
    if not policies.can_run_retention(viewer):
        raise Http404("No such page.")
    try:
        return LegalHold.objects.get(pk=int(hold_id))
    except (LegalHold.DoesNotExist, TypeError, ValueError):
        raise Http404("No such hold.") from None


def hold_subject_get(*, user_id=None, email: str = "", company_slug: str = ""):
    """(user, company) that a legal hold would name, each None when not found; the page asks
    by email, the API by id."""
    user = company = None
    if user_id is not None:
        user = User.objects.filter(pk=user_id).first()
    elif email:
        user = User.objects.filter(email=normalize_email(email)).first()
    if company_slug:
        company = Company.objects.filter(slug=company_slug.strip()).first()
    return user, company


def closure_open_for(*, user) -> AccountClosure | None:
    return (
        AccountClosure.objects.filter(
            user_ref=user.pk, stage__in=[Stage.CLOSED, Stage.ANONYMIZED, Stage.DELETED]
        )
        .order_by("-id")
        .first()
    )


def closure_restorable(closure: AccountClosure | None) -> bool:
    """Before T+30 (SPEC §8.2); the pipeline may not have run yet at that moment."""
    return bool(
        closure is not None
        and closure.stage == Stage.CLOSED
        and timezone.now() < closure.anonymize_due_at
    )


def is_closed(*, user) -> bool:
    return closure_open_for(user=user) is not None


def closure_stage(user) -> str | None:
    """The stage of the account's open closure, or None: registered as accounts'
    `closure_stage_check` (the Django admin's user pages, SPEC §8.2)."""
    closure = closure_open_for(user=user)
    return None if closure is None else closure.stage


def dashboard(*, viewer) -> dict:
    policies.require_can_run_retention(viewer)
    now = timezone.now()
    per_stage = dict(
        AccountClosure.objects.values_list("stage")
        .annotate(n=Count("id"))
        .values_list("stage", "n")
    )
    next_due = {
        "anonymize": AccountClosure.objects.filter(stage=Stage.CLOSED).aggregate(
            at=Min("anonymize_due_at")
        )["at"],
        "delete": AccountClosure.objects.filter(stage=Stage.ANONYMIZED).aggregate(
            at=Min("delete_due_at")
        )["at"],
    }
    return {
        "stages": [(s.label, per_stage.get(s.value, 0)) for s in Stage],
        "next_due": next_due,
        "holds": list(
            LegalHold.objects.filter(released_at__isnull=True)
            .select_related("user", "company")
            .order_by("-placed_at")
        ),
        "runs": list(RetentionRun.objects.all()[:20]),
        "preview": due_counts(now),
        "outbox_pending": FileDeletion.objects.filter(done_at__isnull=True).count(),
        "outbox_failing": FileDeletion.objects.filter(done_at__isnull=True, attempts__gt=0).count(),
        "now": now,
    }


def data_export_list(*, user):
    return DataExport.objects.filter(user=user).order_by("-created_at")[:10]


PLAIN_CHUNK = 1024 * 1024


def _plain_chunks(storage_name: str):
    with default_storage.open(storage_name, "rb") as f:
        while chunk := f.read(PLAIN_CHUNK):
            yield chunk


def _sealed_chunks(export: DataExport):
    ring, aad = data_keyring(), export_aad(export.pk)
    with default_storage.open(export.storage_name, "rb") as f:
        yield from unseal_stream_chunks(ring, EXPORT_PURPOSE, f, aad=aad)


def data_export_chunks(*, export: DataExport):
    """The export's zip as an iterator of chunks, for a download the caller has allowed
    (`data_export_download`). A sealed export is authenticated in full first (one pass, a
    chunk in memory at a time), so a download is the whole zip or an error, never a cut-off
    one (as the vault's files, D11b.2); the second pass authenticates each chunk again.
    Raises DecryptionError when it does not open (altered, moved to another row, key gone).
    An export built before sealing (`sealed=False`) is read as stored."""
    if not export.sealed:
        return _plain_chunks(export.storage_name)
    for _chunk in _sealed_chunks(export):
        pass
    return _sealed_chunks(export)


CLOSE = "close"
RESTORE = "restore"


def member_closure_actions(*, actor, company, members) -> dict[int, dict]:
    """What the actor may do to each listed member of `company` (the company members page):
    {"action": "close" | "restore" | "", "closure": the open closure or None} per user id.

    Two reads for the whole page whatever its size: the policy depends on the actor and the
    company only (the actor's own row aside), and the open closures come in one query."""
    members = list(members)
    others = [m for m in members if m.pk != actor.pk]
    kind = None
    if others:
        probe = others[0]
        probe.company = company  # the page's company; saves a read per row
        kind = policies.closer_kind(actor=actor, user=probe)
    closures = {
        c.user_ref: c
        for c in AccountClosure.objects.filter(
            user_ref__in=[m.pk for m in members],
            stage__in=[Stage.CLOSED, Stage.ANONYMIZED, Stage.DELETED],
        ).order_by("id")
    }
    actions = {}
    for member in members:
        closure = closures.get(member.pk)
        action = ""
        if member.pk != actor.pk and kind is not None:
            if closure is None:
                action = CLOSE
            elif closure_restorable(closure) and kind != policies.SELF:
                action = RESTORE
        actions[member.pk] = {"action": action, "closure": closure}
    return actions
