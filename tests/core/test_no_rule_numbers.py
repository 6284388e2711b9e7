"""People never see SPEC references (issue 14): rule numbers stay in code comments, tests and
docs. Three nets: every template's text, every message string the apps' code hands to people
(refusals, page messages, form errors, translations), and the rendered pages of every role."""

import ast
import datetime as dt
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Contact
from companies.models import Company, Role
from subscriptions.models import License, Offer, Subscription
from tests.factories import CompanyFactory, UserFactory, make_operations

ROOT = Path(__file__).resolve().parents[2]
APPS = [
    "accounts",
    "activity",
    "bubbles",
    "companies",
    "core",
    "retention",
    "sso",
    "subscriptions",
    "vault",
]
FORBIDDEN = re.compile(r"SPEC|§")
# Calls whose string arguments reach a person: refusals, page messages, form errors, labels.
MESSAGE_CALLS = {
    "ApplicationError",
    "PermissionDenied",
    "ValidationError",
    "Verdict",
    "_",
    "gettext",
    "gettext_lazy",
    "ngettext",
    "success",
    "error",
    "warning",
    "info",
    "add_error",
}


def _strip_comments(text: str) -> str:
    text = re.sub(r"{#.*?#}", "", text, flags=re.S)
    return re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", "", text, flags=re.S)


def test_no_template_shows_a_rule_number():
    found = []
    for path in (ROOT / "templates").rglob("*"):
        if path.suffix not in {".html", ".txt"} or not path.is_file():
            continue
        for n, line in enumerate(_strip_comments(path.read_text()).splitlines(), 1):
            if FORBIDDEN.search(line):
                found.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()[:100]}")
    assert found == []


def _strings(node) -> list[str]:
    out = []
    for arg in [*node.args, *(k.value for k in node.keywords if k.arg != "section")]:
        for sub in ast.walk(arg):
            if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                out.append(sub.value)
    return out


def _name(func) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def test_no_message_in_code_carries_a_rule_number():
    found = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts or "management" in path.parts:
                continue
            tree = ast.parse(path.read_text())
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call) or _name(node.func) not in MESSAGE_CALLS:
                    continue
                args = _strings(node)
                if _name(node.func) == "Verdict":
                    args = args[:1]  # the reason; the section is for the API and the tests
                for text in args:
                    if FORBIDDEN.search(text):
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {text[:80]}")
    assert found == []


@pytest.mark.django_db
def test_pages_of_every_role_show_no_rule_number(client):
    acme = CompanyFactory(name="Acme")
    admin = UserFactory(company=acme, roles=[Role.COMPANY_ADMIN], first_name="Ann")
    bob = UserFactory(company=acme, first_name="Bob", visibility_override="private")
    stranger = UserFactory(company=CompanyFactory(name="Elsewhere"), first_name="Sam")
    Contact.objects.create(owner=admin, contact=bob)
    sub = Subscription.objects.create(
        company=acme,
        offer=Offer.objects.get(code="business"),
        billing="prepaid_1y",
        seats=3,
        start_date=timezone.localdate() - dt.timedelta(days=330),
    )
    License.objects.create(subscription=sub, user=bob, assigned_at=timezone.now())
    partner = CompanyFactory(kind=Company.Kind.BUSINESS_PARTNER)
    acme.business_partner = partner
    acme.save(update_fields=["business_partner"])
    bp = UserFactory(company=partner, roles=[Role.BP_FINANCE, Role.BP_OPERATION])
    ops = make_operations(UserFactory(company=partner))
    slug = acme.slug
    member = reverse("companies:member", args=[slug, bob.pk])
    pages = {
        admin: [
            reverse("core:dashboard"),
            reverse("companies:profile", args=[slug]),
            reverse("companies:members", args=[slug]),
            member,
            member + f"?other={stranger.email}",
            member + f"?other={admin.email}",
            reverse("companies:member-visibility", args=[slug, bob.pk]) + f"?other={admin.email}",
            reverse("companies:invitations", args=[slug]),
            reverse("companies:join-requests", args=[slug]),
            reverse("companies:join-links", args=[slug]),
            reverse("companies:company-visibility", args=[slug]),
            reverse("companies:company-security", args=[slug]),
            reverse("companies:file-sharing", args=[slug]),
            reverse("companies:member-role", args=[slug, bob.pk])
            + "?role=company_admin&action=remove",
            reverse("companies:directory") + "?q=Bob",
            reverse("companies:network"),
        ],
        bp: [reverse("core:dashboard"), reverse("companies:partner")],
        ops: [reverse("core:operations"), reverse("core:dashboard")],
        bob: [reverse("core:dashboard"), reverse("companies:network")],
    }
    for person, urls in pages.items():
        client.force_login(person)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            text = response.content.decode()
            assert not FORBIDDEN.search(text), (url, FORBIDDEN.search(text))


def test_no_model_field_shows_a_rule_number_in_the_admin():
    # Help texts and labels appear on the operators' admin pages and in the API schema.
    from django.apps import apps

    shown = [
        f"{model.__name__}.{field.name}: {text}"
        for model in apps.get_models()
        if model._meta.app_label in APPS
        for field in model._meta.get_fields()
        for text in (str(getattr(field, "help_text", "")), str(getattr(field, "verbose_name", "")))
        if FORBIDDEN.search(text)
    ]
    assert not shown, shown
