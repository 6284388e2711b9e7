"""Dashboard panels by role, filled by the apps: core imports none of them (like navigation).

Each app's AppConfig sets `dashboard_panels` in its `ready()` to entries
`(order, template, context, page)`: `context(user)` returns the panel's context, or None when
the panel is not for this user; `page` is "home" (the dashboard everyone opens first) or
"operations" (the operations staff's page). Panels read through selectors that cost a fixed
number of queries whatever the company's size (tests/core/test_dashboard.py counts them).
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from django.apps import apps

HOME = "home"
OPERATIONS = "operations"
MEMBER = "member"  # a company admin's page of one member: context(viewer, member)


@dataclass(frozen=True)
class Panel:
    order: int
    template: str
    context: Callable
    page: str = HOME


@cache
def all_panels() -> tuple[Panel, ...]:
    entries = [
        Panel(*entry)
        for config in apps.get_app_configs()
        for entry in getattr(config, "dashboard_panels", ())
    ]
    return tuple(sorted(entries, key=lambda panel: panel.order))


def panels_for(user, page: str = HOME) -> list[dict]:
    """The panels this user sees on `page`, each as {"template", "data"}."""
    out = []
    for panel in all_panels():
        if panel.page != page:
            continue
        data = panel.context(user)
        if data is not None:
            out.append({"template": panel.template, "data": data})
    return out


def member_panels(viewer, member) -> list[dict]:
    """What other apps add to a member's page (e.g. their licenses)."""
    out = []
    for panel in all_panels():
        if panel.page != MEMBER:
            continue
        data = panel.context(viewer, member)
        if data is not None:
            out.append({"template": panel.template, "data": data})
    return out
