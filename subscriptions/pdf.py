"""An invoice as a PDF, drawn with fpdf2 (pure Python, maintained)."""

from fpdf import FPDF


def _latin1(text: str) -> str:
    # The PDF core fonts speak Latin-1: anything else becomes "?" rather than failing.
    return str(text).encode("latin-1", "replace").decode("latin-1")


def invoice_pdf(invoice) -> bytes:
    doc = FPDF(format="A4")
    doc.set_title(_latin1(f"Invoice {invoice.number}"))
    doc.set_author("Rainbow Portal")
    doc.add_page()
    doc.set_font("Helvetica", "B", 18)
    doc.cell(0, 10, _latin1(f"Invoice {invoice.number}"), new_x="LMARGIN", new_y="NEXT")
    doc.set_font("Helvetica", "", 11)
    for label, value in (
        ("Customer", invoice.customer_name),
        ("Region", invoice.customer_region),
        *([("Billed through", invoice.billed_through)] if invoice.billed_through else []),
        ("Billed month", f"{invoice.period:%B %Y}"),
        ("Issued", f"{invoice.issued_at:%Y-%m-%d}"),
        ("Currency", invoice.currency),
    ):
        doc.cell(40, 7, _latin1(label))
        doc.cell(0, 7, _latin1(value), new_x="LMARGIN", new_y="NEXT")
    doc.ln(4)
    with doc.table(
        col_widths=(80, 18, 18, 30, 34),
        text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"),
        first_row_as_headings=True,
    ) as table:
        table.row(["Description", "Seats", "Months", "Unit price", "Amount"])
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
    doc.set_font("Helvetica", "B", 12)
    doc.cell(0, 8, _latin1(f"Total: {invoice.total} {invoice.currency}"), align="R")
    return bytes(doc.output())
