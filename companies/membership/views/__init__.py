"""Pages of the joining flows, the company admin pages and the partner portal, one module per
flow (urls.py names them as `views.<name>`)."""

from .common import (
    MEMBERS_PER_PAGE,
)
from .company import (
    company_file_sharing,
    manage,
    member_detail,
    member_file_sharing,
    member_role,
    members,
    profile,
)
from .invitations import (
    company_invitation_cancel,
    company_invitation_resend,
    invitation,
    invitations,
)
from .joining import (
    JOIN_LINK_SHOWN,
    join,
    join_link_regenerate,
    join_link_toggle,
    join_links,
    join_request_create,
    join_request_decide,
    join_requests,
    join_start,
)
from .partners import (
    customer_create,
    partner,
    partner_offer_create,
    partner_offer_decide,
)

__all__ = [
    "JOIN_LINK_SHOWN",
    "MEMBERS_PER_PAGE",
    "company_file_sharing",
    "company_invitation_cancel",
    "company_invitation_resend",
    "customer_create",
    "invitation",
    "invitations",
    "join",
    "join_link_regenerate",
    "join_link_toggle",
    "join_links",
    "join_request_create",
    "join_request_decide",
    "join_requests",
    "join_start",
    "manage",
    "member_detail",
    "member_file_sharing",
    "member_role",
    "members",
    "partner",
    "partner_offer_create",
    "partner_offer_decide",
    "profile",
]
