"""Every page of the portal, by the role that opens it, for the accessibility and responsive
checks (issue 14; tests/e2e/test_accessibility.py).

Every named URL of the URL conf is either a PAGE here (visited by the role named, with
arguments built from the demo data) or EXCLUDED with its reason; test_every_url_is_listed
fails on a URL name that is neither, so a new page cannot slip past the checks. Adding a
page: add a line to PAGES (a role below and, if the URL takes arguments, a function of the
Demo objects), or to EXCLUDED when it is not an HTML page.
"""

from dataclasses import dataclass

# role -> the demo login that plays it (core/management/commands/seed_demo.py); None: anonymous.
ROLES = {
    "anonymous": None,
    "user": "bob@acme.test",
    "standalone": "sam@example.test",
    "company_admin": "alice@acme.test",
    "customer_admin": "admin@cobalt.test",
    "bp_admin": "pat@bridge.test",
    "bp_finance": "fin@bridge.test",
    "bp_operation": "olga@bridge.test",
    "superadmin": "admin@rainbow.test",
    "operations": "ops@rainbow.test",
}


@dataclass(frozen=True)
class Page:
    role: str
    name: str
    kwargs: object = None  # a function of Demo -> dict of URL arguments, or None
    query: str = ""
    status: int = 200  # what the role is answered; token pages answer their own refusal


def _acme(d):
    return {"slug": d.acme.slug}


def _cobalt(d):
    return {"slug": d.cobalt.slug}


