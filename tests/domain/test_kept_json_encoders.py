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
