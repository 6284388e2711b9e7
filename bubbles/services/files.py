"""Files in bubbles (SPEC §6.6, §9.2, §9.4): upload through the vault (scan, encrypt, store),
download (access check, decrypt, stream)."""

from django.db import transaction
from django.utils import timezone

from ..models import BubbleFile
from .common import record


@transaction.atomic
def bubble_file_discard(*, bubble_file: BubbleFile, actor) -> BubbleFile:
    bubble_file.deleted_at = timezone.now()
    bubble_file.save(update_fields=["deleted_at"])
    record("bubble.file.deleted", bubble=bubble_file.bubble, actor=actor, target=bubble_file)
    return bubble_file
