"""Invoices: the list, billing details, the CSV and PDF downloads."""

import csv

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from companies import policies as company_policies
from companies.scoping import company_page
from core.forms import apply_error
from rainbow_portal.exceptions import ApplicationError

from .. import pdf, selectors, services
from ..forms import (
    BillingForm,
)
from ..policies import (
    can_edit_billing,
)


@company_page(right=company_policies.can_view_invoices)
def invoices(request, company):
    return render(
        request,
        "subscriptions/invoices.html",
        {
            "company": company,
            "invoices": selectors.invoice_list(company=company),
            "can_edit_billing": can_edit_billing(actor=request.user, company=company),
        },
    )


@company_page(right=can_edit_billing, methods=("GET", "POST"))
def billing(request, company):
    """The customer's billing details: its admins and its partner's Finance keep them."""
    fields = ("billing_name", "billing_address", "vat_number")
    if request.method == "POST":
        form = BillingForm(request.POST)
        if form.is_valid():
            try:
                services.company_billing_update(
                    company=company, actor=request.user, **form.cleaned_data
                )
            except ApplicationError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("Billing details saved."))
                return redirect("subscriptions:billing", slug=company.slug)
    else:
        form = BillingForm(initial={k: getattr(company, k) for k in fields})
    return render(
        request,
        "subscriptions/billing.html",
        {"company": company, "form": form},
        status=400 if form.errors else 200,
    )


def _cell(value) -> str:
    """A spreadsheet must not run a company name as a formula (CSV injection)."""
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@company_page(
    right=company_policies.can_view_invoices,
    objects={"invoice": ("number", selectors.invoice_get)},
)
def invoice_csv(request, company, invoice):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{invoice.number}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "invoice",
            "company",
            "period",
            "description",
            "from",
            "to",
            "seats",
            "months",
            "unit_price",
            "amount",
            "currency",
        ]
    )
    for line in invoice.lines.all():
        writer.writerow(
            [
                invoice.number,
                _cell(invoice.customer_name),
                f"{invoice.period:%Y-%m}",
                _cell(line.description),
                line.period_start.isoformat(),
                line.period_end.isoformat(),
                line.seats,
                line.months,
                line.unit_price,
                line.amount,
                invoice.currency,
            ]
        )
    # Net total, VAT and the amount due (a machine format: the labels stay English).
    for label, amount in (
        ("Total", invoice.total),
        (f"VAT {invoice.vat_rate}%", invoice.vat_amount),
        ("Total due", invoice.total_due),
    ):
        writer.writerow(
            [
                invoice.number,
                _cell(invoice.customer_name),
                f"{invoice.period:%Y-%m}",
                label,
                *[""] * 5,
                amount,
                invoice.currency,
            ]
        )
    return response


@company_page(
    right=company_policies.can_view_invoices,
    objects={"invoice": ("number", selectors.invoice_get)},
)
def invoice_pdf(request, company, invoice):
    response = HttpResponse(pdf.invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{invoice.number}.pdf"'
    return response
