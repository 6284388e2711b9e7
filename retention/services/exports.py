"""A user's own data as a zip of JSON (GDPR Art. 20), built by a Celery task and offered by
an expiring, single-owner link. Only what the user could already see: their profile, their
own network (contacts' names and emails, as the network page shows them), their invitations,
their licenses, and their bubbles through the bubbles app's export.

The zip holds the user's decrypted messages, so it is stored sealed (SPEC §9.1): AES-256-GCM
in 1 MiB chunks with the DATA_MASTER_KEY ring (`rainbow_portal.crypto.seal_stream`, key id in
the header, rotatable), bound to the DataExport row by its associated data; it is opened only
for its owner's download (retention.selectors.data_export_chunks)."""

import hashlib
import json
import secrets
import tempfile
import zipfile
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import activity
from accounts.models import Contact, Invitation
from rainbow_portal.crypto import associated_data, data_keyring, seal_stream
from rainbow_portal.exceptions import ApplicationError
from subscriptions.models import License

from ..models import DataExport
from . import steps
from .outbox import files_enqueue

EXPORT_FOLDER = "exports"
EXPORT_PURPOSE = "retention.data_export"
EXPORT_TABLE = "retention_dataexport"
SPOOL_BYTES = 8 * 1024 * 1024  # the zip and its sealed copy spill to a temp file past this


def export_aad(export_id: int) -> bytes:
    return associated_data(EXPORT_PURPOSE, table=EXPORT_TABLE, row=export_id)


def export_token_hash(token: str) -> str:
    return hashlib.sha256(f"retention.export:{token}".encode()).hexdigest()


@transaction.atomic
def data_export_request(*, user, actor) -> tuple[DataExport, str]:
    """Returns the export and its link token (shown once, stored hashed)."""
    if actor is None or actor.pk != user.pk:
        raise ApplicationError(_("Only the account's owner may export its data."))
    recent = DataExport.objects.filter(
        user=user, created_at__gte=timezone.now() - timedelta(hours=1)
    )
    if recent.exists():
        raise ApplicationError(
            _("An export was requested less than an hour ago: use its link, or try later."),
            code="throttled",
        )
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    export = DataExport.objects.create(
        user=user,
        token_hash=export_token_hash(token),
        created_at=now,
        expires_at=now + timedelta(hours=settings.DATA_EXPORT_TTL_HOURS),
    )
    activity.record(event="data_export.requested", actor=actor, target=user)
    transaction.on_commit(lambda: current_app.tasks["retention.data_export_build"].delay(export.pk))
    return export, token


def _content(user) -> dict[str, object]:
    contacts = Contact.objects.filter(owner=user).select_related("contact")
    return {
        "profile.json": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "title": user.title,
            "company": user.company.name,
            "date_joined": user.date_joined.isoformat(),
        },
        "network.json": [
            {
                "email": c.contact.email,
                "name": c.contact.get_full_name(),
                "favorite": c.is_favorite,
                "since": c.created_at.isoformat(),
            }
            for c in contacts
        ],
        "invitations.json": [
            {
                "direction": "sent" if i.inviter_id == user.pk else "received",
                "status": i.status,
                "email": i.email if i.inviter_id == user.pk else "",
                "created_at": i.created_at.isoformat(),
            }
            for i in Invitation.objects.filter(inviter=user)
            | Invitation.objects.filter(invitee=user)
        ],
        "licenses.json": [
            {
                "offer": lic.subscription.offer.name,
                "assigned_at": lic.assigned_at.isoformat(),
                "released_at": lic.released_at.isoformat() if lic.released_at else None,
            }
            for lic in License.objects.filter(user=user).select_related("subscription__offer")
        ],
        "bubbles.json": steps.bubbles_export(user=user)
        if steps.BUBBLES_AVAILABLE
        else {"available": False},
    }


def data_export_build(*, export_id: int) -> bool:
    """Idempotent: an export already built (or gone) is left alone."""
    with transaction.atomic():
        export = (
            DataExport.objects.select_for_update()
            .select_related("user__company")
            .filter(pk=export_id, status=DataExport.Status.PENDING)
            .first()
        )
        if export is None:
            return False
        with (
            tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as plain,
            tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as sealed,
        ):
            with zipfile.ZipFile(plain, "w", zipfile.ZIP_DEFLATED) as archive:
                for name, content in _content(export.user).items():
                    archive.writestr(name, json.dumps(content, indent=2, default=str))
            plain.seek(0)
            seal_stream(data_keyring(), EXPORT_PURPOSE, plain, sealed, aad=export_aad(export.pk))
            sealed.seek(0)
            name = default_storage.save(
                f"{EXPORT_FOLDER}/{secrets.token_hex(16)}.sealed", File(sealed)
            )
        export.storage_name = name
        export.sealed = True
        export.status = DataExport.Status.READY
        export.ready_at = timezone.now()
        export.save(update_fields=["storage_name", "sealed", "status", "ready_at"])
        activity.record(event="data_export.ready", target=export.user, data={"export": export.pk})
    return True


@transaction.atomic
def data_export_download(*, token: str, actor) -> DataExport:
    """The file behind a link, for its owner only, before it expires."""
    export = DataExport.objects.filter(token_hash=export_token_hash(token or "")).first()
    if export is None or actor is None or export.user_id != actor.pk:
        raise ApplicationError(_("This export link is not valid."), code="not_found")
    if export.status != DataExport.Status.READY:
        raise ApplicationError(_("This export is still being prepared: try again in a minute."))
    if timezone.now() >= export.expires_at:
        raise ApplicationError(_("This export link has expired: ask for a new export."))
    DataExport.objects.filter(pk=export.pk).update(downloaded_at=timezone.now())
    activity.record(event="data_export.downloaded", actor=actor, target=actor)
    return export


def data_exports_expire(*, now) -> int:
    """Expired exports leave storage through the outbox (part of the daily run)."""
    with transaction.atomic():
        rows = list(
            DataExport.objects.select_for_update().filter(
                status=DataExport.Status.READY, expires_at__lte=now
            )
        )
        files_enqueue(names=[r.storage_name for r in rows], reason="export_expired", now=now)
        DataExport.objects.filter(pk__in=[r.pk for r in rows]).update(
            status=DataExport.Status.EXPIRED, storage_name=""
        )
    return len(rows)
