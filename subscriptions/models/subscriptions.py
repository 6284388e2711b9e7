import datetime as dt

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..dates import add_months


class BillingModel(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    PREPAID_1Y = "prepaid_1y", _("Prepaid 1 year")
    PREPAID_3Y = "prepaid_3y", _("Prepaid 3 years")
    PREPAID_5Y = "prepaid_5y", _("Prepaid 5 years")


TERM_MONTHS = {
    BillingModel.MONTHLY: 1,
    BillingModel.PREPAID_1Y: 12,
    BillingModel.PREPAID_3Y: 36,
    BillingModel.PREPAID_5Y: 60,
}


class Subscription(models.Model):
    """A company, an offer, a billing model, seats, a status and a start date (SPEC §3.7)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        TERMINATED = "terminated", _("Terminated")

    company = models.ForeignKey(
        "companies.Company", on_delete=models.PROTECT, related_name="subscriptions"
    )
    offer = models.ForeignKey("subscriptions.Offer", on_delete=models.PROTECT)
    billing = models.CharField(max_length=20, choices=BillingModel.choices)
    seats = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    start_date = models.DateField()
    # The day it was terminated: that month is still billed in full (SPEC §3.7).
    ended_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["company_id", "start_date", "id"]
        indexes = [models.Index(fields=["billing", "start_date"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(seats__gte=1), name="subscriptions_subscription_seats_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True) | models.Q(status="terminated"),
                name="subscriptions_subscription_end_only_when_terminated",
            ),
        ]

    def __str__(self):
        return f"{self.offer} · {self.get_billing_display()} · {self.seats} seats"

    @property
    def is_prepaid(self) -> bool:
        return self.billing != BillingModel.MONTHLY

    @property
    def term_months(self) -> int:
        return TERM_MONTHS[self.billing]

    @property
    def term_end(self):
        """The last day of a prepaid term (None for monthly)."""
        if not self.is_prepaid:
            return None
        return add_months(self.start_date, self.term_months) - dt.timedelta(days=1)


class SeatChange(models.Model):
    """The seat count from a moment on: the history behind billing and the consumption chart."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="seat_changes"
    )
    effective_at = models.DateTimeField()
    seats = models.PositiveIntegerField()

    class Meta:
        ordering = ["subscription_id", "effective_at", "id"]
        indexes = [models.Index(fields=["subscription", "effective_at"])]

    def __str__(self):
        return f"{self.seats} seats from {self.effective_at:%Y-%m-%d}"


class License(models.Model):
    """A seat of a subscription given to a member (SPEC §3.7). Released licenses are kept,
    with their release time, so that past consumption can be shown."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.PROTECT, related_name="licenses"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="licenses"
    )
    # Copied from the offer so that the database itself refuses a second Business/Enterprise.
    exclusive = models.BooleanField(default=False)
    assigned_at = models.DateTimeField()
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["subscription_id", "assigned_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "user"],
                condition=models.Q(released_at__isnull=True),
                name="subscriptions_license_no_duplicate",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(released_at__isnull=True, exclusive=True),
                name="subscriptions_license_one_business_or_enterprise",
            ),
        ]
        indexes = [models.Index(fields=["subscription", "released_at"])]

    def __str__(self):
        return f"{self.subscription.offer} → {self.user}"
