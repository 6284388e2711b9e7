# One module per concern; each capability adds its own file and one import line here.
from .company import (
    ADMIN_ROLES,
    Company,
    CompanyDomain,
    Organization,
    Region,
    Role,
    RoleAssignment,
    SubscriptionDelegation,
    VisibilityMode,
)
from .membership import CompanyInvitation, JoinLink, JoinRequest, PartnerInvitation
from .sharing import CompanyFileSharing, FileSharingMode, MemberFileSharing
from .visibility import VisibilityGrant, VisibilityRequest

__all__ = [
    "ADMIN_ROLES",
    "Company",
    "CompanyDomain",
    "CompanyFileSharing",
    "CompanyInvitation",
    "FileSharingMode",
    "JoinLink",
    "JoinRequest",
    "MemberFileSharing",
    "Organization",
    "PartnerInvitation",
    "Region",
    "Role",
    "RoleAssignment",
    "SubscriptionDelegation",
    "VisibilityGrant",
    "VisibilityMode",
    "VisibilityRequest",
]
