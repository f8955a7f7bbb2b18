"""Kept INSERTs and UPDATEs (kernel/compiled.insert_params) pass a foreign key's id as given,
where peewee's db_value would hand it to the key field's db_value unchanged: the same
parameters as peewee's for every value a foreign key may be given (a row object, an id, none,
and the ones it converts), for the rows the cancel POST inserts."""
from datetime import datetime

from portal.billing.models import InvoiceLine
from portal.integrations.webhook_models import WebhookDelivery
from portal.kernel import compiled
from portal.messaging.models import Notification
from portal.people import Staff

VALUES = [7, 0, None, True, "12", "text", 3.5, datetime(2026, 12, 2, 9, 30), b"7"]


def test_foreign_keys_params_are_peewee_s_for_every_value():
    for model in (Notification, InvoiceLine, WebhookDelivery):
        fields = model._meta.sorted_fields
        columns = compiled.insert_columns(fields)
        keys = [f for f in fields if f.name in model._meta.refs or hasattr(f, "rel_model")]
        assert keys, model
        for value in VALUES + [Staff(id=5)]:
            rows = [{f.name: value for f in fields}]
            try:
                expected = compiled.peewee_params(rows, fields)
            except (TypeError, ValueError):
                continue  # peewee refuses it too
            got = compiled.insert_params(rows, columns)
            assert got == expected, (model, value)
            assert [type(v) for v in got] == [type(v) for v in expected], (model, value)


def test_a_foreign_key_takes_its_key_field_s_types_as_given():
    [column] = compiled.insert_columns([Notification.staff])
    assert column[1] == frozenset({int, type(None)})
