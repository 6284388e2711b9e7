"""Writes for joining companies and running them (SPEC §2.5–2.8, §9.4), one module per flow."""

from .file_sharing import (
    company_file_sharing_set,
    member_file_sharing_set,
)
from .invitations import (
    INVITATION_VALID_DAYS,
    MAX_INVITATIONS_AT_ONCE,
    company_invitation_cancel,
    company_invitation_resend,
    invitation_accept_existing,
    invitation_accept_signup,
    invitation_claim_pending,
    invitation_link,
    invitations_create,
)
from .join_links import (
    join_link_create,
    join_link_regenerate,
    join_link_set_enabled,
    join_link_use,
)
from .join_requests import (
    company_create_by_user,
    join_request_create,
    join_request_decide,
    join_requests_cancel_for_user,
)
from .partners import (
    NO_SUCH_CUSTOMER,
    customer_create,
    partner_invitation_create,
    partner_invitation_decide,
)

__all__ = [
    "INVITATION_VALID_DAYS",
    "MAX_INVITATIONS_AT_ONCE",
    "NO_SUCH_CUSTOMER",
    "company_create_by_user",
    "company_file_sharing_set",
    "company_invitation_cancel",
    "company_invitation_resend",
    "customer_create",
    "invitation_accept_existing",
    "invitation_accept_signup",
    "invitation_claim_pending",
    "invitation_link",
    "invitations_create",
    "join_link_create",
    "join_link_regenerate",
    "join_link_set_enabled",
    "join_link_use",
    "join_request_create",
    "join_request_decide",
    "join_requests_cancel_for_user",
    "member_file_sharing_set",
    "partner_invitation_create",
    "partner_invitation_decide",
]
