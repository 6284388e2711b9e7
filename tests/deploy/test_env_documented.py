"""Every environment variable the code reads is documented (docs/deploy.md's table) and listed
in deploy/portal.env.example, so an operator never meets an undocumented one."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
APPS = ("rainbow_portal", "core", "activity", "companies", "accounts", "bubbles", "retention")
APPS += ("subscriptions", "vault", "sso")
# Read by the process manager or tooling, not by the portal: documented elsewhere or not at all.
NOT_PORTAL = {"DJANGO_SETTINGS_MODULE", "CI", "PROD_LOCAL_DIR"}
READS = re.compile(
    r"""(?:env\.get_\w+|os\.environ\.get|os\.environ\.setdefault|os\.getenv)\(\s*["']([A-Z][A-Z0-9_]+)["']"""
    r"""|os\.environ\[["']([A-Z][A-Z0-9_]+)["']\]"""
)


def variables_read() -> set[str]:
    files = [ROOT / "deploy" / "gunicorn.conf.py"]
    for app in APPS:
        files += [p for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts]
    names = set()
    for path in files:
        for match in READS.finditer(path.read_text()):
            names.add(match.group(1) or match.group(2))
    return names - NOT_PORTAL


def test_the_scan_finds_the_variables_it_should():
    names = variables_read()
    # Multi-line calls and both spellings are found.
    assert {"CELERY_BROKER_URL", "PORTAL_REGION", "VAULT_STORAGE_BACKEND", "GUNICORN_BIND"} <= names
    assert {"SECRET_KEY", "METRICS_TOKEN", "PROMETHEUS_MULTIPROC_DIR"} <= names


def test_every_variable_is_in_the_deploy_docs_table_and_the_env_example():
    doc = (ROOT / "docs" / "deploy.md").read_text()
    table = doc[doc.index("## The environment, variable by variable") :]
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", table))
    example = (ROOT / "deploy" / "portal.env.example").read_text()
    listed = set(re.findall(r"^#?([A-Z][A-Z0-9_]+)=", example, re.MULTILINE))
    names = variables_read()
    assert names - documented == set(), "missing from docs/deploy.md"
    assert names - listed == set(), "missing from deploy/portal.env.example"
