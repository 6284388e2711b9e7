"""A company's billing details (issue 14): printed on the invoices issued after a change."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

import activity
from companies.models import Company
from rainbow_portal.exceptions import ApplicationError

BILLING_FIELDS = ("billing_name", "billing_address", "vat_number")


def vat_number_normalize(value: str) -> str:
    """ "fr 12 345 678 901" -> "FR12345678901" (spaces, dots and dashes dropped)."""
    return "".join(ch for ch in (value or "").upper() if ch not in " .-")


@transaction.atomic
def company_billing_update(
    *, company: Company, actor, billing_name: str, billing_address: str, vat_number: str
) -> Company:
    changes = {
        "billing_name": (billing_name or "").strip(),
        "billing_address": (billing_address or "").strip(),
        "vat_number": vat_number_normalize(vat_number),
    }
    changed = sorted(k for k, v in changes.items() if getattr(company, k) != v)
    if not changed:
        return company
    for key in changed:
        setattr(company, key, changes[key])
    try:
        company.full_clean(exclude=[f.name for f in Company._meta.fields if f.name not in changed])
    except ValidationError as exc:
        raise ApplicationError(
            _("Check the billing details."), code="invalid", fields=exc.message_dict
        ) from None
    company.save(update_fields=changed)
    activity.record(
        event="company.billing.updated",
        actor=actor,
        company=company.pk,
        target=company,
        data={"fields": changed},
    )
    return company
