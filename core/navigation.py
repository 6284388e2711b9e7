"""Navigation by role, filled by the apps: core imports none of them.

Each app's AppConfig sets `navigation` in its `ready()` to entries
`(order, label, url name, who sees it)`; the menu shows them by `order`. An entry whose URL
does not exist yet is left out, so a capability shows up in the menu once its URL exists.
Plain tuples, so that an app below core (activity) can declare entries without importing it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    order: int
    label: str
    url_name: str
    visible: Callable


def signed_in(user) -> bool:
    return user.is_authenticated


def operations_staff(user) -> bool:
    return user.is_authenticated and getattr(user, "is_operations", False)


# Core's own entries; CoreConfig.ready() publishes them like any app.
NAVIGATION = [
    (10, _("Dashboard"), "core:dashboard", signed_in),
    (99, _("Operations"), "core:operations", operations_staff),
    (120, _("API"), "api-docs", signed_in),
]


@cache
def nav_items() -> tuple[NavItem, ...]:
    entries = [
        NavItem(*entry)
        for config in apps.get_app_configs()
        for entry in getattr(config, "navigation", ())
    ]
    return tuple(sorted(entries, key=lambda item: item.order))


def items_for(user) -> list[dict]:
    out = []
    for item in nav_items():
        if not item.visible(user):
            continue
        try:
            out.append({"label": item.label, "url": reverse(item.url_name)})
        except NoReverseMatch:
            continue
    return out
