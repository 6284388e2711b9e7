"""Demo data for `make run`: idempotent, so running it again changes nothing.

Each app adds its part in a `<app>/demo.py` with `seed(command) -> [(email, description), ...]`,
run in INSTALLED_APPS order (the base of staff, companies and people is companies'
`demo.base`). Everything goes through services; core imports no app.
"""

from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

DEMO_PASSWORD = "Rainbow-Demo-2026!"


class Command(BaseCommand):
    help = "Load demo data (idempotent). Refused when DEBUG is off."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo adds accounts with a known password: refused with DEBUG=0."
            )
        with transaction.atomic():
            logins = self.seed()
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in with any of:"))
        for email, what in logins:
            self.stdout.write(f"  {email:<24} {what}")
        self.stdout.write(f"  password for all: {DEMO_PASSWORD}")

    def seed(self):
        logins = []
        for config in apps.get_app_configs():
            try:
                module = import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            logins.extend(module.seed(self) or [])
        return logins
