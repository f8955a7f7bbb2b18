"""Keeping the report summary (report_day, report_money for fees and refunds, report_month,
report_reason_month and report_money_month for whole months (months.py), and report_order_day
for orders) current.

Triggers (migrations 0017 and 0029) note the start time of every booking that changed, or whose
fee lines, refunds or invoice changed, in the changing transaction; the report calls refresh()
first, which counts those days again from the bookings, their workers, fees and refunds. Days are business-timezone days, which only Python can work out on SQLite,
so the counting happens here; a timezone change (or an empty report_state) counts everything.
The month tables are added up again from report_day for the months of the days just counted,
in the same transaction, so a month never disagrees with its days.

Refreshes are serialised (SQLite's write lock; on PostgreSQL an EXCLUSIVE lock on report_state
that plain readers never wait for). The dirty rows are taken (deleted) before the bookings are
read, so a change committed meanwhile keeps its dirty row for the next refresh: a day is never
left counted from bookings older than its last change.
"""
import math
from collections import defaultdict
from datetime import datetime, time, timedelta, timezone
from functools import reduce
from operator import or_
from zoneinfo import ZoneInfo

from peewee import fn

from ..billing.models import CANCELLATION_FEE, NO_SHOW_FEE, Invoice, InvoiceLine, Refund
from ..bookings.models import Assignment, Booking
from ..kernel.db import database, is_postgres, write_transaction
from ..orders.models import CANCELLED as ORDER_CANCELLED, Order
from .models import BOOKING_ROW, REFUND, ReportDay, ReportDirty, ReportMoney, ReportOrderDay, \
    ReportOrderDirty, ReportState
from .months import count_months

# Notice past this many hours counts as this many: no threshold the report uses lies beyond
# (notice buckets end at 7 days; the settings allow a notice period of at most 8,760 hours),
# and capping keeps cancellations made long ahead in few rows.
NOTICE_CAP = 8760
REBUILD_DAYS = 120  # more changed days than this: count everything again
FIELDS = (ReportDay.staff_id, ReportDay.day, ReportDay.service_id, ReportDay.status,
          ReportDay.cancel_channel, ReportDay.cancelled_by_kind, ReportDay.cancel_reason_id,
          ReportDay.cancel_reason_label, ReportDay.notice_hours, ReportDay.bookings,
          ReportDay.rescheduled, ReportDay.moves, ReportDay.price)


def notice_hours(starts_at, cancelled_at):
    """Whole hours of notice: notice < N exactly when this < N, for every whole N."""
    if cancelled_at is None:
        return None
    hours = math.floor((starts_at - cancelled_at).total_seconds() / 3600)
    return max(-1, min(hours, NOTICE_CAP))


