"""Comparing two reads of a customer's booking page (billing.invoice_reads.booking_with_invoice):
the booking, its service and customer, its fieldworkers and its invoice summary."""


def summary_shape(summary):
    return (summary.currency, summary.issued, summary.invoice_id, summary.total, summary.paid,
            [(line.id, line.kind, line.description, line.amount, line.tax)
             for line in summary.lines],
            [(p.id, p.amount) for p in summary.payments],
            [(r.id, r.amount, r.status) for r in summary.refunds])


def page_read_shape(read):
    """(booking, staff, summary) as plain values; (None, [], None) stays as it is."""
    booking, staff, summary = read
    if booking is None:
        return read
    return (booking.__data__, booking.service.__data__, booking.customer.__data__,
            [s.__data__ for s in staff], summary_shape(summary))
