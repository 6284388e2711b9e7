from django.db import models
from django.utils.translation import gettext_lazy as _


class Invoice(models.Model):
    """One invoice per company and billed month (SPEC §3.7). The unique constraint is what makes
    the monthly job idempotent: a second run for the same month cannot issue another one."""

    company = models.ForeignKey(
        "companies.Company", on_delete=models.PROTECT, related_name="invoices"
    )
    # First day of the billed month.
    period = models.DateField()
    # "2026-000001": one gap-free sequence per issuer and year of issue (InvoiceSequence).
    number = models.CharField(max_length=32)
    issued_at = models.DateTimeField()
    due_date = models.DateField(null=True, editable=False)
    currency = models.CharField(max_length=3, default="EUR")
    # `total` is the net amount (the lines' sum, excluding VAT, as before issue 14);
    # VAT at `vat_rate` percent of it is `vat_amount`; the amount due is `total_due`.
    total = models.DecimalField(max_digits=14, decimal_places=2)
    vat_rate = models.DecimalField(max_digits=5, decimal_places=2, default=0, editable=False)
    vat_amount = models.DecimalField(max_digits=14, decimal_places=2, default=0, editable=False)
    total_due = models.DecimalField(max_digits=14, decimal_places=2, default=0, editable=False)
    # The issuer as configured at issue (settings.INVOICE_ISSUER_*).
    issuer_name = models.CharField(max_length=200, default="", editable=False)
    issuer_address = models.TextField(default="", editable=False)
    issuer_vat_number = models.CharField(max_length=16, default="", editable=False)
    # An issued invoice is immutable (issue 10): the customer as billed is copied at issue,
    # and PDFs and CSVs read this copy, so a later rename changes no issued invoice.
    customer_name = models.CharField(max_length=200, default="", editable=False)
    customer_region = models.CharField(max_length=20, default="", editable=False)
    billed_through = models.CharField(
        max_length=200, default="", blank=True, editable=False, help_text="The partner, if any."
    )
    # The customer's billing details as they were at issue (Company.billing_*).
    customer_billing_name = models.CharField(max_length=200, default="", editable=False)
    customer_billing_address = models.TextField(default="", editable=False)
    customer_vat_number = models.CharField(max_length=16, default="", editable=False)

    class Meta:
        ordering = ["-period", "company_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "period"], name="subscriptions_invoice_one_per_company_month"
            ),
            models.UniqueConstraint(
                fields=["issuer_vat_number", "number"], name="subscriptions_invoice_number_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(total__gte=0), name="subscriptions_invoice_total_not_negative"
            ),
        ]

    def __str__(self):
        return self.number


class InvoiceSequence(models.Model):
    """The last invoice number used by an issuer in a year. Its row is locked (SELECT … FOR
    UPDATE) by the transaction that issues, so numbers are consecutive, never repeated, and a
    rolled-back issue gives its numbers back (EU invoicing: one unbroken series)."""

    issuer_vat_number = models.CharField(max_length=16)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["issuer_vat_number", "year"], name="subscriptions_invoice_sequence_unique"
            )
        ]

    def __str__(self):
        return f"{self.issuer_vat_number} {self.year}: {self.last}"


class InvoiceLine(models.Model):
    class Kind(models.TextChoices):
        MONTHLY = "monthly", _("Monthly seats")
        PREPAID = "prepaid", _("Prepaid term")

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    subscription = models.ForeignKey(
        "subscriptions.Subscription", on_delete=models.PROTECT, related_name="invoice_lines"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    description = models.CharField(max_length=200)
    period_start = models.DateField()
    period_end = models.DateField()
    seats = models.PositiveIntegerField()
    months = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    amount = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["invoice_id", "id"]
        constraints = [
            # A month of a monthly subscription is billed once.
            models.UniqueConstraint(
                fields=["subscription", "period_start"],
                condition=models.Q(kind="monthly"),
                name="subscriptions_line_month_billed_once",
            ),
            # A prepaid term is billed once, whole (SPEC §3.7).
            models.UniqueConstraint(
                fields=["subscription"],
                condition=models.Q(kind="prepaid"),
                name="subscriptions_line_prepaid_billed_once",
            ),
        ]

    def __str__(self):
        return self.description
