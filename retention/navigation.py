"""The retention app's menu entries (collected by core.navigation)."""

from . import policies


def _signed_in(user) -> bool:
    return user.is_authenticated


NAVIGATION = [
    # activity:list (order 100) has no page: the operations pages of the log live here.
    (101, "Activity log", "retention:activity-search", policies.is_operations),
    (105, "Retention", "retention:dashboard", policies.can_run_retention),
    (135, "My data", "retention:export", _signed_in),
]
