"""The visibility inputs copied onto each user row (decision D4.1).

`visibility_mode` (effective mode, SPEC §4.1), `visibility_org_id` (the company's organization)
and `visibility_china` (SPEC §2.3) let one indexed statement apply SPEC §4. They are derived
here and written (`visibility/services.py`) only by the services that change what they derive
from, in the same transaction: `company_visibility_set`, `company_organization_set`,
`user_move_to_company`, `user_visibility_override_set`. The pure predicate never reads them
(it reads the company and the override), so the property test also proves that these copies
are in step.
"""

from ..models import Region, VisibilityMode

# SPEC §4.1: the overrides a member may have, by company mode.
ALLOWED_OVERRIDES = {
    VisibilityMode.PUBLIC: frozenset({VisibilityMode.PRIVATE}),
    VisibilityMode.PRIVATE: frozenset({VisibilityMode.PUBLIC}),
    VisibilityMode.CLOSED: frozenset({VisibilityMode.PUBLIC, VisibilityMode.PRIVATE}),
    VisibilityMode.ISOLATED: frozenset({VisibilityMode.PUBLIC, VisibilityMode.PRIVATE}),
    VisibilityMode.ORGANIZATION: frozenset({VisibilityMode.PUBLIC, VisibilityMode.PRIVATE}),
}


def effective_mode(*, company_mode: str, override: str) -> str:
    return override or company_mode


def derive_inputs(user) -> None:
    """Set the copies on an unsaved or about-to-be-saved user from its company."""
    company = user.company
    user.visibility_mode = effective_mode(
        company_mode=company.visibility, override=user.visibility_override
    )
    user.visibility_org_id = company.organization_id
    user.visibility_china = company.region == Region.CHINA


INPUT_FIELDS = ["visibility_mode", "visibility_org_id", "visibility_china"]
