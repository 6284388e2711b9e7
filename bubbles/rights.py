"""SPEC §6.1's table, as data. Policies read it; nothing else decides (SPEC §3.6: every right
absent from the table is denied).

Roles here are the table's columns; a guest holds none of these rights.
"""

from .models import MemberRole

DELETE_BUBBLE = "delete_bubble"
ARCHIVE_BUBBLE = "archive_bubble"
TRANSFER_OWNERSHIP = "transfer_ownership"
GET_CONFERENCE_LINK = "get_conference_link"
PROMOTE_CO_ORGANIZER = "promote_co_organizer"
ADD_REMOVE_PARTICIPANT = "add_remove_participant"
START_CONFERENCE = "start_conference"

ACTIONS = (
    DELETE_BUBBLE,
    ARCHIVE_BUBBLE,
    TRANSFER_OWNERSHIP,
    GET_CONFERENCE_LINK,
    PROMOTE_CO_ORGANIZER,
    ADD_REMOVE_PARTICIPANT,
    START_CONFERENCE,
)

# The table's columns, in its order, with the names the JSON output uses.
COLUMNS = {
    MemberRole.MEMBER: "member",
    MemberRole.CO_ORGANIZER: "co-organizer",
    MemberRole.ORGANIZER: "organizer",
}

_ = False
Y = True

# action -> (member, co-organizer, organizer), row by row as SPEC §6.1 prints it.
TABLE: dict[str, tuple[bool, bool, bool]] = {
    DELETE_BUBBLE: (_, _, Y),
    ARCHIVE_BUBBLE: (_, _, Y),
    TRANSFER_OWNERSHIP: (_, _, Y),
    GET_CONFERENCE_LINK: (_, _, Y),
    PROMOTE_CO_ORGANIZER: (_, Y, Y),
    ADD_REMOVE_PARTICIPANT: (_, Y, Y),
    START_CONFERENCE: (_, Y, Y),
}


def cell(role: str, action: str) -> bool:
    """The table's answer; a role outside the columns (a guest) gets False."""
    if action not in TABLE:
        raise ValueError(f"Unknown bubble action {action!r}.")
    columns = list(COLUMNS)
    if role not in columns:
        return False
    return TABLE[action][columns.index(role)]
