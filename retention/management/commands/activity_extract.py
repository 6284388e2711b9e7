import sys
from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandError

from companies.models import Company
from retention.services.activity_ops import activity_extract


class Command(BaseCommand):
    help = (
        "Write a company's activity records since a date as CSV (to stdout or --output), for "
        "that company on request (SPEC §10.4). The extraction is itself recorded."
    )

    def add_arguments(self, parser):
        parser.add_argument("--company", required=True, help="The company's short name (slug).")
        parser.add_argument("--since", required=True, help="First day, YYYY-MM-DD (UTC).")
        parser.add_argument("--output", help="A file to write (default: standard output).")

    def handle(self, *args, company, since, output=None, **options):
        try:
            day = datetime.strptime(since.strip(), "%Y-%m-%d").replace(tzinfo=UTC)
        except ValueError:
            raise CommandError(f"--since {since!r} is not a date like 2026-01-31.") from None
        target = Company.objects.filter(slug=company.strip()).first()
        if target is None:
            raise CommandError(f"No company has the short name {company!r}.")
        if output:
            with open(output, "w", newline="", encoding="utf-8") as out:
                count = activity_extract(actor=None, company=target, since=day, out=out)
        else:
            count = activity_extract(actor=None, company=target, since=day, out=sys.stdout)
        self.stderr.write(f"{count} records of {target.name} since {day:%Y-%m-%d}.")
