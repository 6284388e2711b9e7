EVENTS = {
    "company.created": "A company was created.",
    "role.granted": "A company role was granted to a member.",
    "role.revoked": "A company role was removed from a member.",
    "company.visibility.changed": "A company's visibility mode changed.",
    "company.organization.changed": "A company joined or left an organization.",
    "organization.created": "A superadmin created an organization.",
    "member.visibility.changed": "An admin changed a member's own visibility mode.",
    "visibility.grant.created": "A superadmin let one company see another.",
    "visibility.grant.revoked": "A visibility grant was removed.",
    "visibility.request.created": "A company admin asked another company for mutual visibility.",
    "visibility.request.accepted": "A mutual-visibility request was accepted (two grants).",
    "visibility.request.declined": "A mutual-visibility request was declined.",
}
