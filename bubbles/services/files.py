"""Files in bubbles (SPEC §6.6, §9.2, §9.4): upload through the vault (size cap, ClamAV scan,
encryption, storage; fail closed), and discard. Reading is in `selectors.bubble_file_open`."""

import uuid

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import activity
from rainbow_portal.exceptions import ApplicationError
from vault import services as vault_services
from vault.files import safe_filename

from .. import policies
from ..models import BubbleFile
from .common import lock_bubble, record
from .posting import clean_body, guest_entry, message_create_sealed, require_can_post

SHARING_OFF = "File sharing is switched off for you: files cannot be uploaded or downloaded."


def refuse_unless_sharing(*, member, actor) -> None:
    """SPEC §9.4: with sharing off (the user's setting, else the company's) nothing is
    uploaded or transferred. The refusal is recorded (no file name)."""
    if not policies.file_sharing_on_for(member=member):
        activity.record(
            event="bubble.file.refused",
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            company=member.bubble.company_id,
            target=member.bubble,
            data={"reason": "file_sharing_off"},
        )
        raise ApplicationError(SHARING_OFF, code="file_sharing_off")


def bubble_file_upload(*, member, upload, body: str = "", actor) -> BubbleFile:
    """A message carrying one file. Not atomic on purpose: the vault scans and stores outside
    any transaction (a refusal's record must survive; a scan must not hold one open). The row
    is written afterwards in one transaction, and the blob removed if that fails."""
    require_can_post(member)
    refuse_unless_sharing(member=member, actor=actor)
    if upload is None:
        raise ApplicationError(_("Choose a file to upload."), fields={"file": ["Required."]})
    body = clean_body(body, allow_empty=True)
    bubble = member.bubble
    file_id = uuid.uuid4()
    stored = vault_services.file_store(
        company=bubble.company_id, object_id=str(file_id), upload=upload, actor=actor
    )
    try:
        with transaction.atomic():
            lock_bubble(bubble)
            require_can_post(member)
            message = message_create_sealed(member=member, body=body)
            row = BubbleFile(
                id=file_id,
                bubble=bubble,
                message=message,
                uploader=member,
                storage_name=stored.storage_name,
                sha256=stored.sha256,
                key_id=stored.key_id,
                key_version=stored.key_version,
                display_name=safe_filename(getattr(upload, "name", "") or "file"),
                size=stored.size,
                content_type=stored.content_type,
            )
            row.full_clean()
            row.save(force_insert=True)
            record(
                "bubble.file.uploaded",
                bubble=bubble,
                actor=actor,
                target=row,
                bytes=stored.size,
                guest=member.is_guest,
            )
    except BaseException:
        vault_services.file_delete(stored=stored, actor=actor)
        raise
    return row


def require_can_download(*, member, actor) -> None:
    if not policies.can_view(member=member):
        raise PermissionDenied("You are not a participant of this bubble.")
    if member.is_guest:
        conference, entry = guest_entry(member)
        if not policies.guest_may_act(conference=conference, entry=entry):
            raise PermissionDenied("Guests take part only while the conference runs.")
    refuse_unless_sharing(member=member, actor=actor)


@transaction.atomic
def bubble_file_discard(*, bubble_file: BubbleFile, actor) -> BubbleFile:
    """Mark the row deleted and remove the blob once that commits (SPEC §6.6, §8.3)."""
    bubble_file.deleted_at = timezone.now()
    bubble_file.save(update_fields=["deleted_at"])
    record("bubble.file.deleted", bubble=bubble_file.bubble, actor=actor, target=bubble_file)
    transaction.on_commit(lambda: vault_services.file_delete(stored=bubble_file, actor=actor))
    return bubble_file
