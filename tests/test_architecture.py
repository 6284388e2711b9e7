"""House rules that code review alone would let slip (ARCHITECTURE.md, issue 9).

The write check reads every app module that is not a service (`services.py` or a module of a
`services/` package) or a migration: views, forms, API, admin, management commands, models,
tasks, selectors, whatever a file is called. Services are the only writers.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = [
    "core",
    "activity",
    "accounts",
    "companies",
    "bubbles",
    "retention",
    "subscriptions",
    "vault",
    "sso",
]
WIRING = ["rainbow_portal"]
FIXTURES = Path(__file__).resolve().parent / "architecture_fixtures"
# The one write outside services, each with why it stays where it is.
ALLOWED_WRITES = {
    # Django's own `createsuperuser` command creates users through the manager's
    # create_superuser, so the manager keeps the write; the portal's code calls user_create.
    "accounts/models/user.py user.save()": "UserManager._create",
}

# Manager and queryset writes: on anything reached through `.objects`, a queryset method, a
# related manager, or a model class.
MANAGER_WRITES = {
    "create",
    "update",
    "delete",
    "bulk_create",
    "bulk_update",
    "get_or_create",
    "update_or_create",
}
# Writes that only related managers have (`user.groups.add(...)`).
RELATED_WRITES = MANAGER_WRITES | {"add", "remove", "set", "clear"}
# Methods that return a queryset: a write called on their result is a queryset write.
QUERYSET_METHODS = {
    "all",
    "filter",
    "exclude",
    "select_related",
    "prefetch_related",
    "order_by",
    "select_for_update",
    "using",
    "annotate",
    "only",
    "defer",
    "distinct",
}


def related_accessors() -> set[str]:
    """The names through which a related manager is reached (`user.groups`,
    `company.members`, `subscription.license_set`), read from the installed models."""
    from django.apps import apps

    names = set()
    for model in apps.get_models():
        for field in model._meta.get_fields(include_hidden=False):
            if field.many_to_many or field.one_to_many:
                if field.auto_created and not field.concrete:
                    names.add(field.get_accessor_name())
                else:
                    names.add(field.name)
    return names


def model_names() -> set[str]:
    from django.apps import apps

    return {model.__name__ for model in apps.get_models()}


def _chain_is_queryset(node: ast.AST) -> bool:
    """`X.objects...`, `X.objects.filter(...)...`, `type(self).objects`, `qs.filter(...)`."""
    while True:
        if isinstance(node, ast.Attribute):
            if node.attr in {"objects", "_default_manager", "_base_manager"}:
                return True
            node = node.value
        elif isinstance(node, ast.Call):
            if isinstance(node.func, ast.Attribute) and node.func.attr in QUERYSET_METHODS:
                return True
            node = node.func
        else:
            return False


def orm_writes(source: str, *, accessors: set[str], models: set[str]) -> list[tuple[int, str]]:
    """(line, call) for each ORM write the source makes, as far as syntax tells."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        name, receiver = node.func.attr, node.func.value
        write = False
        if name in {"save", "delete"} and not node.args:
            # `obj.save()`, `obj.delete()`, a form's or serializer's `.save()` (which hands off
            # to its create/update). `save(buffer)` with a positional argument is a file or an
            # image, not a model.
            write = True
        elif name in MANAGER_WRITES and _chain_is_queryset(receiver):
            write = True
        elif name in MANAGER_WRITES and isinstance(receiver, ast.Name) and receiver.id in models:
            write = True  # `Model.create(...)`-style class helpers
        elif (
            name in RELATED_WRITES
            and isinstance(receiver, ast.Attribute)
            and receiver.attr in accessors
        ):
            write = True  # `obj.things.create(...)`, `user.groups.add(...)`
        if write:
            found.append((node.lineno, ast.unparse(node.func) + "()"))
    return found


# Service modules whose names do not say so (issue 9's split), each with what it is.
WRITER_MODULES = {
    "core/delivery.py": "the email service's delivery half (email_deliver)",
    "companies/membership/signup.py": "the sign-up service (signup)",
}


def is_writer(path: Path) -> bool:
    """Services (`services.py`, `<concern>_services.py`, a module of a `services/` package,
    or one of WRITER_MODULES) and migrations."""
    rel = path.relative_to(ROOT)
    return (
        "migrations" in rel.parts
        or "services" in rel.parts
        or path.name.endswith("services.py")
        or str(rel) in WRITER_MODULES
    )


def scanned_files():
    for top in APPS + WIRING:
        base = ROOT / top
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*.py")):
            if not is_writer(path):
                yield path


def test_no_orm_writes_outside_services(db):
    accessors, models = related_accessors(), model_names()
    offenders = [
        f"{path.relative_to(ROOT)}:{line} {call}"
        for path in scanned_files()
        for line, call in orm_writes(path.read_text(), accessors=accessors, models=models)
        if f"{path.relative_to(ROOT)} {call}" not in ALLOWED_WRITES
    ]
    assert offenders == [], "Writes belong in services:\n" + "\n".join(offenders)


