"""The activity log's menu entry (collected by core.navigation, which sits above activity:
so plain data, no import of core)."""


def operations(user) -> bool:
    return user.is_authenticated and user.is_operations


NAVIGATION = [(100, "Activity log", "activity:list", operations)]
