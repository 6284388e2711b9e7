import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backups import BackupError, backup_restore
from rainbow_portal.crypto import DecryptionError


class Command(BaseCommand):
    help = (
        "Restore a backup made by `backup` into the configured database, replacing its "
        "contents, in one transaction (docs/backups.md). Needs --confirm <database name>."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="A portal-*.dump.sealed file.")
        parser.add_argument(
            "--confirm",
            default="",
            help="The name of the database being replaced (a guard against the wrong one).",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No backup file at {path}.")
        started = time.monotonic()
        try:
            restored = backup_restore(path=path, confirm=options["confirm"])
        except (BackupError, DecryptionError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Restored {path} ({restored} bytes of dump, "
            f"{time.monotonic() - started:.1f} s). Run `manage.py migrate` if the code is "
            "newer than the backup."
        )
