"""A guest's session (SPEC §6.2): no account; the session holds one participant id, and
every guest request re-checks that participant and their invitation."""

SESSION_KEY = "bubbles_guest_member"


def guest_member_id(request):
    return request.session.get(SESSION_KEY)


def guest_session_start(request, *, member) -> None:
    # A fresh session key, so a session fixed before the link was followed is not promoted.
    request.session.cycle_key()
    request.session[SESSION_KEY] = member.pk


def guest_session_end(request) -> None:
    request.session.pop(SESSION_KEY, None)
