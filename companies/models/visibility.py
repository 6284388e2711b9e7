from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class VisibilityGrant(models.Model):
    """SPEC §4.6: members of `visible_by` find members of `company`. One direction per row;
    two rows make two companies see each other."""

    company = models.ForeignKey(
        "companies.Company", on_delete=models.CASCADE, related_name="visibility_grants"
    )
    visible_by = models.ForeignKey(
        "companies.Company", on_delete=models.CASCADE, related_name="visibility_received"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["visible_by", "company"], name="companies_visibility_grant_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(company=models.F("visible_by")),
                name="companies_visibility_grant_not_self",
            ),
        ]

    def __str__(self):
        return f"{self.company} visible by {self.visible_by}"


class VisibilityRequest(models.Model):
    """SPEC §4.6: a company admin asks another company's admins for mutual visibility;
    acceptance creates both grants."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    from_company = models.ForeignKey(
        "companies.Company", on_delete=models.CASCADE, related_name="visibility_requests_sent"
    )
    to_company = models.ForeignKey(
        "companies.Company", on_delete=models.CASCADE, related_name="visibility_requests_received"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["from_company", "to_company"],
                condition=models.Q(status="pending"),
                name="companies_visibility_request_one_pending",
            ),
            models.CheckConstraint(
                condition=~models.Q(from_company=models.F("to_company")),
                name="companies_visibility_request_not_self",
            ),
        ]

    def __str__(self):
        return f"{self.from_company} → {self.to_company} ({self.status})"
