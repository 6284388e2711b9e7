from decimal import Decimal

from subscriptions.models import Offer

# The prices of migration 0002_default_offers. A transactional test (browser journeys, the
# concurrency test) flushes the database, data migrations included: this puts the offers back.
DEFAULT_OFFERS = {
    "essential": ("Essential", Decimal("0.00")),
    "business": ("Business", Decimal("9.90")),
    "enterprise": ("Enterprise", Decimal("19.90")),
}


def ensure_offers() -> dict[str, Offer]:
    offers = {}
    for code, (name, price) in DEFAULT_OFFERS.items():
        offers[code], _ = Offer.objects.get_or_create(
            code=code, defaults={"name": name, "price_per_seat_month": price}
        )
    return offers
