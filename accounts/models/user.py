from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Value
from django.db.models.functions import Concat, Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activity.policies import holds_operations
from core.validation import validate_name

# settings.LANGUAGES' codes; kept literal so that the migration does not follow settings.
LANGUAGE_CHOICES = [("en", "English"), ("fr", "Français")]

# The profile fields a user edits (and a company may lock, SPEC §7.7).
PROFILE_FIELDS = ("first_name", "last_name", "title")


def normalize_email(email: str) -> str:
    """Emails are the login and are compared case-insensitively (SPEC §2.4): stored lower-case."""
    return (email or "").strip().lower()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        return self.get(email__iexact=normalize_email(username))

    def _create(self, email, password, **extra):
        # Django's createsuperuser needs this manager on the model; the rule-keeping creation
        # (a company, the visibility copies, the activity record) is the companies layer's
        # `user_create` service, so the manager hands over to it. The one upward import in
        # accounts, declared in the import-linter contracts (issue 9).
        from companies.selectors import default_company
        from companies.services import user_create

        if not email:
            raise ValueError("An email address is required.")
        company = extra.pop("company", None) or default_company()
        user = user_create(email=email, company=company, actor=None, **extra)
        user.set_password(password)
        user.save(using=self._db, update_fields=["password"])
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Email is the login; every user belongs to exactly one company (SPEC §2.4)."""

    email = models.EmailField("email address", max_length=254, unique=True)
    first_name = models.CharField(max_length=150, blank=True, validators=[validate_name])
    last_name = models.CharField(max_length=150, blank=True, validators=[validate_name])
    title = models.CharField(max_length=150, blank=True, validators=[validate_name])
    company = models.ForeignKey(
        "companies.Company", on_delete=models.PROTECT, related_name="members"
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False, help_text="Platform staff: may sign in to the operator pages."
    )
    date_joined = models.DateTimeField(default=timezone.now)
    # The language the user chose with the switcher (issue 14); blank = the browser's. Pages
    # and the emails sent to them use it (accounts.language, core.services.email_send).
    language = models.CharField(max_length=8, blank=True, default="", choices=LANGUAGE_CHOICES)

    # SPEC §4.1: a member's own mode; blank = "same as company". Only an admin sets it, through
    # `companies.visibility.services.user_visibility_override_set`.
    class VisibilityOverride(models.TextChoices):
        SAME = "", _("Same as company")
        PUBLIC = "public", _("Public")
        PRIVATE = "private", _("Private")

    visibility_override = models.CharField(
        max_length=10, choices=VisibilityOverride.choices, blank=True, default=""
    )
    # The directory search's inputs, copied onto the user row so that one indexed SQL
    # statement can apply SPEC §4 (decision D4.1). Derived from the company and the override;
    # kept in step only by the services that change those (companies.visibility.inputs).
    visibility_mode = models.CharField(max_length=20, default="public", editable=False)
    visibility_org_id = models.BigIntegerField(null=True, blank=True, editable=False)
    visibility_china = models.BooleanField(default=False, editable=False)
    # SPEC §7.1: an account whose address is not verified is not findable. A copy of
    # `UserSecurity.email_verified`, written only by `accounts.services.user_verified_set`.
    visibility_verified = models.BooleanField(default=True, editable=False)
    # Search keys for prefix matching on "first last" (covers the first name) and on the last
    # name; computed by the database so no writer can forget them.
    name_key = models.GeneratedField(
        expression=Lower(Concat("first_name", Value(" "), "last_name")),
        output_field=models.CharField(max_length=301),
        db_persist=True,
    )
    last_key = models.GeneratedField(
        expression=Lower("last_name"),
        output_field=models.CharField(max_length=150),
        db_persist=True,
    )
    # SPEC §4.7: presence, shown only to contacts (accounts.selectors.presence_for).
    last_seen_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]
        # A company's members list is ordered by email within the company (issue 3).
        indexes = [models.Index(fields=["company", "email"], name="accounts_user_company_email")]

    def __str__(self):
        return self.get_full_name() or self.email

    def clean(self):
        super().clean()
        self.email = normalize_email(self.email)

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email

    @property
    def is_operations(self) -> bool:
        """SPEC §10.4: the permission itself; a superadmin without it is not operations."""
        return holds_operations(self)
