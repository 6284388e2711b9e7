from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Offer(models.Model):
    """What a partner sells (SPEC §3.7). The three codes are fixed; name and price are data a
    superadmin edits in the operator pages."""

    class Code(models.TextChoices):
        ESSENTIAL = "essential", _("Essential")
        BUSINESS = "business", _("Business")
        ENTERPRISE = "enterprise", _("Enterprise")

    code = models.CharField(max_length=20, choices=Code.choices, unique=True, editable=False)
    name = models.CharField(max_length=100)
    # Money is exact: Decimal with two places, never a float.
    price_per_seat_month = models.DecimalField(
        "price per seat per month (EUR)",
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["price_per_seat_month", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price_per_seat_month__gte=0),
                name="subscriptions_offer_price_not_negative",
            ),
            # SPEC §3.7: Essential is free.
            models.CheckConstraint(
                condition=~models.Q(code="essential") | models.Q(price_per_seat_month=0),
                name="subscriptions_offer_essential_free",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_essential(self) -> bool:
        return self.code == self.Code.ESSENTIAL

    @property
    def is_exclusive(self) -> bool:
        """Business and Enterprise: a user holds at most one of them (SPEC §3.7)."""
        return self.code in (self.Code.BUSINESS, self.Code.ENTERPRISE)
