"""The companies app's demo for `seed_demo`: the base (staff, companies, people), the partner
and organization companies, then visibility and the network (which finds the companies above).
Idempotent, through services."""

from . import base, partners, visibility


def seed(command) -> list[tuple[str, str]]:
    logins = base.seed_base()
    logins.extend(partners.seed(command) or [])
    # Visibility demo (issue 4): grants, overrides, contacts.
    logins.extend(visibility.seed(command) or [])
    return logins
