"""One date format on every page, by language (issue 14): pages name the locale's formats,
never a pattern of their own, and the formats read day first with the month in letters."""

import datetime as dt
import re
from pathlib import Path

from django.conf import settings
from django.template import Context, Template
from django.utils import translation

MOMENT = dt.datetime(2026, 12, 2, 14, 5, tzinfo=dt.UTC)
# Patterns a template may still give: a month (a chart axis, a heading), a day number, and the
# operators' activity log, whose timestamps keep their seconds (ISO order, to compare with
# other systems' logs).
ALLOWED = {"SHORT_DATE_FORMAT", "SHORT_DATETIME_FORMAT", "M Y", "F Y", "j", "Y-m-d H:i:s", "H:i:s"}


def _render(source: str, language: str) -> str:
    with translation.override(language):
        return Template(source).render(Context({"moment": MOMENT}))


def test_dates_read_the_same_everywhere_in_each_language():
    source = '{{ moment|date:"SHORT_DATETIME_FORMAT" }}|{{ moment|date:"SHORT_DATE_FORMAT" }}'
    assert _render(source, "en") == "2 Dec 2026, 14:05|2 Dec 2026"
    assert _render(source, "fr") == "2 déc. 2026 14:05|2 déc. 2026"


def test_templates_use_the_locales_formats():
    found = set()
    for path in Path(settings.BASE_DIR, "templates").rglob("*"):
        if path.suffix in {".html", ".txt"}:
            found |= set(re.findall(r'\|date:"([^"]+)"', path.read_text(encoding="utf-8")))
    assert found - ALLOWED == set()