PAGES = [
    # Everyone's first page: one per role (each role's dashboard differs).
    *[Page(role, "core:dashboard") for role in ROLES if role != "anonymous"],
    # The operations console and the billing details (issue 14).
    Page("operations", "core:operations"),
    Page("company_admin", "subscriptions:billing", _acme),
    Page("bp_finance", "subscriptions:billing", _cobalt),
    # Signed out.
    Page("anonymous", "accounts:login"),
    Page("anonymous", "accounts:password-reset"),
    Page("anonymous", "accounts:password-update"),
    Page("anonymous", "accounts:verify-email", lambda d: {"token": "not-a-real-token"}, status=400),
    Page("anonymous", "companies:signup"),
    Page("anonymous", "companies:signup-done"),
    Page("anonymous", "companies:invitation", lambda d: {"token": "not-a-real-token"}, status=400),
    Page("anonymous", "bubbles:guest-join", lambda d: {"token": "not-a-real-token"}, status=410),
    Page("anonymous", "retention:closed-done"),
    Page("anonymous", "retention:restore", lambda d: {"token": "not-a-real-token"}),
    # A user of a company.
    Page("user", "accounts:profile"),
    Page("user", "accounts:security"),
    Page("user", "accounts:password-change"),
    Page("user", "accounts:two-factor-setup"),
    Page("user", "companies:directory"),
    Page("user", "companies:directory", query="?q=a"),
    Page("user", "companies:person", lambda d: {"pk": d.alice.pk}),
    Page("user", "companies:company-page", lambda d: {"slug": d.acme.slug}),
    Page("user", "companies:network"),
    Page("user", "bubbles:list"),
    Page("user", "bubbles:detail", lambda d: {"pk": d.bubble.pk}),
    Page("user", "bubbles:conference", lambda d: {"pk": d.bubble.pk}),
    # Confirmation pages of destructive actions (their GET asks, the POST acts).
    Page("user", "bubbles:archive", lambda d: {"pk": d.bubble.pk}),
    Page("user", "bubbles:delete", lambda d: {"pk": d.bubble.pk}),
    Page("user", "retention:export"),
    Page("user", "retention:self-close"),
    Page("user", "subscriptions:home"),
    # A standalone user (the default company).
    Page("standalone", "companies:join-start"),
    Page("standalone", "companies:join", lambda d: {"token": "not-a-real-token"}, status=400),
    # A company admin.
    Page("company_admin", "companies:manage"),
    Page("company_admin", "companies:profile", _acme),
    Page("company_admin", "companies:members", _acme),
    Page(
        "company_admin", "companies:member", lambda d: {"slug": d.acme.slug, "member_id": d.bob.pk}
    ),
    Page(
        "company_admin",
        "companies:member-visibility",
        lambda d: {"slug": d.acme.slug, "pk": d.bob.pk},
    ),
    Page("company_admin", "companies:invitations", _acme),
    Page("company_admin", "companies:join-requests", _acme),
    Page("company_admin", "companies:join-links", _acme),
    Page("company_admin", "companies:company-visibility", _acme),
    Page("company_admin", "companies:company-security", _acme),
    Page("company_admin", "sso:providers", _acme),
    Page("company_admin", "sso:provider-add", lambda d: {"slug": d.acme.slug, "kind": "saml"}),
    Page("company_admin", "sso:provider-add", lambda d: {"slug": d.acme.slug, "kind": "oidc"}),
    Page(
        "company_admin",
        "sso:provider-edit",
        lambda d: {"slug": d.acme.slug, "provider_id": d.provider.pk},
    ),
    Page(
        "company_admin",
        "sso:provider-delete",
        lambda d: {"slug": d.acme.slug, "provider_id": d.provider.pk},
    ),
    Page("company_admin", "bubbles:company", _acme),
    Page(
        "company_admin",
        "bubbles:company-bubble",
        lambda d: {"slug": d.acme.slug, "pk": d.bubble.pk},
    ),
    Page("company_admin", "retention:admin-close", lambda d: {"user_id": d.bob.pk}),
    # An end customer's admin (subscriptions delegated "increase only").
    Page("customer_admin", "subscriptions:company", _cobalt),
    Page(
        "customer_admin",
        "subscriptions:licenses",
        lambda d: {"slug": d.cobalt.slug, "pk": d.subscription.pk},
    ),
    Page("customer_admin", "systems:home"),
    # A business partner's roles.
    Page("bp_admin", "companies:partner"),
    Page("bp_finance", "companies:partner"),
    Page("bp_finance", "subscriptions:home"),
    Page("bp_finance", "subscriptions:company", _cobalt),
    Page("bp_finance", "subscriptions:consumption", lambda d: {"slug": d.bridge.slug}),
    Page("bp_finance", "subscriptions:invoices", _cobalt),
    Page("bp_operation", "companies:partner"),
    Page("bp_operation", "companies:customer-create"),
    Page("bp_operation", "systems:home"),
    Page("bp_operation", "systems:company", _cobalt),
    Page(
        "bp_operation",
        "systems:system",
        lambda d: {"slug": d.cobalt.slug, "pk": d.system.pk},
    ),
    # Platform staff.
    Page("superadmin", "retention:dashboard"),
    Page("superadmin", "retention:admin-restore", lambda d: {"user_id": d.bob.pk}),
    Page("operations", "retention:activity-search"),
    Page("operations", "retention:activity-extract"),
]

POST_ONLY = "an action answering POST only: no page of its own"
TOKEN_FILE = "a file download (CSV, PDF, ZIP, XML), not an HTML page"
REDIRECT = "a redirect to another site or page, never a page of its own"
NOT_OURS = "third-party markup we do not write"
CONFIRM_NO_DEMO = (
    "POST acts; its GET is the shared confirmation page (core/confirm.html, walked through "
    "bubbles:archive), but the demo data has no object to name here"
)

