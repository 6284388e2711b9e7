"""House rules that code review alone would let slip (ARCHITECTURE.md)."""

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
]
THIN_LAYERS = ("views", "forms", "api", "serializers", "signals")
WRITE_METHODS = {
    "save",
    "delete",
    "create",
    "update",
    "bulk_create",
    "bulk_update",
    "get_or_create",
    "update_or_create",
}


def thin_layer_files():
    for app in APPS:
        base = ROOT / app
        if not base.is_dir():
            continue
        for path in base.rglob("*.py"):
            parts = set(path.relative_to(base).with_suffix("").parts)
            if parts & set(THIN_LAYERS) and "migrations" not in parts:
                yield path


def orm_writes(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name = node.func.attr
            if name not in WRITE_METHODS:
                continue
            target = ast.unparse(node.func.value)
            # `.objects.create(...)`, `obj.save()`, `qs.delete()`: writes. A serializer's or
            # form's own `.save()` hands off to its create/update, equally a write here.
            # A `save(buffer)` with a positional argument is a file or image, not a model.
            if (name in {"save", "delete"} and not node.args) or ".objects" in target:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {ast.unparse(node.func)}()")
    return found


def test_no_orm_writes_in_views_forms_api_serializers_or_signals():
    offenders = [w for path in thin_layer_files() for w in orm_writes(path)]
    assert offenders == [], "Writes belong in services.py:\n" + "\n".join(offenders)


@pytest.mark.parametrize("app", [a for a in APPS if a != "activity"])  # activity: the registry
def test_events_modules_register_dotted_names(app):
    path = ROOT / app / "events.py"
    if not path.exists():
        return
    from importlib import import_module

    events = import_module(f"{app}.events").EVENTS
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
