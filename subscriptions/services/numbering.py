"""Invoice numbers: one gap-free sequence per issuer and year of issue (EU invoicing rules).

`invoice_series_lock` must run inside the transaction that writes the invoices: it locks the
issuer's counter row for the year (SELECT … FOR UPDATE), so a concurrent run waits for this
one to commit or roll back; a rollback gives the numbers back with the rest of the work.
"""

import datetime as dt

from django.db import IntegrityError, transaction

from ..models import InvoiceSequence

NUMBER_FORMAT = "{year}-{n:06d}"


def _counter_locked(*, issuer_vat_number: str, year: int) -> InvoiceSequence:
    query = InvoiceSequence.objects.select_for_update()
    counter = query.filter(issuer_vat_number=issuer_vat_number, year=year).first()
    if counter is not None:
        return counter
    try:
        # The first invoice of the year: create the row (a concurrent creator wins the unique
        # constraint; we then wait on its row like everyone else).
        with transaction.atomic():
            InvoiceSequence.objects.create(issuer_vat_number=issuer_vat_number, year=year)
    except IntegrityError:
        pass
    return query.get(issuer_vat_number=issuer_vat_number, year=year)


def invoice_series_lock(*, issuer_vat_number: str, issued_on: dt.date) -> InvoiceSequence:
    """Lock the issuer's series for the year of `issued_on` until the transaction ends."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("invoice numbers are taken inside the issuing transaction")
    return _counter_locked(issuer_vat_number=issuer_vat_number, year=issued_on.year)


def invoice_numbers_take(*, series: InvoiceSequence, count: int) -> list[str]:
    """The next `count` numbers of a series locked by `invoice_series_lock`."""
    if count <= 0:
        return []
    first = series.last + 1
    series.last += count
    series.save(update_fields=["last"])
    return [NUMBER_FORMAT.format(year=series.year, n=n) for n in range(first, first + count)]
