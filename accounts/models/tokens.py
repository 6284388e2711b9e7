"""Personal API tokens (SPEC §7.8): named, scoped, expiring, stored hashed, shown once."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PersonalToken(models.Model):
    class Scope(models.TextChoices):
        READ = "read", _("Read only")
        READ_WRITE = "read-write", _("Read and write")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.READ)
    # The token reads "rbp_<prefix>_<secret>": the prefix finds the row, and only the
    # SHA-256 of the whole token is kept (its 256 random bits make a slow hash pointless).
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=40, blank=True)
    # What its use needs (decision D10a.7): the company and the admin roles the user held
    # when it was made; losing any of them revokes the token at its next use.
    company_at_creation = models.ForeignKey(
        "companies.Company", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    roles_at_creation = models.JSONField(default=list, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scope__in=["read", "read-write"]),
                name="accounts_token_scope_valid",
            )
        ]

    def __str__(self):
        return f"API token “{self.name}” of {self.user_id}"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= timezone.now() else "active"

    @property
    def throttle_id(self) -> int:
        # accounts.security.throttles.TokenThrottle counts per token.
        return self.pk
