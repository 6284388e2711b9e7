"""The registry of activity event names: stable, dotted, each with what it means.

Every app registers its names from its own `events.py` (loaded by `register_app_events`), so
the registry is one at run time while each capability owns its entries. Recording an
unregistered name is a programming error and raises at once.
"""

from importlib import import_module

from django.apps import apps

REQUEST = "request"

_EVENTS: dict[str, str] = {
    REQUEST: "An HTTP request reached the portal (method, route, outcome).",
}


class UnknownEvent(ValueError):
    pass


def register(events: dict[str, str]) -> None:
    for name, description in events.items():
        if not name or name != name.strip() or " " in name:
            raise ValueError(f"Activity event names are dotted words, not {name!r}.")
        if _EVENTS.get(name, description) != description:
            raise ValueError(f"Activity event {name!r} is registered twice with two meanings.")
        _EVENTS[name] = description


def check(name: str) -> str:
    if name not in _EVENTS:
        raise UnknownEvent(f"Activity event {name!r} is not registered in an events.py.")
    return name


def all_events() -> dict[str, str]:
    return dict(sorted(_EVENTS.items()))


def register_app_events() -> None:
    for config in apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.events")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.events":
                raise
            continue
        register(getattr(module, "EVENTS", {}))
