"""Key rotation (SPEC §9.1, "rotatable without downtime").

    manage.py rotate_keys                      re-wrap every company key under DATA_MASTER_KEY
    manage.py rotate_keys --company-keys       also give companies a new key version
    manage.py rotate_keys --company-keys --company acme   ... only this company

Master rotation, with the portal serving throughout: (1) deploy with the new key as
DATA_MASTER_KEY under a new DATA_MASTER_KEY_ID, and the old one in DATA_MASTER_KEY_RETIRED
as `<old id>:<old key>` (every process reads both); (2) run this command (one row per
transaction: idempotent, resumable): it re-wraps the company keys and re-seals the secrets
sealed with the key ring itself (TOTP seeds, OIDC client secrets, sealed conversation
emails); (3) when it reports `retired_keys_still_needed: false` (`remaining_on_previous: 0`
and every `sealed_on_retired` count 0), and DATA_EXPORT_TTL_HOURS + 1 day have passed since
step 1 (data exports are not re-sealed, they expire), drop the retired key. Prints a JSON
summary; exits 1 when a key could not be re-wrapped or a secret re-sealed (a re-run resumes).
"""

import json

from django.core.management.base import BaseCommand, CommandError

from companies.models import Company
from vault import services


class Command(BaseCommand):
    help = (
        "Re-wrap company keys and re-seal ring secrets under the current master key; "
        "optionally rotate company keys."
    )

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
        key_failures = len(summary["failed"])
        secrets = services.ring_secrets_reseal(actor=None, batch_size=options["batch_size"])
        summary["resealed"] = secrets["resealed"]
        summary["sealed_on_retired"] = secrets["sealed_on_retired"]
        summary["failed"] = summary["failed"] + secrets["failed"]
        summary["retired_keys_still_needed"] = bool(
            summary["remaining_on_previous"]
            or any(secrets["sealed_on_retired"].values())
            or summary["failed"]
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
        problems = []
        if key_failures:
            problems.append(f"{key_failures} key(s) could not be re-wrapped")
        if len(summary["failed"]) > key_failures:
            problems.append(
                f"{len(summary['failed']) - key_failures} secret(s) could not be re-sealed"
            )
        if problems:
            raise CommandError("; ".join(problems) + ".")
