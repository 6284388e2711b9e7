from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

import activity
from rainbow_portal.exceptions import ApplicationError

from ..models import Offer


def _money(value) -> Decimal:
    if isinstance(value, float):
        # A float has already lost the cents it was meant to hold.
        raise ApplicationError(_("Prices are exact decimals, not floating-point numbers."))
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ApplicationError(_("“%(value)s” is not a price.") % {"value": value}) from None
    if amount != amount.quantize(Decimal("0.01")):
        raise ApplicationError(_("A price has at most two decimal places."))
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def offer_update(
    *, offer: Offer, actor, name: str | None = None, price=None, description: str | None = None
) -> Offer:
    """Change an offer's name or price per seat per month. Superadmin only (the operator
    pages); new prices apply to invoices issued from then on."""
    if actor is not None and not actor.is_superuser:
        raise ApplicationError(_("Only a platform superadmin changes offers."), code="forbidden")
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    changed = {}
    if name is not None and name.strip() and name.strip() != offer.name:
        changed["name"] = name.strip()
    if description is not None and description.strip() != offer.description:
        changed["description"] = description.strip()
    if price is not None:
        amount = _money(price)
        if amount < 0:
            raise ApplicationError(_("A price cannot be negative."))
        if offer.is_essential and amount != 0:
            raise ApplicationError(_("Essential is free for everyone."))  # SPEC §3.7
        if amount != offer.price_per_seat_month:
            changed["price_per_seat_month"] = amount
    if not changed:
        return offer
    previous = str(offer.price_per_seat_month)
    for key, value in changed.items():
        setattr(offer, key, value)
    offer.full_clean()
    offer.save(update_fields=list(changed))
    activity.record(
        event="offer.updated",
        actor=actor,
        target=offer,
        data={
            "fields": sorted(changed),
            "price_from": previous,
            "price_to": str(offer.price_per_seat_month),
        },
    )
    return offer
