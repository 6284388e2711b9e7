"""The bubbles app's menu entry (collected by core.navigation)."""


def signed_in(user) -> bool:
    return user.is_authenticated


NAVIGATION = [(40, "Bubbles", "bubbles:list", signed_in)]