EXCLUDED = {
    "accounts:language-set": POST_ONLY,
    "companies:company-visibility-mode": POST_ONLY,
    "metrics": "Prometheus text for scrapers, denied by default (tests/core/test_monitoring.py)",
    "readyz": "a JSON readiness probe for the load balancer (tests/core/test_monitoring.py)",
    "core:dev-outbox": "development only (DEBUG): answers 404 in tests and in production",
    "accounts:logout": POST_ONLY,
    "accounts:two-factor-verify": "checked during the superadmin's second sign-in (see the test)",
    "accounts:two-factor-disable": POST_ONLY,
    "accounts:recovery-codes": POST_ONLY,
    "accounts:sessions-end-all": POST_ONLY,
    "accounts:api-token-create": POST_ONLY,
    "accounts:api-token-revoke": CONFIRM_NO_DEMO,
    "sso:start": REDIRECT,
    "sso:saml-acs": POST_ONLY,
    "sso:saml-metadata": TOKEN_FILE,
    "sso:saml-sls": REDIRECT,
    "sso:oidc-callback": REDIRECT,
    "sso:test-result": (
        "needs a finished round trip to an identity provider (tests/e2e/test_sso_journeys.py)"
    ),
    "sso:provider-default": POST_ONLY,
    "sso:provider-refresh": POST_ONLY,
    "sso:test-start": POST_ONLY,
    "companies:visibility-request-answer": POST_ONLY,
    "companies:join-request": POST_ONLY,
    "companies:partner-offer-create": POST_ONLY,
    "companies:file-sharing": POST_ONLY,
    "companies:member-role": POST_ONLY,
    "companies:member-file-sharing": POST_ONLY,
    "companies:invitation-resend": POST_ONLY,
    "companies:invitation-cancel": POST_ONLY,
    "companies:join-request-decide": POST_ONLY,
    "companies:join-link-toggle": POST_ONLY,
    "companies:join-link-regenerate": POST_ONLY,
    "companies:partner-offer-decide": POST_ONLY,
    "companies:network-invite": POST_ONLY,
    "companies:network-invite-email": POST_ONLY,
    "companies:network-invitation": CONFIRM_NO_DEMO,
    "companies:network-contact-remove": CONFIRM_NO_DEMO,
    "companies:network-contact-favorite": POST_ONLY,
    "companies:network-presence": POST_ONLY,
    "companies:own-visibility": POST_ONLY,
    "companies:member-profile-lock": POST_ONLY,
    "subscriptions:delegation": POST_ONLY,
    "subscriptions:seats": POST_ONLY,
    "subscriptions:status": POST_ONLY,
    "subscriptions:license-release": POST_ONLY,
    "subscriptions:invoice-csv": TOKEN_FILE,
    "subscriptions:invoice-pdf": TOKEN_FILE,
    "systems:associate": POST_ONLY,
    "bubbles:rename": POST_ONLY,
    "bubbles:accept": POST_ONLY,
    "bubbles:leave": POST_ONLY,
    "bubbles:member-add": POST_ONLY,
    "bubbles:member-action": CONFIRM_NO_DEMO,
    "bubbles:guest-invite": POST_ONLY,
    "bubbles:message-post": POST_ONLY,
    "bubbles:message-delete": POST_ONLY,
    "bubbles:file-upload": POST_ONLY,
    "bubbles:file-download": TOKEN_FILE,
    "bubbles:conversation-email": POST_ONLY,
    "bubbles:conference-state": "a fragment polled by the conference page (JSON/HTML part)",
    "bubbles:conference-start": POST_ONLY,
    "bubbles:conference-join": POST_ONLY,
    "bubbles:conference-end": POST_ONLY,
    "bubbles:conference-admit": POST_ONLY,
    "retention:export-download": TOKEN_FILE,
    "retention:hold-create": POST_ONLY,
    "retention:hold-release": POST_ONLY,
    "api-schema": "the OpenAPI document (YAML), not a page",
    "api-docs": f"Swagger UI: {NOT_OURS}",
    "healthz": "the health probe (plain text)",
}
# Whole namespaces left out, with why.
EXCLUDED_NAMESPACES = {
    "admin": f"Django's admin: {NOT_OURS}",
    "api": "the JSON API (tests/api and schemathesis cover it)",
}
