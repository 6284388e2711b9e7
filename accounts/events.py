EVENTS = {
    "user.created": "A user account was created.",
    "user.profile.updated": "A user's name or title changed.",
    "user.company.changed": "A user moved to another company.",
}
