"""`python manage.py visibility_matrix WORLD.json` (issue 4).

Loads the world into a transaction that is rolled back, asks the SQL face (the directory
search's statement) for every viewer, and prints the allowed ordered pairs as JSON:
{"find": [[viewer, target], ...], "invite_in_app": [...], "invite_by_email": [...]}, sorted.
A world that breaks a rule exits non-zero naming the offending entry.
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User
from companies.models import Company, Region, VisibilityMode
from companies.services import (
    company_create,
    company_organization_set,
    company_visibility_set,
    organization_create,
    user_create,
)
from companies.visibility import search
from companies.visibility.inputs import ALLOWED_OVERRIDES
from companies.visibility.services import matrix_world_links_write, user_visibility_override_set
from rainbow_portal.exceptions import ApplicationError


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Compute who finds / may invite whom in a world file, with the SQL face."

    def add_arguments(self, parser):
        parser.add_argument("world", help="Path to the world JSON file.")

    def handle(self, *args, world, **options):
        try:
            with open(world, encoding="utf-8") as fh:
                data = json.load(fh)
        except OSError as exc:
            raise CommandError(f"Cannot read {world}: {exc.strerror}.") from None
        except json.JSONDecodeError as exc:
            raise CommandError(f"{world} is not valid JSON: {exc}.") from None
        if not isinstance(data, dict):
            raise CommandError("The world must be a JSON object.")
        result = {}
        try:
            with transaction.atomic():
                result = self.compute(data)
                raise _Rollback
        except _Rollback:
            pass
        self.stdout.write(json.dumps(result))

    # -- loading, with a message naming the offending entry -------------------------------

    def entries(self, data, key):
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(e, dict) for e in value):
            raise CommandError(f"“{key}” must be a list of objects.")
        return value

    def compute(self, data):
        orgs = {}
        for entry in self.entries(data, "organizations"):
            name = entry.get("name")
            if not isinstance(name, str) or not name or name in orgs:
                raise CommandError(f"organizations: bad or duplicate name in {json.dumps(entry)}")
            try:
                orgs[name] = organization_create(name=f"{name} (matrix world)", actor=None)
            except ApplicationError as exc:
                raise CommandError(f"organizations: {exc.message} in {json.dumps(entry)}") from None
        companies = {}
        for entry in self.entries(data, "companies"):
            companies[entry.get("name")] = self.company(entry, orgs, companies)
        users = {}
        for entry in self.entries(data, "users"):
            user = self.user(entry, companies, users)
            users[user.email] = user
        grants, contacts = [], []
        for entry in self.entries(data, "grants"):
            company = companies.get(entry.get("company"))
            visible_by = companies.get(entry.get("visible_by"))
            if company is None or visible_by is None or company.pk == visible_by.pk:
                raise CommandError(f"grants: unknown or identical companies in {json.dumps(entry)}")
            # Written as stored, even across the China border: §2.3 must win in the verdicts.
            grants.append((company, visible_by))
        for entry in self.entries(data, "contacts"):
            a, b = (
                users.get(str(entry.get("a", "")).lower()),
                users.get(str(entry.get("b", "")).lower()),
            )
            if a is None or b is None or a.pk == b.pk:
                raise CommandError(f"contacts: unknown or identical users in {json.dumps(entry)}")
            contacts.append((a, b))
        matrix_world_links_write(grants=grants, contacts=contacts, actor=None)
        return self.verdicts(users)

    def company(self, entry, orgs, companies) -> Company:
        label = json.dumps(entry)
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise CommandError(f"companies: a company needs a name: {label}")
        if name in companies:
            raise CommandError(f"companies: duplicate name in {label}")
        mode = entry.get("visibility", VisibilityMode.PUBLIC)
        if mode not in VisibilityMode.values:
            raise CommandError(f"companies: unknown visibility {mode!r} in {label}")
        region = entry.get("region", Region.EMEA)
        if region not in Region.values:
            raise CommandError(f"companies: unknown region {region!r} in {label}")
        org_name = entry.get("organization")
        if org_name is not None and org_name not in orgs:
            raise CommandError(f"companies: unknown organization {org_name!r} in {label}")
        if mode == VisibilityMode.ORGANIZATION and org_name is None:
            raise CommandError(f"companies: organization mode without an organization in {label}")
        try:
            company = company_create(name=f"{name} (matrix world)", region=region, actor=None)
            if org_name is not None:
                company_organization_set(company=company, organization=orgs[org_name], actor=None)
            company_visibility_set(company=company, visibility=mode, actor=None)
        except ApplicationError as exc:
            raise CommandError(f"companies: {exc.message} in {label}") from None
        return company

    def user(self, entry, companies, users) -> User:
        label = json.dumps(entry)
        email = str(entry.get("email", "")).strip().lower()
        if not email or "@" not in email:
            raise CommandError(f"users: a user needs an email: {label}")
        if email in users or User.objects.filter(email__iexact=email).exists():
            raise CommandError(f"users: duplicate email in {label}")
        company = companies.get(entry.get("company"))
        if company is None:
            raise CommandError(f"users: unknown company {entry.get('company')!r} in {label}")
        override = entry.get("visibility") or ""
        if override and override not in ALLOWED_OVERRIDES[company.visibility]:
            raise CommandError(
                f"users: override {override!r} is not allowed in a {company.visibility}"
                f" company (SPEC §4.1) in {label}"
            )
        user = user_create(email=email, company=company, actor=None)
        if override:
            user = user_visibility_override_set(user=user, override=override, actor=None)
        return user

    def verdicts(self, users):
        by_id = {u.pk: u.email for u in users.values()}
        find, in_app, by_email = [], [], []
        for viewer in users.values():
            viewer = User.objects.get(pk=viewer.pk)
            for target_id, invite in search.findable_ids(viewer):
                if target_id in by_id:
                    find.append([viewer.email, by_id[target_id]])
                    if invite:
                        in_app.append([viewer.email, by_id[target_id]])
            for target_id in search.email_invitable_ids(viewer):
                if target_id in by_id:
                    by_email.append([viewer.email, by_id[target_id]])
        return {
            "find": sorted(find),
            "invite_in_app": sorted(in_app),
            "invite_by_email": sorted(by_email),
        }
