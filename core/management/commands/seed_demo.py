"""Demo data for `make run`: idempotent, so running it again changes nothing.

The base (staff, a few companies and people) is here; each app adds its part in a
`<app>/demo.py` with `seed(command) -> [(email, description), ...]`, run in INSTALLED_APPS
order. Everything goes through services.
"""

from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User
from accounts.services import user_admin_update, user_create
from companies.models import Company, Role
from companies.selectors import default_company
from companies.services import company_create, role_grant

DEMO_PASSWORD = "Rainbow-Demo-2026!"

COMPANIES = [
    # name, visibility, region
    ("Acme Corp", "public", "EMEA"),
    ("Globex", "private", "EMEA"),
    ("Initech", "closed", "NA"),
]

PEOPLE = [
    # email, first, last, company name (None: default company), roles
    ("alice@acme.test", "Alice", "Archer", "Acme Corp", [Role.COMPANY_ADMIN]),
    ("bob@acme.test", "Bob", "Baker", "Acme Corp", []),
    ("carol@globex.test", "Carol", "Carter", "Globex", [Role.COMPANY_ADMIN]),
    ("dave@globex.test", "Dave", "Dawson", "Globex", []),
    ("erin@initech.test", "Erin", "Evans", "Initech", [Role.COMPANY_ADMIN]),
    ("sam@example.test", "Sam", "Solo", None, []),
]


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

    def person(self, email, *, company, first="", last="", **extra) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = user_create(
                email=email,
                company=company,
                actor=None,
                password=DEMO_PASSWORD,
                first_name=first,
                last_name=last,
                **extra,
            )
        return user

    def seed(self):
        rainbow = default_company()
        logins = []
        self.person(
            "admin@rainbow.test",
            company=rainbow,
            first="Ada",
            last="Admin",
            is_staff=True,
            is_superuser=True,
        )
        logins.append(("admin@rainbow.test", "platform superadmin (/admin/)"))
        ops = self.person(
            "ops@rainbow.test", company=rainbow, first="Otto", last="Ops", is_staff=True
        )
        operations = Permission.objects.get(
            codename="operations", content_type__app_label="activity"
        )
        user_admin_update(user=ops, actor=None, user_permissions=[operations])
        logins.append(("ops@rainbow.test", "operations staff (activity log)"))

        companies = {}
        for name, visibility, region in COMPANIES:
            companies[name] = Company.objects.filter(name=name).first() or company_create(
                name=name, region=region, visibility=visibility, actor=None
            )
        for email, first, last, company_name, roles in PEOPLE:
            company = companies[company_name] if company_name else rainbow
            user = self.person(email, company=company, first=first, last=last)
            for role in roles:
                role_grant(user=user, role=role, actor=None)
            label = ", ".join(r.label for r in roles) or "user"
            logins.append((email, f"{label} of {company.name}"))
        for config in apps.get_app_configs():
            try:
                module = import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            logins.extend(module.seed(self) or [])
        return logins
