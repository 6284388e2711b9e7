"""Key rotation (SPEC §9.1, "rotatable without downtime").

    manage.py rotate_keys                      re-wrap every company key under DATA_MASTER_KEY
    manage.py rotate_keys --company-keys       also give companies a new key version
    manage.py rotate_keys --company-keys --company acme   ... only this company

Master rotation, with the portal serving throughout: (1) deploy with the new key as
DATA_MASTER_KEY under a new DATA_MASTER_KEY_ID, and the old one in DATA_MASTER_KEY_RETIRED
as `<old id>:<old key>` (every process reads both); (2) run this command (one row per
transaction: idempotent, resumable); (3) when it reports `remaining_on_previous: 0`, the
company keys no longer need the old key (keep it retired while sealed secrets made under its
id still exist). Prints a JSON summary; exits 1 when a key could not be re-wrapped.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from companies.models import Company
from vault import services


class Command(BaseCommand):
    help = "Re-wrap company keys under the current master key; optionally rotate company keys."

    def add_arguments(self, parser):
        parser.add_argument(
            "--company-keys",
            action="store_true",
            help="Also create a new key version per company (old versions still decrypt).",
        )
        parser.add_argument("--company", help="With --company-keys: only this company (slug).")
        parser.add_argument("--batch-size", type=int, default=200)
        parser.add_argument("--limit", type=int, help="Stop after re-wrapping this many keys.")

    def handle(self, *args, **options):
        summary = services.master_key_rewrap(
            actor=None, batch_size=options["batch_size"], limit=options["limit"]
        )
        if options["company_keys"]:
            companies = Company.objects.filter(vault_keys__isnull=False).distinct()
            if options["company"]:
                companies = Company.objects.filter(slug=options["company"])
                if not companies.exists():
                    raise CommandError(f"No company with the slug {options['company']!r}.")
            rotated = []
            for company in companies.order_by("pk"):
                row = services.company_key_rotate(company=company, actor=None)
                rotated.append({"company": company.slug, "version": row.version})
            summary["company_keys_rotated"] = rotated
        self.stdout.write(json.dumps(summary, sort_keys=True))
        if summary["failed"]:
            raise CommandError(f"{len(summary['failed'])} key(s) could not be re-wrapped.")
