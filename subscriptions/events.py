EVENTS = {
    "offer.updated": "An offer's name or price changed.",
    "subscription.created": "A subscription was created.",
    "subscription.seats.changed": "A subscription's number of seats changed.",
    "subscription.suspended": "A subscription was suspended.",
    "subscription.resumed": "A suspended subscription was made active again.",
    "subscription.terminated": "A subscription was terminated.",
    "subscription.delegation.changed": "A partner changed what a customer's admins may do "
    "with their subscriptions.",
    "license.assigned": "A license was assigned to a member.",
    "license.released": "A license was taken back from a member.",
    "invoice.issued": "An invoice was issued.",
    "company.billing.updated": "A company's billing details (name, address, VAT number) changed.",
    "site.created": "A site was added to a company.",
    "system.created": "A PBX system was added to a site.",
    "extension.created": "An extension number was added to a system.",
    "extension.associated": "An extension number was associated with a member.",
    "extension.dissociated": "An extension number was freed from its member.",
}
