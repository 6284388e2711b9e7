"""The retention app's menu entries (collected by core.navigation). Predicates read the
permission cache Django keeps on the user (the activity entry already filled it), so the
menu costs no query per page; only a superuser is asked the explicit-permission question."""

from . import policies


def _signed_in(user) -> bool:
    return user.is_authenticated


def _operations(user) -> bool:
    return policies.is_operations(user)


def _operators(user) -> bool:
    return user.is_authenticated and user.is_active and (user.is_superuser or _operations(user))


NAVIGATION = [
    # activity:list (order 100) has no page: the operations pages of the log live here.
    (101, "Activity log", "retention:activity-search", _operations),
    (105, "Retention", "retention:dashboard", _operators),
    (135, "My data", "retention:export", _signed_in),
]
