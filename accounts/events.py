EVENTS = {
    "user.created": "A user account was created.",
    "user.profile.updated": "A user's name or title changed.",
    "user.language.changed": "A user chose the language of their pages and emails.",
    "user.company.changed": "A user moved to another company.",
    "user.password.set_by_admin": "A superadmin set or disabled a user's password in the admin.",
    "user.admin.updated": "A superadmin changed a user in the Django admin (fields named).",
    # Authentication and account security (SPEC §7).
    "user.verification.sent": "A sign-up confirmation link was emailed.",
    "user.email.verified": "A self-registered user confirmed their email address.",
    "user.email.verify_failed": "A wrong password was given to confirm a sign-up link.",
    "user.signup.repeated": (
        "An unconfirmed address signed up again: new password, older links dropped."
    ),
    "user.login.succeeded": "A user's session started (password, or SSO: see sso.signin.*).",
    "user.login.failed": "A sign-in was refused (wrong password, locked, unconfirmed, closed).",
    "user.login.throttled": "A sign-in was refused: too many failures from one IP address.",
    "user.locked": "An account was locked after repeated failed sign-ins.",
    "user.unlocked": "An operator lifted an account's sign-in lock.",
    "user.logout": "A user signed out, or their idle session was ended.",
    "user.sessions.ended": "Sessions of a user were ended (sign out everywhere, new password).",
    "user.password.reset_requested": "A password reset code was emailed.",
    "user.password.reset_failed": "A wrong password reset code was entered.",
    "user.password.reset": "A password was reset with an emailed code (unlocks the account).",
    "user.password.changed": "A signed-in user changed their password.",
    "user.two_factor.enabled": "A user enrolled an authenticator app (TOTP).",
    "user.two_factor.disabled": "A user removed two-factor authentication.",
    "user.two_factor.reset": "A superadmin removed a user's lost authenticators and codes.",
    "user.two_factor.verified": "A user passed the second sign-in step with a TOTP code.",
    "user.two_factor.recovery_used": "A user passed the second sign-in step with a recovery code.",
    "user.two_factor.recovery_regenerated": "A user generated new recovery codes.",
    "user.two_factor.failed": "A wrong or replayed second-factor code was entered.",
    "user.profile_lock.changed": "A company admin locked or unlocked a member's profile.",
    "user.api_token.created": "A user created a personal API token (never the secret).",
    "user.api_token.revoked": (
        "A personal API token was revoked (by its user, an operator, a password change, "
        "account closure, or a lost role)."
    ),
    "company.security_policy.changed": (
        "A company's password, two-factor or profile-lock policy changed."
    ),
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
