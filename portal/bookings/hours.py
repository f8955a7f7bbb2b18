"""Working hours as people write them (weekday spans of local wall-clock minutes) and as the
slot engine needs them (naive UTC intervals). Pure functions: no database, no clock.

What a span means across daylight-saving changes: a span of day D is every instant whose
wall-clock reading in the business timezone falls on D inside the span. So on the spring-forward
day the missing hour is simply not there (2:30 AM in New York never happens, so nothing starts
then), and on the fall-back day the repeated hour is worked twice: 1:00-2:00 AM is one real hour
in daylight time and another in standard time, and both are bookable. UTC starts never repeat
and none inside working hours goes missing.
"""
from datetime import datetime, time, timedelta, timezone

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DAY_MINUTES = 24 * 60
GRID_MINUTES = 15  # spans start and end on quarter hours (the slot claims' grid too)
MAX_SPANS = 4  # per day: e.g. morning, afternoon, evening, with breaks between

# A new install has no rows and must still be bookable: Monday-Friday 8-18, Saturday 9-13.
DEFAULT_WEEK = {**{day: [(8 * 60, 18 * 60)] for day in range(5)}, 5: [(9 * 60, 13 * 60)]}


def week_from_rows(rows):
    """{weekday: sorted [(start_minute, end_minute)]} from (weekday, start, end) tuples."""
    week = {}
    for weekday, start, end in rows:
        week.setdefault(weekday, []).append((start, end))
    return {day: sorted(spans) for day, spans in week.items()}


def clock_text(minute):
    """'08:30' for <input type=time>; the end of the day (1440) is written 00:00."""
    return f"{minute // 60 % 24:02d}:{minute % 60:02d}"


def parse_clock(text, end=False):
    """Minutes after midnight from 'HH:MM' (or 'HH:MM:SS'); raises ValueError. As an end,
    00:00 means midnight at the end of the day, so a span can run to 24:00."""
    parts = (text or "").strip().split(":")
    if len(parts) not in (2, 3) or not all(p.isdigit() and len(p) == 2 for p in parts):
        raise ValueError(text)
    hour, minute = int(parts[0]), int(parts[1])
    if hour > 23 or minute > 59 or (len(parts) == 3 and int(parts[2]) != 0):
        raise ValueError(text)
    value = hour * 60 + minute
    return DAY_MINUTES if end and value == 0 else value


def minute_text(minute):
    """'8:00 AM', '12:30 PM'; the end of the day reads 'midnight'."""
    if minute >= DAY_MINUTES:
        return "midnight"
    hour, rest = divmod(minute, 60)
    return f"{(hour - 1) % 12 + 1}:{rest:02d} {'AM' if hour < 12 else 'PM'}"


def hours_text(spans):
    """'8:00 AM–6:00 PM', '8:00 AM–12:00 PM and 1:00 PM–5:00 PM', or 'closed'."""
    parts = [f"{minute_text(start)}\u2013{minute_text(end)}" for start, end in sorted(spans)]
    if not parts:
        return "closed"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def week_summary(week):
    """'Monday–Friday 8:00 AM–6:00 PM; Saturday 9:00 AM–1:00 PM': runs of days alike."""
    runs = []
    for day in range(7):
        spans = sorted(week.get(day, []))
        if runs and runs[-1][2] == spans:
            runs[-1][1] = day
        else:
            runs.append([day, day, spans])
    parts = [(WEEKDAYS[first] if first == last else f"{WEEKDAYS[first]}\u2013{WEEKDAYS[last]}")
             + " " + hours_text(spans) for first, last, spans in runs if spans]
    return "; ".join(parts) or "closed every day"


def duration_text(minutes):
    """'45 minutes', '2 hours', '1 hour 30 minutes'."""
    hours, rest = divmod(minutes, 60)
    words = [f"{hours} hour{'s' if hours != 1 else ''}"] if hours else []
    if rest or not hours:
        words.append(f"{rest} minute{'s' if rest != 1 else ''}")
    return " ".join(words)


# --- Local wall clock to UTC ----------------------------------------------------------------

def _offset(tz, utc):
    return utc.replace(tzinfo=timezone.utc).astimezone(tz).utcoffset()


def offset_segments(tz, lo, hi, probe=timedelta(hours=3)):
    """[(start, end, utc_offset)] covering [lo, hi) (naive UTC), split where tz changes offset.

    zoneinfo does not list its transitions, so we look every `probe` and bisect (to the second)
    where the offset differs; zones never change offset twice within three hours."""
    cuts, before, t = [], _offset(tz, lo), lo
    while t < hi:
        nxt = min(t + probe, hi)
        after = _offset(tz, nxt)
        if after != before:
            a, b = t, nxt
            while b - a > timedelta(seconds=1):
                mid = a + (b - a) // 2
                a, b = (mid, b) if _offset(tz, mid) == before else (a, mid)
            cuts.append((b, after))
            before = after
        t = nxt
    segments, start, offset = [], lo, _offset(tz, lo)
    for cut, new_offset in cuts:
        segments.append((start, cut, offset))
        start, offset = cut, new_offset
    segments.append((start, hi, offset))
    return segments


def day_pieces(day, spans, segments):
    """The spans of local `day` as [(utc_start, utc_end, utc_offset)], sorted: one piece per
    span per offset in force (two on a day the clocks change inside the span)."""
    midnight = datetime.combine(day, time())
    pieces = []
    for start, end in spans:
        for seg_start, seg_end, offset in segments:
            lo = max(seg_start, midnight + timedelta(minutes=start) - offset)
            hi = min(seg_end, midnight + timedelta(minutes=end) - offset)
            if lo < hi:
                pieces.append((lo, hi, offset))
    return sorted(pieces)


def merge(intervals):
    """Sorted, non-overlapping [(start, end)]; touching intervals become one."""
    merged = []
    for start, end, *_ in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def intersect(a, b):
    """Where two merged interval lists overlap."""
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if lo < hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def subtract(intervals, busy):
    """The parts of merged `intervals` outside merged, sorted `busy`."""
    out = []
    for lo, hi in intervals:
        for busy_lo, busy_hi in busy:
            if busy_hi <= lo:
                continue
            if busy_lo >= hi:
                break
            if busy_lo > lo:
                out.append((lo, busy_lo))
            lo = max(lo, busy_hi)
            if lo >= hi:
                break
        if lo < hi:
            out.append((lo, hi))
    return out


def covers(intervals, start, end):
    """Whether one interval holds all of [start, end)."""
    return any(lo <= start and end <= hi for lo, hi in intervals)


def grid_starts(pieces, step_minutes):
    """Instants inside the pieces whose local wall clock is on the step grid (9:00, 9:30...)."""
    step = timedelta(minutes=step_minutes)
    starts = set()
    for lo, hi, offset in pieces:
        wall = lo + offset
        midnight = datetime.combine(wall.date(), time())
        t = midnight + -((midnight - wall) // step) * step - offset  # first grid point >= lo
        while t < hi:
            starts.add(t)
            t += step
    return sorted(starts)


def local_to_utc(local, tz, latest=False):
    """Naive local wall-clock time to naive UTC. A reading that happens twice (fall back) or
    never (spring forward) has two candidates: the earliest, or with `latest` the latest, so
    a block typed as 'from A to B' always covers everything the clock showed between them."""
    candidates = [local.replace(tzinfo=tz, fold=fold).astimezone(timezone.utc)
                  .replace(tzinfo=None) for fold in (0, 1)]
    return max(candidates) if latest else min(candidates)
