import json
from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from rainbow_portal.exceptions import ApplicationError
from retention.services import retention_run


def parse_moment(value: str) -> datetime:
    """ISO 8601 with a time zone, e.g. 2027-03-01T00:00:00Z; converted to UTC."""
    try:
        moment = datetime.fromisoformat(value.strip().replace("z", "Z"))
    except ValueError:
        raise CommandError(
            f"--now {value!r} is not a moment in ISO 8601, e.g. 2027-03-01T00:00:00Z."
        ) from None
    if timezone.is_naive(moment):
        raise CommandError(f"--now {value!r} has no time zone: add Z (UTC), e.g. ...T00:00:00Z.")
    return moment.astimezone(UTC)


class Command(BaseCommand):
    help = (
        "Run every retention step due at a moment (default: now): catch-up after an outage, "
        'and time travel in tests. Prints one JSON line {"closed", "anonymized", "deleted", '
        '"held"}.'
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now", help="The moment, ISO 8601 with a zone (2027-03-01T00:00:00Z)."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Print what would be done; change nothing."
        )

    def handle(self, *args, now=None, dry_run=False, **options):
        moment = parse_moment(now) if now is not None else timezone.now()
        try:
            counts = retention_run(now=moment, dry_run=dry_run)
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(json.dumps(counts))
