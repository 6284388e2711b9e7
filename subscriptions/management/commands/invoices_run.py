import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from subscriptions.dates import parse_month, previous_month
from subscriptions.services import invoices_issue_for_month


class Command(BaseCommand):
    help = (
        "Issue the invoices of a month (default: last month), e.g. to catch up after an outage. "
        "Idempotent. The last line printed is the JSON summary."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", help="The billed month, YYYY-MM (default: last month).")

    def handle(self, *args, month=None, **options):
        try:
            day = parse_month(month) if month else previous_month(timezone.now().date())
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        summary = invoices_issue_for_month(month=day, actor=None)
        self.stdout.write(json.dumps(summary))
