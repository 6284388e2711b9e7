EVENTS = {
    "company.created": "A company was created.",
    "role.granted": "A company role was granted to a member.",
    "role.revoked": "A company role was removed from a member.",
    "company.visibility.changed": "A company's visibility mode changed.",
    "company.organization.changed": "A company joined or left an organization.",
}
