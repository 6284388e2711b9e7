from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from core.validation import validate_name

activation_code_validator = RegexValidator(r"^\d{4}$", "An activation code is 4 digits.")
extension_validator = RegexValidator(r"^\d{2,8}$", "An extension number is 2 to 8 digits.")


class Site(models.Model):
    """A place of a company where systems are installed (SPEC §3.8)."""

    company = models.ForeignKey("companies.Company", on_delete=models.PROTECT, related_name="sites")
    name = models.CharField(max_length=120, validators=[validate_name])
    address = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["company_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="subscriptions_site_unique")
        ]

    def __str__(self):
        return self.name


class System(models.Model):
    """A PBX system on a site, with its 4-digit activation code (SPEC §3.8)."""

    class Kind(models.TextChoices):
        OXE = "oxe", _("OmniPCX Enterprise (OXE)")
        OXO = "oxo", _("OmniPCX Office (OXO)")
        THIRD_PARTY = "third_party", _("Third-party PBX")
        WEBRTC_GATEWAY = "webrtc_gateway", _("WebRTC gateway")

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="systems")
    name = models.CharField(max_length=120, validators=[validate_name])
    kind = models.CharField(max_length=20, choices=Kind.choices)
    activation_code = models.CharField(max_length=4, validators=[activation_code_validator])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["site_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="subscriptions_system_unique"),
        ]

    def __str__(self):
        return self.name


class Extension(models.Model):
    """An extension number of a system, unique within it, associated with at most one member
    of the system's company (SPEC §3.8)."""

    system = models.ForeignKey(System, on_delete=models.CASCADE, related_name="extensions")
    number = models.CharField(max_length=8, validators=[extension_validator])
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="extensions",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # Numerically: 99 before 100 (numbers are digits only; "007" after "7" as a tie).
        ordering = ["system_id", Cast("number", models.BigIntegerField()), "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["system", "number"], name="subscriptions_extension_unique_in_system"
            ),
            # SPEC §3.8: a member holds at most one extension on a given system.
            models.UniqueConstraint(
                fields=["system", "user"],
                condition=models.Q(user__isnull=False),
                name="subscriptions_extension_one_per_member",
            ),
        ]

    def __str__(self):
        return self.number
