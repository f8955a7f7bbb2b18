"""audit.record makes its AuditEvent straight from the row it inserts (kept INSERT text, no
per-value check): the object, and the row stored, are what AuditEvent.create gives."""
from datetime import datetime

from portal.audit import AuditEvent, record
from portal.kernel.actors import SYSTEM, Actor


def test_record_gives_and_stores_what_create_does(app, world):
    at = datetime(2026, 12, 2, 9, 30, 15, 250)
    cases = [(Actor("customer", world.customer.id, "Casey"), {"before": {"status": "x"},
                                                             "after": {"fee": 5}, "note": "n"}),
             (SYSTEM, {"at": at}), (Actor("admin", world.admin.id, "Ada"), {"note": None})]
    for actor, extra in cases * 2:  # twice: the INSERT's text built, then kept
        made = record("booking", world.upcoming.id, "cancelled", actor, "portal", **extra)
        plain = AuditEvent.create(
            subject_type="booking", subject_id=world.upcoming.id, action="cancelled",
            actor_kind=actor.kind, actor_id=actor.id, actor_label=actor.label, channel="portal",
            before=made.before, after=made.after, note=extra.get("note") or "",
            created_at=made.created_at)
        assert made.id == plain.id - 1 and not made._dirty
        assert {**made.__data__, "id": None} == {**plain.__data__, "id": None}
        stored = AuditEvent.get_by_id(made.id)
        assert stored.__data__ == {**AuditEvent.get_by_id(plain.id).__data__, "id": made.id}
        if "at" in extra:
            assert stored.created_at == at
