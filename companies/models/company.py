from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from core.validation import validate_name

# An EU VAT identification number: a two-letter country code and 2 to 13 letters or digits
# (e.g. FR12345678901, DE123456789), stored upper-case without spaces.
validate_vat_number = RegexValidator(
    r"^[A-Z]{2}[0-9A-Z]{2,13}$",
    _("Enter a VAT number: two country letters, then its digits (e.g. FR12345678901)."),
)


class Region(models.TextChoices):
    EMEA = "EMEA", _("EMEA")
    GERMANY = "Germany", _("Germany")
    NA = "NA", _("North America")
    CALA = "CALA", _("CALA")
    APAC = "APAC", _("APAC")
    CHINA = "China", _("China")


class VisibilityMode(models.TextChoices):
    PUBLIC = "public", _("Public")
    PRIVATE = "private", _("Private")
    CLOSED = "closed", _("Closed")
    ISOLATED = "isolated", _("Isolated")
    ORGANIZATION = "organization", _("Organization")


class SubscriptionDelegation(models.TextChoices):
    NONE = "none", _("Not delegated")
    FULL = "full", _("Full")
    INCREASE_ONLY = "increase_only", _("Increase only")


class Organization(models.Model):
    """A group of companies (SPEC §2.7). Only a superadmin creates one."""

    name = models.CharField(max_length=200, validators=[validate_name])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("name"), name="companies_organization_name_ci_unique")
        ]

    def __str__(self):
        return self.name


class Company(models.Model):
    """A tenant (SPEC §2.1)."""

    class Kind(models.TextChoices):
        END_CUSTOMER = "end_customer", _("End customer")
        BUSINESS_PARTNER = "business_partner", _("Business partner")

    class Status(models.TextChoices):
        INITIALIZING = "initializing", _("Initializing")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        TERMINATED = "terminated", _("Terminated")

    name = models.CharField(max_length=200, validators=[validate_name])
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.END_CUSTOMER)
    # Region and HDS are chosen at creation and never change (SPEC §2.3); services enforce it.
    region = models.CharField(max_length=10, choices=Region.choices)
    is_hds = models.BooleanField("healthcare (HDS)", default=False)
    visibility = models.CharField(
        max_length=20, choices=VisibilityMode.choices, default=VisibilityMode.PUBLIC
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="companies"
    )
    business_partner = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="customers"
    )
    is_default = models.BooleanField(default=False, editable=False)
    # SPEC §3.4: the partner's Finance member may let the customer's admins update their
    # subscriptions, fully or "increase only".
    subscription_delegation = models.CharField(
        max_length=20, choices=SubscriptionDelegation.choices, default=SubscriptionDelegation.NONE
    )
    # Billing details printed on its invoices (issue 14), kept by its admins or its partner's
    # Finance (subscriptions.services.billing). Copied onto each invoice at issue.
    billing_name = models.CharField(max_length=200, blank=True, default="")
    billing_address = models.TextField(max_length=500, blank=True, default="")
    vat_number = models.CharField(
        "VAT number", max_length=16, blank=True, default="", validators=[validate_vat_number]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "companies"
        constraints = [
            models.UniqueConstraint(Lower("name"), name="companies_company_name_ci_unique"),
            # SPEC §2.2: one default company.
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="companies_company_single_default",
            ),
            # SPEC §2.2: the default company never has a partner.
            models.CheckConstraint(
                condition=models.Q(is_default=False) | models.Q(business_partner__isnull=True),
                name="companies_company_default_has_no_partner",
            ),
            # SPEC §4.1: `organization` mode only for a company in an organization.
            models.CheckConstraint(
                condition=~models.Q(visibility="organization")
                | models.Q(organization__isnull=False),
                name="companies_company_org_mode_needs_org",
            ),
            models.CheckConstraint(
                condition=~models.Q(business_partner=models.F("id")),
                name="companies_company_not_own_partner",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_business_partner(self) -> bool:
        return self.kind == self.Kind.BUSINESS_PARTNER


class Role(models.TextChoices):
    """Company roles (SPEC §3.1). `user` is implicit: every member is a user."""

    COMPANY_ADMIN = "company_admin", _("Company admin")
    BP_ADMIN = "bp_admin", _("Partner admin")
    BP_FINANCE = "bp_finance", _("Partner finance")
    BP_OPERATION = "bp_operation", _("Partner operation")


ADMIN_ROLES = frozenset({Role.COMPANY_ADMIN, Role.BP_ADMIN, Role.BP_FINANCE, Role.BP_OPERATION})


class RoleAssignment(models.Model):
    """One role held by one user in their own company; roles combine (SPEC §3.1)."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=20, choices=Role.choices)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="companies_role_unique")
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()}"


class CompanyDomain(models.Model):
    """An email domain owned by a company (SPEC §2.5). Only a superadmin adds or removes one;
    a domain belongs to at most one company."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=253)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("domain"), name="companies_domain_ci_unique"),
        ]

    def __str__(self):
        return self.domain
