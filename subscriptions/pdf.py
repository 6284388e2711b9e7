"""An invoice as a PDF, drawn with fpdf2 (pure Python, maintained).

It carries what an EU invoice must show (issue 14): the issuer's name, address and VAT
number, the customer's billing name, address and VAT number, the number of the issuer's
series, the issue and due dates, the lines, the VAT rate and amount, and the amount due.
Everything comes from the invoice row, copied at issue, so a later change alters no PDF.
"""

from django.utils import formats
from django.utils.translation import gettext as _
from fpdf import FPDF


def _latin1(text: str) -> str:
    # The PDF core fonts speak Latin-1: anything else becomes "?" rather than failing.
    return str(text).encode("latin-1", "replace").decode("latin-1")


def _date(value) -> str:
    return formats.date_format(value, "DATE_FORMAT") if value else ""


def _party(doc: FPDF, heading: str, name: str, address: str, vat_number: str) -> None:
    doc.set_font("Helvetica", "B", 11)
    doc.cell(0, 6, _latin1(heading), new_x="LMARGIN", new_y="NEXT")
    doc.set_font("Helvetica", "", 10)
    for line in [name, *address.splitlines()]:
        if line.strip():
            doc.cell(0, 5, _latin1(line.strip()), new_x="LMARGIN", new_y="NEXT")
    if vat_number:
        doc.cell(0, 5, _latin1(_("VAT number: %s") % vat_number), new_x="LMARGIN", new_y="NEXT")
    doc.ln(3)


def invoice_pdf(invoice) -> bytes:
    title = _("Invoice %s") % invoice.number
    doc = FPDF(format="A4")
    doc.set_title(_latin1(title))
    doc.set_author(_latin1(invoice.issuer_name or "Rainbow Portal"))
    doc.add_page()
    doc.set_font("Helvetica", "B", 18)
    doc.cell(0, 10, _latin1(title), new_x="LMARGIN", new_y="NEXT")
    doc.ln(2)
    _party(doc, _("Issuer"), invoice.issuer_name, invoice.issuer_address, invoice.issuer_vat_number)
    _party(
        doc,
        _("Billed to"),
        invoice.customer_billing_name or invoice.customer_name,
        invoice.customer_billing_address,
        invoice.customer_vat_number,
    )
    doc.set_font("Helvetica", "", 10)
    for label, value in (
        (_("Invoice number"), invoice.number),
        (_("Issue date"), _date(invoice.issued_at.date())),
        (_("Due date"), _date(invoice.due_date)),
        (_("Billed month"), formats.date_format(invoice.period, "YEAR_MONTH_FORMAT")),
        (_("Customer"), invoice.customer_name),
        (_("Region"), invoice.customer_region),
        (_("Billed through"), invoice.billed_through),
        (_("Currency"), invoice.currency),
    ):
        if value:
            doc.cell(45, 6, _latin1(label))
            doc.cell(0, 6, _latin1(value), new_x="LMARGIN", new_y="NEXT")
    doc.ln(4)
    with doc.table(
        col_widths=(80, 18, 18, 30, 34),
        text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"),
        first_row_as_headings=True,
    ) as table:
        table.row(
            [
                _latin1(h)
                for h in (_("Description"), _("Seats"), _("Months"), _("Unit price"), _("Amount"))
            ]
        )
        for line in invoice.lines.all():
            table.row(
                [
                    _latin1(line.description),
                    str(line.seats),
                    str(line.months),
                    f"{line.unit_price}",
                    f"{line.amount}",
                ]
            )
    doc.ln(4)
    doc.set_font("Helvetica", "", 11)
    rate = formats.number_format(invoice.vat_rate, 2)
    for label, amount in (
        (_("Total excl. VAT"), invoice.total),
        (_("VAT at %s %%") % rate, invoice.vat_amount),
    ):
        doc.cell(
            0,
            7,
            _latin1(f"{label}: {amount} {invoice.currency}"),
            align="R",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    doc.set_font("Helvetica", "B", 12)
    doc.cell(
        0,
        8,
        _latin1(
            _("Total due: %(amount)s %(currency)s")
            % {"amount": invoice.total_due, "currency": invoice.currency}
        ),
        align="R",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    if invoice.due_date:
        doc.set_font("Helvetica", "", 10)
        doc.cell(
            0,
            6,
            _latin1(_("Payment due by %s.") % _date(invoice.due_date)),
            new_x="LMARGIN",
            new_y="NEXT",
        )
    return bytes(doc.output())
