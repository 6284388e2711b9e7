"""The rights tables of SPEC §3.3–3.5, as data. Policies read these; nothing else decides.

Scopes: OWN is the actor's own company ("BP" for a partner, "own" for a customer's admin);
CUSTOMER is an end customer whose business partner is the actor's company ("EC").
Every right absent from a table is denied (SPEC §3.6).
"""

from django.utils.translation import gettext_lazy

from .models import Role

OWN = "own_company"
CUSTOMER = "customer_company"

# A cell is True, False, or DELEGATED: allowed only while the customer's partner delegated
# subscription management to the customer's admins (SPEC §3.4).
DELEGATED = "delegated"

MANAGE_COMPANY = "manage_company"
CREATE_EQUIPMENT = "create_equipment"
MANAGE_SYSTEMS = "manage_systems"
CREATE_SUBSCRIPTION = "create_subscription"
MANAGE_SUBSCRIPTIONS = "manage_subscriptions"
ALLOCATE_LICENSES = "allocate_licenses"
VIEW_INVOICES = "view_invoices"

ACTIONS = (
    MANAGE_COMPANY,
    CREATE_EQUIPMENT,
    MANAGE_SYSTEMS,
    CREATE_SUBSCRIPTION,
    MANAGE_SUBSCRIPTIONS,
    ALLOCATE_LICENSES,
    VIEW_INVOICES,
)

# Each action in plain words, for people reading what a role lets them do (issue 14); the
# yes and no come from RIGHTS below, never from a second copy of the table.
ACTION_WORDS = {
    MANAGE_COMPANY: gettext_lazy("edit the company's profile and invite its members"),
    CREATE_EQUIPMENT: gettext_lazy("add sites and phone systems"),
    MANAGE_SYSTEMS: gettext_lazy("give members their extensions on the systems"),
    CREATE_SUBSCRIPTION: gettext_lazy("take out subscriptions"),
    MANAGE_SUBSCRIPTIONS: gettext_lazy("change, suspend and end subscriptions"),
    ALLOCATE_LICENSES: gettext_lazy("give licenses to members and take them back"),
    VIEW_INVOICES: gettext_lazy("see invoices and consumption"),
}

_ = False
Y = True

# role -> action -> (OWN, CUSTOMER)
RIGHTS: dict[str, dict[str, tuple]] = {
    # SPEC §3.3 / §3.4 / §3.5, row by row. bp_operation's "manage subscriptions: only if also
    # bp_finance" is a "no" here: holding bp_finance grants it through bp_finance's row.
    Role.BP_OPERATION: {
        MANAGE_COMPANY: (Y, Y),
        CREATE_EQUIPMENT: (Y, Y),
        MANAGE_SYSTEMS: (Y, Y),
        CREATE_SUBSCRIPTION: (_, _),
        MANAGE_SUBSCRIPTIONS: (_, _),
        ALLOCATE_LICENSES: (Y, Y),
        VIEW_INVOICES: (_, _),
    },
    Role.BP_FINANCE: {
        MANAGE_COMPANY: (Y, Y),
        CREATE_EQUIPMENT: (_, _),
        MANAGE_SYSTEMS: (_, _),
        CREATE_SUBSCRIPTION: (Y, Y),
        MANAGE_SUBSCRIPTIONS: (Y, Y),
        ALLOCATE_LICENSES: (Y, Y),
        VIEW_INVOICES: (Y, Y),
    },
    Role.BP_ADMIN: {
        MANAGE_COMPANY: (Y, _),
        CREATE_EQUIPMENT: (Y, _),
        MANAGE_SYSTEMS: (Y, _),
        CREATE_SUBSCRIPTION: (Y, _),
        MANAGE_SUBSCRIPTIONS: (Y, _),
        ALLOCATE_LICENSES: (Y, Y),
        VIEW_INVOICES: (_, _),
    },
    # An end customer's admin acts on its own company only.
    Role.COMPANY_ADMIN: {
        MANAGE_COMPANY: (Y, _),
        CREATE_EQUIPMENT: (_, _),
        MANAGE_SYSTEMS: (Y, _),
        CREATE_SUBSCRIPTION: (Y, _),
        MANAGE_SUBSCRIPTIONS: (DELEGATED, _),
        ALLOCATE_LICENSES: (Y, _),
        VIEW_INVOICES: (_, _),
    },
}

PARTNER_ROLES = frozenset({Role.BP_ADMIN, Role.BP_FINANCE, Role.BP_OPERATION})


def cell(role: str, action: str, scope: str):
    row = RIGHTS.get(role, {}).get(action)
    if row is None:
        return False
    return row[0] if scope == OWN else row[1] if scope == CUSTOMER else False


def rights_in_words(role: str) -> dict[str, list]:
    """What `role` may do, in ACTION_WORDS, read from its RIGHTS row: on the actor's own
    company, on its customers, and what it may do on neither. A delegated cell is not a
    right of its own (it depends on the partner), so it is listed under neither."""
    own, customer, neither = [], [], []
    for action in ACTIONS:
        mine, theirs = RIGHTS[role][action]
        if mine is True:
            own.append(ACTION_WORDS[action])
        if theirs is True:
            customer.append(ACTION_WORDS[action])
        if mine is not True and theirs is not True:
            neither.append(ACTION_WORDS[action])
    return {"own": own, "customer": customer, "neither": neither}
