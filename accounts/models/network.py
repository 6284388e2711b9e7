"""The user's network (SPEC §5): contacts, invitations, favorites, the company setting."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class Contact(models.Model):
    """One side of an accepted contact (SPEC §5.2). A contact is two rows, one per side, so
    that "my network" and the directory search read one indexed row per contact; services
    write and delete both rows together."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contacts"
    )
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # SPEC §5.3: favorites are a subset of the network, per side.
    is_favorite = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "contact"], name="accounts_contact_unique"),
            models.CheckConstraint(
                condition=~models.Q(owner=models.F("contact")), name="accounts_contact_not_self"
            ),
        ]

    def __str__(self):
        return f"{self.owner_id} ↔ {self.contact_id}"


class Invitation(models.Model):
    """An invitation to join someone's network (SPEC §5.1, §4.4). In-app: names a user.
    By email: names only an address; it reaches whoever signs in with it, and never tells the
    inviter whether the address has an account."""

    class Kind(models.TextChoices):
        IN_APP = "in_app", _("In-app")
        EMAIL = "email", _("By email")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        CANCELED = "canceled", _("Canceled")

    inviter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations_sent"
    )
    invitee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="invitations_received",
    )
    email = models.EmailField(blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    last_sent_at = models.DateTimeField()
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(Lower("email"), "status", name="accounts_invitation_email_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="in_app") & models.Q(invitee__isnull=False))
                | (models.Q(kind="email") & ~models.Q(email="")),
                name="accounts_invitation_names_someone",
            ),
        ]

    def __str__(self):
        return f"{self.inviter_id} → {self.invitee_id or self.email} ({self.status})"

    def status_for(self, user) -> str:
        """SPEC §5.4: the inviter sees a declined invitation as still pending."""
        if user.pk == self.inviter_id and self.status == self.Status.DECLINED:
            return self.Status.PENDING
        return self.status


class NetworkSettings(models.Model):
    """A company's network settings. No row means the defaults (SPEC §5.1: auto-accept on)."""

    company = models.OneToOneField(
        "companies.Company", on_delete=models.CASCADE, related_name="network_settings"
    )
    auto_accept_within_company = models.BooleanField(
        default=True,
        help_text="Invitations between members of this company are accepted at once.",
    )

    class Meta:
        verbose_name_plural = "network settings"

    def __str__(self):
        return f"Network settings of {self.company}"
