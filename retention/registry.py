"""Every field that may hold personal data, in one place (SPEC §8.3–8.4).

`PERSONAL[model][field]` says what the pipeline does with it; `NOT_PERSONAL[model]` lists the
text fields of the same models that hold none (codes, statuses, hashes). A test walks every
model that is the User or points at it and fails when one of its text or file fields is in
neither list: a new personal field cannot slip past the anonymizer unnoticed.

Actions (what `retention.anonymize` and `retention.deletion` do):
- "replace": overwritten at T+30 on the user row (email, names, title; password made unusable).
- "delete_rows": the rows that carry it are deleted at T+30 (tokens, sessions, devices,
  contacts, invitations naming the address, emails sent to it, exports).
- "scrub_text": the text is rewritten at T+30 where it names the user (emails sent to
  others that quote the user's name or address; the admin log's object label).
- "delete_at_t60": kept while an operator needs it, deleted with the standalone user at T+60.
"""

REPLACE = "replace"
DELETE_ROWS = "delete_rows"
SCRUB_TEXT = "scrub_text"
DELETE_AT_T60 = "delete_at_t60"

PERSONAL: dict[str, dict[str, str]] = {
    "accounts.User": {
        "email": REPLACE,
        "first_name": REPLACE,
        "last_name": REPLACE,
        "title": REPLACE,
        "password": REPLACE,
    },
    "accounts.Invitation": {"email": DELETE_ROWS},
    "accounts.UserSession": {"user_agent": DELETE_ROWS, "session_key": DELETE_ROWS},
    "companies.CompanyInvitation": {"email": DELETE_ROWS},
    "accounts.PersonalToken": {
        "name": DELETE_ROWS,
        "prefix": DELETE_ROWS,
        "secret_hash": DELETE_ROWS,
        "revoked_reason": DELETE_ROWS,
    },
    "otp_totp.TOTPDevice": {"name": DELETE_ROWS, "key": DELETE_ROWS},
    # The sealed-seed proxy of the same table (issue 10): its rows go with TOTPDevice's.
    "accounts.AuthenticatorDevice": {"name": DELETE_ROWS, "key": DELETE_ROWS},
    # An admin's SSO connection test shows what an IdP asserted about someone: deleted with
    # the admin's credentials at T+30 (and by sso's hourly purge after a day anyway).
    "sso.ConnectionTest": {"reason": DELETE_ROWS, "asserted": DELETE_ROWS},
    "admin.LogEntry": {"object_repr": SCRUB_TEXT, "change_message": SCRUB_TEXT},
    "retention.DataExport": {"storage_name": DELETE_ROWS},
    # Bubbles (SPEC §8.3-8.4): a standalone user's files go at T+30 (blob) and T+60 (row),
    # their messages at T+60; a company user's stay with the company. Guest traces that name
    # the old address are rewritten at T+30.
    "bubbles.BubbleFile": {"display_name": DELETE_AT_T60, "storage_name": DELETE_ROWS},
    "bubbles.Message": {"body_sealed": DELETE_AT_T60},
    "bubbles.BubbleMember": {"guest_email": SCRUB_TEXT},
    "bubbles.GuestInvitation": {"email": SCRUB_TEXT},
    "retention.LegalHold": {"reason": DELETE_AT_T60},
    # No FK to the user, found by address or by text (see OTHER_PERSONAL_MODELS).
    "core.OutboundEmail": {
        "to": DELETE_ROWS,
        "subject": SCRUB_TEXT,
        "body_text": SCRUB_TEXT,
        "body_html": SCRUB_TEXT,
        "last_error": SCRUB_TEXT,  # an SMTP refusal may quote the address
        # A conversation export, sealed (D17b.2); it goes with its row, addressed to its owner.
        "body_sealed": DELETE_ROWS,
    },
    "sessions.Session": {"session_data": DELETE_ROWS},
}

NOT_PERSONAL: dict[str, set[str]] = {
    "accounts.User": {"visibility_override", "visibility_mode", "language"},
    "accounts.Invitation": {"kind", "status"},
    "accounts.EmailVerification": {"token_hash"},
    "accounts.PasswordResetCode": {"code_hash"},
    "accounts.RecoveryCode": {"code_hash"},
    "admin.LogEntry": {"object_id"},
    "companies.RoleAssignment": {"role"},
    "companies.CompanyInvitation": {"role", "token_hash", "status"},
    "companies.JoinRequest": {"status"},
    "companies.JoinLink": {"token_hash"},
    "companies.PartnerInvitation": {"status"},
    "companies.VisibilityRequest": {"status"},
    "core.OutboundEmail": {"template", "status"},
    "companies.MemberFileSharing": {"mode"},
    "subscriptions.Extension": {"number"},
    "retention.AccountClosure": {"stage", "closed_by_kind"},
    "retention.RestoreToken": {"token_hash"},
    # A bubble's name and topic are the bubble's, shared by its members, kept when one leaves.
    "bubbles.Bubble": {"name", "topic", "status"},
    "bubbles.BubbleFile": {"sha256", "key_id", "content_type"},
    "bubbles.BubbleMember": {"role", "status"},
    "bubbles.Conference": {"state"},
    "bubbles.ConferenceEntry": {"state"},
    "bubbles.GuestInvitation": {"token_hash"},
    "retention.DataExport": {"status", "token_hash"},
    "sessions.Session": {"session_key"},
    "accounts.PersonalToken": {"scope", "roles_at_creation"},
    "accounts.UserSecurity": {"recent_failures"},
    "sso.SamlRequest": {"id", "purpose", "next_url", "browser_digest"},
}

# Models without a foreign key to the user that still hold personal data: the test checks
# they are covered too, and the anonymizer handles them by address or text.
OTHER_PERSONAL_MODELS = {"core.OutboundEmail", "sessions.Session"}

# Models whose admin label (`str()`, copied by the Django admin into LogEntry.object_repr)
# names a user, with the field that holds that user ("pk": the user itself). Their entries
# are scrubbed at T+30 and deleted with a standalone user at T+60 (D12.5).
ADMIN_LOG_LABELS: dict[str, str] = {
    "accounts.User": "pk",
    "companies.RoleAssignment": "user_id",
    "companies.JoinRequest": "user_id",
    "accounts.UserSecurity": "user_id",
}

# Text shown in place of a person once anonymized (SPEC §8.3: others see `***`).
ANONYMOUS_NAME = "***"


ANONYMOUS_DOMAIN = "anonymized.invalid"


def anonymous_email(user_id: int, suffix: str = "") -> str:
    """Unique (the email column is), meaningless, and undeliverable (.invalid, RFC 2606).
    `suffix`: for the rare user whose address another row already holds (D17r.1)."""
    return f"closed-{user_id}{'-' + suffix if suffix else ''}@{ANONYMOUS_DOMAIN}"


def fields_for(label: str, action: str) -> list[str]:
    return [name for name, what in PERSONAL.get(label, {}).items() if what == action]
