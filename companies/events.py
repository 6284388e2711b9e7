from accounts.events import EVENTS as ACCOUNT_EVENTS

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
        "join_request.canceled": "A pending join request ended with its user's account closure.",
        "join_link.created": "A company created a join link.",
        "join_link.enabled": "A join link was switched on.",
        "join_link.disabled": "A join link was switched off.",
        "join_link.regenerated": "A join link got a new token; the old link stopped working.",
        "join_link.used": "A standalone user joined a company through a join link.",
        "partner_invitation.created": "A partner offered to become a company's partner.",
        "partner_invitation.accepted": "A company accepted a partner's offer.",
        "partner_invitation.declined": "A company declined a partner's offer.",
    }
)

# Recorded by companies since the network, sign-up and user placement moved here (issue 9;
# D9.1); their meanings stay written once, in accounts/events.py.
EVENTS.update(
    {
        name: ACCOUNT_EVENTS[name]
        for name in (
            "network.contact.removed",
            "network.favorite.changed",
            "network.invitation.accepted",
            "network.invitation.canceled",
            "network.invitation.declined",
            "network.invitation.resent",
            "network.invitation.sent",
            "network.settings.changed",
            "user.company.changed",
            "user.created",
            "user.signup.repeated",
        )
    }
)
