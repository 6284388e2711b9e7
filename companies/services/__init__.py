"""Writes on companies: the company itself (`company`), its domains and the placement of a
self-registering user (`domains`), organizations (`organizations`), roles (`roles`), and its
people's accounts (`users`)."""

from .company import (
    IMMUTABLE_FIELDS,
    RESERVED_SLUGS,
    UPDATABLE_FIELDS,
    china_link_refusal,
    company_check_immutable,
    company_create,
    company_organization_set,
    company_partner_set,
    company_update,
    company_visibility_set,
)
from .domains import (
    company_for_signup,
    domain_add,
    domain_refusal,
    domain_remove,
)
from .organizations import (
    organization_create,
    organization_rename,
)
from .roles import (
    member_role_grant,
    member_role_remove,
    role_assignment_admin_log,
    role_grant,
)
from .users import (
    user_create,
    user_move_to_company,
)

__all__ = [
    "IMMUTABLE_FIELDS",
    "RESERVED_SLUGS",
    "UPDATABLE_FIELDS",
    "china_link_refusal",
    "company_check_immutable",
    "company_create",
    "company_for_signup",
    "company_organization_set",
    "company_partner_set",
    "company_update",
    "company_visibility_set",
    "domain_add",
    "domain_refusal",
    "domain_remove",
    "member_role_grant",
    "member_role_remove",
    "organization_create",
    "organization_rename",
    "role_assignment_admin_log",
    "role_grant",
    "user_create",
    "user_move_to_company",
]
