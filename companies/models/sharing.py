"""File-sharing switches (SPEC §9.4): per company, and per user overriding the company's.
A missing row means the default: sharing on, user "same as company"."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CompanyFileSharing(models.Model):
    company = models.OneToOneField(
        "companies.Company", on_delete=models.CASCADE, related_name="file_sharing"
    )
    enabled = models.BooleanField(default=True)

    def __str__(self):
        return f"{self.company}: {'on' if self.enabled else 'off'}"


class FileSharingMode(models.TextChoices):
    SAME_AS_COMPANY = "same", _("Same as company")
    ENABLED = "enabled", _("Enabled")
    DISABLED = "disabled", _("Disabled")


class MemberFileSharing(models.Model):
    user = models.OneToOneField(
        "accounts.User", on_delete=models.CASCADE, related_name="file_sharing"
    )
    mode = models.CharField(
        max_length=10, choices=FileSharingMode.choices, default=FileSharingMode.SAME_AS_COMPANY
    )

    def __str__(self):
        return f"{self.user}: {self.mode}"
