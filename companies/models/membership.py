"""Ways into a company (SPEC §2.6, §2.8): invitations by email, join requests from standalone
users, join links, and a business partner's invitation to an end customer."""

from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .company import Company, Role


class CompanyInvitation(models.Model):
    """An email invitation to join a company. Only a hash of the emailed token is kept, so a
    database reader cannot follow someone else's link."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        CANCELED = "canceled", _("Canceled")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(max_length=254)
    # The first admin of a partner-created customer is invited with the admin role.
    role = models.CharField(max_length=20, choices=Role.choices, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    invited_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    send_count = models.PositiveSmallIntegerField(default=1)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                "company",
                Lower("email"),
                condition=models.Q(status="pending"),
                name="companies_invitation_one_pending_per_email",
            )
        ]
        indexes = [models.Index(Lower("email"), "status", name="companies_inv_email_status")]

    def __str__(self):
        return f"{self.email} → {self.company}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.PENDING and not self.is_expired


class JoinRequest(models.Model):
    """A standalone user asks to join a company; its admins accept or decline (SPEC §2.6)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        CANCELED = "canceled", _("Canceled")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="join_requests")
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "user"],
                condition=models.Q(status="pending"),
                name="companies_joinrequest_one_pending",
            )
        ]

    def __str__(self):
        return f"{self.user} → {self.company}"


class JoinLink(models.Model):
    """A shareable link that lets standalone users join a company, with an expiry, a maximum
    number of users, and an on/off switch (SPEC §2.6). Like invitation tokens, only a hash of
    the token is kept: the full link is shown once, at creation or regeneration (D3.12)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="join_links")
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    max_uses = models.PositiveIntegerField()
    use_count = models.PositiveIntegerField(default=0)
    is_enabled = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(use_count__lte=models.F("max_uses")),
                name="companies_joinlink_uses_within_max",
            ),
            models.CheckConstraint(
                condition=models.Q(max_uses__gte=1), name="companies_joinlink_max_positive"
            ),
        ]

    def __str__(self):
        return f"Join link of {self.company}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_exhausted(self) -> bool:
        return self.use_count >= self.max_uses

    @property
    def is_usable(self) -> bool:
        return self.is_enabled and not self.is_expired and not self.is_exhausted


class PartnerInvitation(models.Model):
    """A business partner offers to become an end customer's partner; the customer's admin
    accepts or declines (SPEC §2.8)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        CANCELED = "canceled", _("Canceled")

    partner = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="partner_invitations"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    invited_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "customer"],
                condition=models.Q(status="pending"),
                name="companies_partnerinv_one_pending",
            )
        ]

    def __str__(self):
        return f"{self.partner} → {self.customer}"
