EVENTS = {
    "user.created": "A user account was created.",
    "user.profile.updated": "A user's name or title changed.",
    "user.company.changed": "A user moved to another company.",
}
EVENTS.update(
    {
        "network.invitation.sent": "A user invited someone into their network (in-app or email).",
        "network.invitation.accepted": "A network invitation was accepted (or auto-accepted).",
        "network.invitation.declined": "A network invitation was declined.",
        "network.invitation.canceled": "The inviter canceled a pending network invitation.",
        "network.invitation.resent": "The inviter resent a network invitation.",
        "network.contact.removed": "A contact was removed from both networks.",
        "network.favorite.changed": "A contact was added to or removed from favorites.",
        "network.settings.changed": "A company changed its network settings.",
    }
)
