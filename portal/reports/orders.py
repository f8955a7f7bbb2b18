"""Order cancellations in the report: counted from report_order_day (kept current by
summary.py) in one grouped query, by reason, channel and stage, with the revenue they lost.

Orders are counted by the day they were cancelled (business timezone): they have no appointment.
They have no service or fieldworker either, so a report narrowed to one counts no orders; the
channel and "cancelled by" filters narrow them as they narrow bookings.
"""
from collections import defaultdict
from dataclasses import dataclass, field

from peewee import fn

from ..orders.models import STATUS_LABELS
from .models import ReportOrderDay

STAFF_KINDS = ("admin", "fieldworker")


@dataclass(frozen=True)
class Group:
    label: str
    count: int
    lost: int  # minor units
    key: object = None


@dataclass
class OrderCancellations:
    count: int = 0
    lost: int = 0
    reasons: list = field(default_factory=list)
    channels: list = field(default_factory=list)
    stages: list = field(default_factory=list)
    narrowed_out: bool = False  # a service or fieldworker filter: orders have neither


def _terms(flt):
    terms = [ReportOrderDay.day >= flt.start, ReportOrderDay.day <= flt.end]
    if flt.channel:
        terms.append(ReportOrderDay.cancel_channel == flt.channel)
    if flt.initiator == "customer":
        terms.append(ReportOrderDay.cancelled_by_kind == "customer")
    elif flt.initiator == "staff":
        terms.append(ReportOrderDay.cancelled_by_kind.in_(STAFF_KINDS))
    elif flt.initiator == "integration":
        terms.append(ReportOrderDay.cancelled_by_kind == "integration")
    return terms


def _groups(sums, label):
    return sorted((Group(label(key), count, lost, key) for key, (count, lost) in sums.items()),
                  key=lambda g: (-g.count, -g.lost, g.label))


def order_cancellations(flt) -> OrderCancellations:
    """The period's order cancellations (call summary.refresh first): one query."""
    if flt.service or flt.fieldworker:
        return OrderCancellations(narrowed_out=True)
    label = fn.COALESCE(ReportOrderDay.cancel_reason_label, "")
    rows = (ReportOrderDay.select(label, ReportOrderDay.cancel_channel,
                                  ReportOrderDay.cancel_stage, fn.SUM(ReportOrderDay.orders),
                                  fn.SUM(ReportOrderDay.total))
            .where(*_terms(flt))
            .group_by(label, ReportOrderDay.cancel_channel, ReportOrderDay.cancel_stage)
            .tuples())
    out = OrderCancellations()
    sums = {"reason": defaultdict(lambda: [0, 0]), "channel": defaultdict(lambda: [0, 0]),
            "stage": defaultdict(lambda: [0, 0])}
    for reason, channel, stage, count, lost in rows:
        count, lost = int(count or 0), int(lost or 0)
        out.count += count
        out.lost += lost
        for name, key in (("reason", reason), ("channel", channel), ("stage", stage)):
            sums[name][key][0] += count
            sums[name][key][1] += lost
    out.reasons = _groups(sums["reason"], lambda key: key or "No reason given")
    out.channels = _groups(sums["channel"], lambda key: key or "")
    out.stages = _groups(sums["stage"], lambda key: STATUS_LABELS.get(key, "Unknown")
                         if key else "Unknown")
    return out