def test_the_scan_covers_modules_whatever_their_name():
    scanned = {str(p.relative_to(ROOT)) for p in scanned_files()}
    # Names the old check (module names matched against views/forms/api/…) let through.
    for name in ["subscriptions/views_systems.py", "subscriptions/web.py", "companies/admin.py"]:
        if (ROOT / name).exists():
            assert name in scanned, name
    assert not any("/migrations/" in p for p in scanned)
    assert not any(p.endswith("services.py") or "/services/" in p for p in scanned)
    assert not set(WRITER_MODULES) & scanned
    commands = [p for p in scanned if "/management/commands/" in p]
    assert commands, "management commands are scanned too: they call services"


def test_the_write_check_flags_a_known_offender(db):
    """The check itself is tested: the fixture module holds one write of each kind."""
    source = (FIXTURES / "offender.py").read_text()
    found = orm_writes(source, accessors=related_accessors(), models=model_names())
    calls = [call for _line, call in found]
    assert calls == [
        "Company.objects.create()",
        "Company.objects.filter(pk=1).update()",
        "Company.objects.all().delete()",
        "Company.objects.bulk_create()",
        "Company.objects.get_or_create()",
        "Company.objects.update_or_create()",
        "company.members.create()",
        "user.groups.add()",
        "user.groups.clear()",
        "company.save()",
        "company.delete()",
    ], calls
    clean = (FIXTURES / "clean.py").read_text()
    assert orm_writes(clean, accessors=related_accessors(), models=model_names()) == []


def recorded_events(app: str) -> dict[str, str]:
    """{event name: where} for every literal `event="..."` an app's modules record."""
    names = {}
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            func = ast.unparse(node.func)
            if not (func == "record" or func.endswith(".record")):
                continue
            for kw in node.keywords:
                if kw.arg == "event" and isinstance(kw.value, ast.Constant):
                    names.setdefault(kw.value.value, f"{path.relative_to(ROOT)}:{node.lineno}")
    return names


@pytest.mark.parametrize("app", APPS)
def test_an_app_that_records_events_registers_them_in_its_events_module(app):
    recorded = recorded_events(app)
    if not recorded:
        return
    assert (ROOT / app / "events.py").exists(), f"{app} records events but has no events.py"
    from importlib import import_module

    events = import_module(f"{app}.events").EVENTS
    missing = {name: where for name, where in recorded.items() if name not in events}
    assert missing == {}, f"recorded by {app} but not in {app}/events.py"


@pytest.mark.parametrize(
    "app", [a for a in APPS if a != "activity" and (ROOT / a / "events.py").exists()]
)  # activity/events.py is the registry that collects the others
def test_events_modules_register_dotted_names(app):
    from importlib import import_module

    events = import_module(f"{app}.events").EVENTS
    assert events, f"{app}/events.py registers nothing"
    for name, meaning in events.items():
        assert "." in name and name == name.lower(), name
        assert meaning.strip().endswith("."), name


# The vault sits under bubbles and retention (the layers of docs/architecture.md, also checked
# by lint-imports in .ci/run): it never imports them, so the data layer cannot reach up.
VAULT_MAY_NOT_IMPORT = ("bubbles", "retention")


def test_vault_imports_only_lower_layers():
    offenders = []
    for path in (ROOT / "vault").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            offenders += [
                f"{path.relative_to(ROOT)}: {n}"
                for n in names
                if n.split(".")[0] in VAULT_MAY_NOT_IMPORT
            ]
    assert offenders == []


def test_the_events_check_fails_for_an_app_without_events_module(tmp_path, monkeypatch):
    """The check itself is tested: an app that records an event and has no events.py."""
    app = tmp_path / "fakeapp"
    app.mkdir()
    (app / "services.py").write_text(
        "from activity import services as activity\n\n\ndef thing_do(*, actor):\n"
        '    activity.record(event="thing.done", actor=actor)\n'
    )
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    assert recorded_events("fakeapp") == {"thing.done": "fakeapp/services.py:5"}
    with pytest.raises(AssertionError, match=r"has no events\.py"):
        test_an_app_that_records_events_registers_them_in_its_events_module("fakeapp")


QUERY_COUNTERS = ("django_assert_num_queries", "django_assert_max_num_queries", "CaptureQueries")


def test_query_count_tests_assert_the_status():
    """A query count taken on a 403 or a redirect proves nothing: every test that counts
    the queries of a request also asserts its status code."""
    missing = []
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        source = path.read_text()
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.FunctionDef) or not node.name.startswith("test_"):
                continue
            body = ast.get_source_segment(source, node) or ""
            requests = any(
                f"client.{verb}(" in body or f"_api.{verb}(" in body
                for verb in ("get", "post", "put", "patch", "delete")
            )
            if any(c in body for c in QUERY_COUNTERS) and requests and "status_code" not in body:
                missing.append(f"{path.relative_to(ROOT)}::{node.name}")
    assert missing == [], "Query-count tests without a status check:\n" + "\n".join(missing)
