"""INSERTs whose text is built once (kernel.compiled.insert_rows / insert_row): the rows, the
defaults, the ids and the objects are what peewee's insert_many and create give."""
from portal.audit import AuditEvent
from portal.billing.models import Invoice, InvoiceLine
from portal.kernel.compiled import insert_row, insert_rows
from portal.messaging.models import Notification
from tests.support.queries import count_queries


def test_insert_row_gives_the_object_create_gives(app, world):
    fields = dict(subject_type="booking", subject_id=world.upcoming.id, action="noted",
                  actor_kind="admin", actor_id=world.admin.id, actor_label="Ada",
                  channel="admin", before="{}", after="{}", note="")
    for _ in range(2):  # the first builds the text, the second runs the kept one
        made = AuditEvent.create(**fields)
        with count_queries() as ran:
            kept = insert_row(AuditEvent, **fields)
        assert len(ran) == 1
        assert kept.id == made.id + 1 and not kept._dirty
        stored = AuditEvent.get_by_id(kept.id)
        assert {**stored.__data__, "id": None, "created_at": None} == {
            **made.__data__, "id": None, "created_at": None}  # created_at: its default
        assert stored.created_at is not None and kept.__data__ == stored.__data__


def test_insert_rows_writes_what_insert_many_writes_and_returns_the_last_id(app, world):
    invoice = Invoice.create(booking=world.upcoming.id, customer=world.customer.id)

    def lines(n, tag):
        return [{"invoice": invoice.id, "kind": "fee", "description": f"{tag} {i}",
                 "amount": 100 * i, "tax_rate_bp": 0, "tax": 0} for i in range(n)]

    for n in (1, 3, 3):
        InvoiceLine.insert_many(lines(n, f"peewee{n}")).execute()
        last = insert_rows(InvoiceLine, lines(n, f"kept{n}"))
        assert last == InvoiceLine.select().order_by(InvoiceLine.id.desc()).first().id
    rows = {line.description: (line.amount, line.kind, line.created_at is not None)
            for line in InvoiceLine.select().where(InvoiceLine.invoice == invoice.id)}
    assert {d.replace("kept", "peewee"): v for d, v in rows.items() if "kept" in d} == {
        d: v for d, v in rows.items() if "peewee" in d}
    assert len(rows) == 8  # 1 + 3 of each way (the two runs of 3 share their descriptions)


def test_a_default_is_worked_out_for_each_insert_not_kept_with_the_text(app, world,
                                                                        monkeypatch):
    from datetime import datetime
    times = iter([datetime(2030, 1, 1, 9), datetime(2030, 1, 1, 11)])
    monkeypatch.setitem(Notification._meta.defaults, Notification.created_at,
                        lambda: next(times))
    ids = [insert_rows(Notification, [{"staff": world.fw.id, "booking": world.upcoming.id,
                                       "kind": "note", "message": text}])
           for text in ("One", "Two")]
    one, two = (Notification.get_by_id(i) for i in ids)
    assert (one.message, two.message) == ("One", "Two") and one.read_at is None
    assert (one.created_at.hour, two.created_at.hour) == (9, 11)


def test_insert_row_with_a_related_object_or_an_id_name_gives_what_create_gives(app, world):
    invoice = Invoice.create(booking=world.upcoming.id, customer=world.customer.id)
    for related in ({"invoice": invoice}, {"invoice_id": invoice.id}, {"invoice": invoice.id}):
        fields = dict(related, kind="fee", description="Late fee", amount=500, tax_rate_bp=0,
                      tax=0)
        made, kept = InvoiceLine.create(**fields), insert_row(InvoiceLine, **fields)
        assert kept.id == made.id + 1 and not kept._dirty
        assert {**kept.__data__, "id": None, "created_at": None} == {
            **made.__data__, "id": None, "created_at": None}
        assert kept.invoice.id == invoice.id and kept.invoice_id == invoice.id
        if "invoice" in related and related["invoice"] is invoice:
            assert kept.invoice is invoice  # held, as create() holds it: no query to reach it
