import time

from django.core.management.base import BaseCommand, CommandError

from core.backups import BackupError, backup_create, backup_prune
from rainbow_portal.crypto import DecryptionError


class Command(BaseCommand):
    help = (
        "Back up the PostgreSQL database: pg_dump (custom format) sealed with BACKUP_KEY into "
        "BACKUP_DIR; backups older than BACKUP_KEEP_DAYS are then deleted (docs/backups.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", help="Folder for the backup (default: BACKUP_DIR).")
        parser.add_argument("--keep-days", type=int, help="Default: BACKUP_KEEP_DAYS.")

    def handle(self, *args, **options):
        started = time.monotonic()
        try:
            made = backup_create(target=options["dir"])
        except (BackupError, DecryptionError) as exc:
            raise CommandError(str(exc)) from None
        removed = backup_prune(target=options["dir"], keep_days=options["keep_days"])
        self.stdout.write(
            f"Backup written: {made.path} ({made.size} bytes, {made.plaintext} bytes of dump, "
            f"{time.monotonic() - started:.1f} s). Old backups deleted: {len(removed)}."
        )
