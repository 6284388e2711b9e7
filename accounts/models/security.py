"""Account security state (SPEC §7): kept beside the User, never on it, so that the User
model stays the concern of the profile and visibility work."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class TwoFactorPolicy(models.TextChoices):
    NEVER = "never", _("Never required")
    ADMINS = "admins", _("Required for admins")
    ALWAYS = "always", _("Required for everyone")


class CompanySecurityPolicy(models.Model):
    """A company's account-security settings (SPEC §7.1, §7.5, §7.7). A company without a
    row has the defaults: minimum 8 characters, two-factor never required, profiles open."""

    company = models.OneToOneField(
        "companies.Company", on_delete=models.CASCADE, related_name="security_policy"
    )
    password_min_length = models.PositiveSmallIntegerField(
        default=8, validators=[MinValueValidator(8), MaxValueValidator(64)]
    )
    two_factor = models.CharField(
        max_length=10, choices=TwoFactorPolicy.choices, default=TwoFactorPolicy.NEVER
    )
    lock_profiles = models.BooleanField(
        "lock every member's name and title",
        default=False,
        help_text=_("Members cannot change their title, first name or last name."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "company security policies"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(password_min_length__gte=8, password_min_length__lte=64),
                name="accounts_policy_min_length_8_64",
            )
        ]

    def __str__(self):
        return f"Security policy of {self.company}"


class UserSecurity(models.Model):
    """Per-user security state: verification, lockout counters, profile lock."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="security"
    )
    # False only for a self-registered account that has not followed its link (SPEC §7.1).
    email_verified = models.BooleanField(default=True)
    failed_logins = models.PositiveSmallIntegerField(default=0)
    # Epoch seconds of the failures still on the 60-minute clock (at most 5, SPEC §7.3).
    recent_failures = models.JSONField(default=list, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    profile_locked = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "user security"

    def __str__(self):
        return f"Security of {self.user}"


class EmailVerification(models.Model):
    """A single-use sign-up verification link. Only the SHA-256 of the token is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_verifications"
    )
    token_hash = models.CharField(max_length=80, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Email confirmation of {self.user_id}"


class PasswordResetCode(models.Model):
    """A 6-digit reset code (SPEC §7.2): 15 minutes, 5 attempts, single use. Stored hashed,
    keyed to its user, so a code is worthless for another account."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reset_codes"
    )
    code_hash = models.CharField(max_length=80)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    # A newer code replaces the older ones: only the latest may be used.
    superseded = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self):
        return f"Reset code of {self.user_id}"


class RecoveryCode(models.Model):
    """A two-factor recovery code (SPEC §7.5): shown once, stored as a keyed digest."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes"
    )
    code_hash = models.CharField(max_length=80)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Recovery code of {self.user_id}"


class UserSession(models.Model):
    """A signed-in browser session of a user, for the active-session list and for ending
    every other session at a password change."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="login_sessions"
    )
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField()
    user_agent = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-last_seen"])]

    def __str__(self):
        return f"Session of {self.user_id}"
