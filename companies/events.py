EVENTS = {
    "company.created": "A company was created.",
    "role.granted": "A company role was granted to a member.",
    "role.revoked": "A company role was removed from a member.",
    "company.visibility.changed": "A company's visibility mode changed.",
    "company.organization.changed": "A company joined or left an organization.",
}
EVENTS.update(
    {
        "company.updated": "A company's name, status or kind changed.",
        "company.partner.changed": "An end customer was linked to or unlinked from a partner.",
        "company.domain.added": "An email domain was given to a company.",
        "company.domain.removed": "An email domain was taken from a company.",
        "company.file_sharing.changed": "A company switched file sharing on or off.",
        "member.file_sharing.changed": "A member's file-sharing setting changed.",
        "organization.created": "An organization was created.",
        "organization.renamed": "An organization was renamed.",
        "invitation.created": "A company invited an email address to join it.",
        "invitation.resent": "A company invitation was sent again with a fresh link.",
        "invitation.canceled": "A company invitation was canceled.",
        "invitation.accepted": "A company invitation was accepted.",
        "join_request.created": "A standalone user asked to join a company.",
        "join_request.accepted": "A company accepted a join request.",
        "join_request.declined": "A company declined a join request.",
        "join_link.created": "A company created a join link.",
        "join_link.enabled": "A join link was switched on.",
        "join_link.disabled": "A join link was switched off.",
        "join_link.used": "A standalone user joined a company through a join link.",
        "partner_invitation.created": "A partner offered to become a company's partner.",
        "partner_invitation.accepted": "A company accepted a partner's offer.",
        "partner_invitation.declined": "A company declined a partner's offer.",
        "partner_invitation.canceled": "A partner withdrew its offer.",
    }
)
