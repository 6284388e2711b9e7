"""The base of the demo (`seed_demo`): staff, a few companies and people, and `person()`,
which the other apps' demo modules use to add theirs. Idempotent, through services."""

from django.contrib.auth.models import Permission

from accounts.models import User
from accounts.services import user_admin_update
from core.management.commands.seed_demo import DEMO_PASSWORD

from ..models import Company, Role
from ..selectors import default_company
from ..services import company_create, role_grant, user_create

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


def person(email, *, company, first="", last="", **extra) -> User:
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


def seed_base() -> list[tuple[str, str]]:
    rainbow = default_company()
    logins = []
    person(
        "admin@rainbow.test",
        company=rainbow,
        first="Ada",
        last="Admin",
        is_staff=True,
        is_superuser=True,
    )
    logins.append(("admin@rainbow.test", "platform superadmin (/admin/)"))
    ops = person("ops@rainbow.test", company=rainbow, first="Otto", last="Ops", is_staff=True)
    operations = Permission.objects.get(codename="operations", content_type__app_label="activity")
    user_admin_update(user=ops, actor=None, user_permissions=[operations])
    logins.append(("ops@rainbow.test", "operations staff (activity log)"))

    companies = {}
    for name, visibility, region in COMPANIES:
        companies[name] = Company.objects.filter(name=name).first() or company_create(
            name=name, region=region, visibility=visibility, actor=None
        )
    for email, first, last, company_name, roles in PEOPLE:
        company = companies[company_name] if company_name else rainbow
        user = person(email, company=company, first=first, last=last)
        for role in roles:
            role_grant(user=user, role=role, actor=None)
        label = ", ".join(str(r.label) for r in roles) or "user"
        logins.append((email, f"{label} of {company.name}"))
    return logins
