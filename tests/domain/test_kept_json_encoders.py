"""The audit event, an email's packed values and a webhook's envelope are encoded by a
JSONEncoder made once per process: the very text json.dumps gives with the same options."""
import json
from datetime import datetime

from portal import audit
from portal.integrations import events
from portal.messaging import rendering

WHEN = datetime(2026, 12, 2, 9, 30, 15)
VALUES = {"zeta": 1, "alpha": "ünï \u201cq\u201d", "when": WHEN, "none": None,
          "nested": {"b": [1, 2.5, True], "a": "<&>"}}


def test_the_audit_json_is_dumps_s():
    got = audit._JSON.encode(VALUES)
    assert got == json.dumps(VALUES, sort_keys=True, default=str)


def test_packed_values_are_dumps_s():
    assert rendering.pack(**VALUES) == json.dumps(VALUES, default=rendering._encode,
                                                  separators=(",", ":"))
    assert rendering.unpack(rendering.pack(**VALUES)).when == WHEN


def test_the_envelope_is_dumps_s():
    data = {k: v for k, v in VALUES.items() if k != "when"}
    got = events.envelope("evt_1", "booking.cancelled", WHEN, data)
    assert got == json.dumps({"id": "evt_1", "type": "booking.cancelled",
                              "schema_version": events.SCHEMA_VERSION,
                              "created_at": "2026-12-02T09:30:15Z", "data": data},
                             separators=(",", ":"), ensure_ascii=False)


def test_packed_times_pack_as_the_encoder_would_turn_them():
    """emails.cancellation_values hands pack the booking's times already turned
    (rendering.packed): the same text, and the same values when the worker unpacks it."""
    moment = datetime(2026, 12, 2, 9, 30, 15, 123456)
    values = {**VALUES, "micro": moment}
    assert rendering.pack(booking=rendering.packed(values)) == rendering.pack(booking=values)
    assert rendering.unpack(rendering.pack(booking=rendering.packed(values))).booking.micro \
        == moment


def test_event_times_and_ids_are_as_before():
    """iso() in one call is the replace-then-isoformat it was; ids are "evt_" and 24 hex
    digits (secrets.token_hex(12)'s form), each its own."""
    for moment in (WHEN, datetime(2026, 12, 2, 9, 30, 15, 999999), datetime(2026, 1, 1)):
        assert events.iso(moment) == moment.replace(microsecond=0).isoformat() + "Z"
    assert events.iso(None) is None
    ids = {events.new_event_id() for _ in range(50)}
    assert len(ids) == 50
    assert all(len(i) == 28 and i.startswith("evt_") and int(i[4:], 16) >= 0 for i in ids)