def _moment(value):
    """A naive UTC datetime from a raw cursor (SQLite gives text, PostgreSQL a datetime)."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _local_day(moment, zone):
    return moment.replace(tzinfo=timezone.utc).astimezone(zone).date()


def _utc_midnight(day, zone):
    return datetime.combine(day, time(), zone).astimezone(timezone.utc).replace(tzinfo=None)


def _ranges(days, zone):
    """UTC [start, end) for runs of consecutive business days."""
    out = []
    for day in sorted(days):
        if out and out[-1][1] == day:
            out[-1][1] = day + timedelta(days=1)
        else:
            out.append([day, day + timedelta(days=1)])
    return [(_utc_midnight(a, zone), _utc_midnight(b, zone)) for a, b in out]


def _on_days(days, zone):
    """The WHERE terms for bookings on `days` (business days), or every booking (None)."""
    if days is None:
        return [True]  # peewee needs a term; True keeps every booking
    return [reduce(or_, ((Booking.starts_at >= a) & (Booking.starts_at < b)
                         for a, b in _ranges(days, zone)))]


def count(tz, days=None):
    """Summary rows (tuples of FIELDS) for the bookings on `days` (business days in `tz`), or
    all of them."""
    zone = ZoneInfo(tz)
    where = _on_days(days, zone)
    # Raw cursors: turning 100,000 rows into Python values through the models cost 5x the
    # counting (a full count runs after a timezone change and on the first report).
    db = Booking._meta.database  # the models' database (a test may bind them to another)
    workers = defaultdict(list)
    for booking_id, staff_id in db.execute(
            Assignment.select(Assignment.booking, Assignment.staff).join(Booking).where(*where)):
        workers[booking_id].append(staff_id)
    totals = defaultdict(lambda: [0, 0, 0, 0])
    for (booking_id, starts_at, service_id, status, channel, kind, reason_id, label,
         cancelled_at, moves, price) in db.execute(
            Booking.select(Booking.id, Booking.starts_at, Booking.service, Booking.status,
                           Booking.cancel_channel, Booking.cancelled_by_kind,
                           Booking.cancel_reason, Booking.cancel_reason_label,
                           Booking.cancelled_at, Booking.reschedule_count, Booking.price)
            .where(*where)):
        starts_at, cancelled_at = _moment(starts_at), _moment(cancelled_at)
        key = (_local_day(starts_at, zone), service_id, status, channel, kind, reason_id, label,
               notice_hours(starts_at, cancelled_at))
        for staff_id in [BOOKING_ROW, *workers.get(booking_id, ())]:
            figures = totals[(staff_id, *key)]
            figures[0] += 1
            figures[1] += moves > 0
            figures[2] += moves
            figures[3] += price
    return [(*key, *figures) for key, figures in totals.items()]


MONEY_FIELDS = (ReportMoney.staff_id, ReportMoney.day, ReportMoney.service_id, ReportMoney.status,
                ReportMoney.cancel_channel, ReportMoney.cancelled_by_kind, ReportMoney.kind,
                ReportMoney.refund_status, ReportMoney.items, ReportMoney.amount)


def count_money(tz: str, days: set | None = None) -> list[tuple]:
    """Money rows (tuples of MONEY_FIELDS) for the fee lines and refunds of the bookings on
    `days` (business days in `tz`), or of every booking."""
    zone = ZoneInfo(tz)
    where = _on_days(days, zone)
    db = Booking._meta.database
    booking = (Booking.starts_at, Booking.service, Booking.status, Booking.cancel_channel,
               Booking.cancelled_by_kind)
    fees = (InvoiceLine.select(Booking.id, *booking, InvoiceLine.kind, None,
                               fn.COUNT(InvoiceLine.id), fn.SUM(InvoiceLine.amount))
            .join(Invoice).join(Booking)
            .where(InvoiceLine.kind.in_((CANCELLATION_FEE, NO_SHOW_FEE)), *where)
            .group_by(Booking.id, InvoiceLine.kind))
    refunds = (Refund.select(Booking.id, *booking, REFUND, Refund.status, fn.COUNT(Refund.id),
                             fn.SUM(Refund.amount))
               .join(Invoice).join(Booking).where(*where).group_by(Booking.id, Refund.status))
    money = list(db.execute(fees | refunds))
    workers = defaultdict(list)
    if money:
        for booking_id, staff_id in db.execute(
                Assignment.select(Assignment.booking, Assignment.staff).join(Booking)
                .join(Invoice, on=(Invoice.booking == Booking.id)).where(*where)):
            workers[booking_id].append(staff_id)
    totals = defaultdict(lambda: [0, 0])
    for booking_id, starts_at, *key, items, amount in money:
        key = (_local_day(_moment(starts_at), zone), *key)
        for staff_id in [BOOKING_ROW, *workers.get(booking_id, ())]:
            figures = totals[(staff_id, *key)]
            figures[0] += items
            figures[1] += amount
    return [(*key, *figures) for key, figures in totals.items()]


ORDER_FIELDS = (ReportOrderDay.day, ReportOrderDay.cancel_channel,
                ReportOrderDay.cancelled_by_kind, ReportOrderDay.cancel_reason_id,
                ReportOrderDay.cancel_reason_label, ReportOrderDay.cancel_stage,
                ReportOrderDay.orders, ReportOrderDay.total)


def count_orders(tz: str, days: set | None = None) -> list[tuple]:
    """Summary rows (tuples of ORDER_FIELDS) for the orders cancelled on `days` (business days
    in `tz`), or all of them."""
    zone = ZoneInfo(tz)
    where = [Order.status == ORDER_CANCELLED, Order.cancelled_at.is_null(False)]
    if days is not None:
        where.append(reduce(or_, ((Order.cancelled_at >= a) & (Order.cancelled_at < b)
                                  for a, b in _ranges(days, zone))))
    totals = defaultdict(lambda: [0, 0])
    for cancelled_at, *key, total in Order._meta.database.execute(
            Order.select(Order.cancelled_at, Order.cancel_channel, Order.cancelled_by_kind,
                         Order.cancel_reason, Order.cancel_reason_label, Order.cancel_stage,
                         Order.total).where(*where)):
        figures = totals[(_local_day(_moment(cancelled_at), zone), *key)]
        figures[0] += 1
        figures[1] += total
    return [(*key, *figures) for key, figures in totals.items()]


def _take_dirty(table="report_dirty", column="starts_at", model=ReportDirty):
    """Delete and return every dirty moment this transaction can see."""
    if is_postgres():
        return [row[0] for row in database.execute_sql(
            f"DELETE FROM {table} RETURNING {column}").fetchall()]
    moments = [row[0] for row in model.select(getattr(model, column)).tuples()]
    model.delete().execute()  # SQLite: the write lock is ours, nothing slips in between
    return moments


def _insert(model, fields, rows):
    for start in range(0, len(rows), 500):
        model.insert_many(rows[start:start + 500], fields=fields).execute()


def refresh(tz):
    """Bring the summary up to date for business timezone `tz`. One query when it is."""
    current, dirty, orders_dirty = database.execute_sql(
        "SELECT (SELECT timezone FROM report_state LIMIT 1), "
        "EXISTS (SELECT 1 FROM report_dirty), EXISTS (SELECT 1 FROM report_order_dirty)"
    ).fetchone()
    if current == tz and not dirty and not orders_dirty:
        return
    with write_transaction():
        if is_postgres():
            database.execute_sql("LOCK TABLE report_state IN EXCLUSIVE MODE")
        current = ReportState.select(ReportState.timezone).scalar()
        zone = ZoneInfo(tz)
        days = {_local_day(_moment(starts_at), zone) for starts_at in _take_dirty()}
        order_days = {_local_day(_moment(at), zone) for at in _take_dirty(
            "report_order_dirty", "cancelled_at", ReportOrderDirty)}
        if current != tz or len(days) > REBUILD_DAYS or len(order_days) > REBUILD_DAYS:
            ReportDay.delete().execute()
            ReportMoney.delete().execute()
            ReportOrderDay.delete().execute()
            _insert(ReportDay, FIELDS, count(tz))
            _insert(ReportMoney, MONEY_FIELDS, count_money(tz))
            _insert(ReportOrderDay, ORDER_FIELDS, count_orders(tz))
            count_months()
            ReportState.delete().execute()
            ReportState.create(timezone=tz)
            return
        if days:
            ReportDay.delete().where(ReportDay.day.in_(sorted(days))).execute()
            ReportMoney.delete().where(ReportMoney.day.in_(sorted(days))).execute()
            _insert(ReportDay, FIELDS, count(tz, days))
            _insert(ReportMoney, MONEY_FIELDS, count_money(tz, days))
            count_months({day.replace(day=1) for day in days})
        if order_days:
            ReportOrderDay.delete().where(ReportOrderDay.day.in_(sorted(order_days))).execute()
            _insert(ReportOrderDay, ORDER_FIELDS, count_orders(tz, order_days))
