"""Recurring sessions: an RFC 5545 rule on an activity, expanded into sessions. Plain Python, no I/O.

A recurrence is an RRULE (e.g. ``FREQ=WEEKLY;INTERVAL=2;BYDAY=WE``) with a first day, a last day (or a COUNT in
the rule), a start time, a duration, a place and exception dates (EXDATE; a date or a period ``start/end`` such
as a winter break). python-dateutil's rrule and rruleset expand it.

Every occurrence becomes a session of its own, which can be moved, edited or cancelled like any other. What the
rule made is remembered per session (an :class:`Occurrence`), so that when the rule is changed its *untouched*
future sessions are made again and nothing a coordinator changed is lost: a session that was moved, edited,
cancelled, that has attendance, or that is in the past, is kept as it is.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Iterable, Sequence

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rruleset, rrulestr

from services.common.errors import Violations
from services.common.text import check_text
from services.events.domain.model import DATE_RE, MAX_DURATION_MINUTES, TIME_RE, Session, SessionState

# At most this many sessions from one rule: a rule with no end is refused, and a long one must be split.
MAX_OCCURRENCES = 200
MAX_EXCEPTIONS = 100
# A period of exception dates (e.g. a winter break, a summer holiday) spans at most this many days.
MAX_EXCEPTION_DAYS = 366
MAX_RULE_LENGTH = 500
# Words of an RRULE that are not taken: the first day, the last day and the time are fields of their own.
_NOT_IN_RULE = {"DTSTART": "start_date and start_time", "UNTIL": "end_date", "BYHOUR": "start_time",
                "BYMINUTE": "start_time", "BYSECOND": "start_time"}
_FREQUENCIES = {"DAILY": DAILY, "WEEKLY": WEEKLY, "MONTHLY": MONTHLY, "YEARLY": YEARLY}
RULE_HINT = ("an RFC 5545 RRULE such as FREQ=WEEKLY;INTERVAL=2;BYDAY=WE (every other Wednesday) or "
             "FREQ=MONTHLY;BYDAY=1FR (the first Friday of every month)")

# The weekdays of an RRULE's BYDAY, Monday first.
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class Recurrence:
    activity_id: str
    rule: str
    start_date: str
    start_time: str
    end_date: str = ""
    duration_minutes: int = 0
    location: str = ""
    # Each a date (YYYY-MM-DD) or an inclusive period (YYYY-MM-DD/YYYY-MM-DD).
    exception_dates: tuple[str, ...] = ()
    revision: int = 1
    create_time: dt.datetime | None = None
    update_time: dt.datetime | None = None


@dataclass(frozen=True)
class Slot:
    """One date the rule gives, with the time, duration and place its session gets."""

    date: str
    start_time: str
    duration_minutes: int
    location: str


@dataclass(frozen=True)
class Occurrence:
    """What the rule made of one session: its slot as generated. dropped: the rule no longer gives it (its
    session was cancelled when the rule changed)."""

    session_id: str
    activity_id: str
    slot: Slot
    dropped: bool = False


@dataclass(frozen=True)
class Held:
    """A session of a recurrence as it is now, with what the rule made of it and whether anyone is counted."""

    occurrence: Occurrence
    session: Session
    attended: bool = False

    @property
    def moved(self) -> bool:
        s, o = self.session, self.occurrence.slot
        return (s.date, s.start_time) != (o.date, o.start_time)

    @property
    def edited(self) -> bool:
        s, o = self.session, self.occurrence.slot
        return self.moved or (s.duration_minutes, s.location) != (o.duration_minutes, o.location)

    def untouched(self, today: dt.date) -> bool:
        """Still as the rule made it, in the future, with nobody counted: the rule may make it again."""
        return (not self.occurrence.dropped and not self.session.cancelled and not self.attended
                and not self.edited and self.session.date >= today.isoformat())


@dataclass(frozen=True)
class Plan:
    """What setting a rule does: sessions to make, untouched ones to bring in line, and ones to cancel."""

    create: tuple[Slot, ...] = ()
    update: tuple[tuple[Held, Slot], ...] = ()
    drop: tuple[Held, ...] = ()
    keep: tuple[Held, ...] = ()


def _date(value: str) -> dt.date | None:
    if not DATE_RE.match(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def normalize_rule(rule: str) -> str:
    """The rule in capitals without an RRULE: prefix or spaces."""
    text = "".join(rule.split()).upper()
    return text.removeprefix("RRULE:")


def _rule_parts(rule: str) -> dict[str, str]:
    parts: dict[str, str] = {}
    for part in rule.split(";"):
        key, _sep, value = part.partition("=")
        parts[key] = value
    return parts


def parse_exception(value: str) -> tuple[dt.date, dt.date] | None:
    """A date or an inclusive period start/end as (first, last); None when it is neither."""
    first, sep, last = value.strip().partition("/")
    a = _date(first)
    b = _date(last) if sep else a
    if a is None or b is None or b < a or (b - a).days >= MAX_EXCEPTION_DAYS:
        return None
    return a, b


def excluded_days(exceptions: Iterable[str]) -> set[dt.date]:
    days: set[dt.date] = set()
    for value in exceptions:
        period = parse_exception(value)
        if period is not None:
            first, last = period
            days.update(first + dt.timedelta(days=n) for n in range((last - first).days + 1))
    return days


# How far ahead a rule is searched from its first day: a rule whose dates are far apart or impossible (the 30th
# of February) is searched this far and no further.
HORIZON_DAYS = 3 * 366
MAX_INTERVAL = 99


def _dates_of(r: Recurrence) -> list[dt.datetime]:
    """The occurrences of a valid recurrence, in order: the rule from its first day and time up to its last
    day (or its first COUNT occurrences, within HORIZON_DAYS), without its exception dates (EXDATE), as
    python-dateutil's rrule and rruleset give them."""
    start = dt.datetime.combine(dt.date.fromisoformat(r.start_date), dt.time.fromisoformat(r.start_time))
    parts = _rule_parts(normalize_rule(r.rule))
    count = int(parts.pop("COUNT")) if "COUNT" in parts else None
    rule = rrulestr(";".join(f"{k}={v}" for k, v in parts.items()), dtstart=start)
    horizon = start + dt.timedelta(days=HORIZON_DAYS)
    if int(parts.get("INTERVAL", "1")) > 1:
        # "Every other Wednesday from 11 December" starts on the first Wednesday from then, as a coordinator
        # means it (RFC 5545 counts the interval from DTSTART, which should be the first occurrence).
        first = rule.replace(interval=1, until=horizon)[:1]
        if first:
            rule = rule.replace(dtstart=first[0])
    last = dt.datetime.combine(dt.date.fromisoformat(r.end_date), dt.time(23, 59, 59)) if r.end_date else horizon
    rule = rule.replace(until=min(last, horizon))
    rules = rruleset()
    # COUNT counts the rule's occurrences before the exception dates take some out (RFC 5545).
    for when in (rule[:count] if count is not None else rule):
        rules.rdate(when)
    for day in excluded_days(r.exception_dates):
        rules.exdate(dt.datetime.combine(day, start.time()))
    return list(rules)


def validate_recurrence(r: Recurrence, today: dt.date, prefix: str = "recurrence") -> None:
    """Every field's rules, and that the rule gives 1..MAX_OCCURRENCES sessions; InvalidArgument with a field
    violation per problem otherwise."""
    v = Violations()
    last_year = today.year + 1
    start = _date(r.start_date)
    v.check(start is not None and 2000 <= start.year <= last_year, f"{prefix}.start_date",
            f"is required: the first day, a date like 2027-01-14 in the years 2000 to {last_year}")
    end = _date(r.end_date) if r.end_date else None
    if r.end_date:
        v.check(end is not None and end.year <= last_year, f"{prefix}.end_date",
                f"must be the last day, a date like 2027-06-17 no later than {last_year}-12-31, or empty when the "
                "rule has a COUNT")
        if end is not None and start is not None:
            v.check(end >= start, f"{prefix}.end_date", "must not be before start_date")
    v.check(bool(TIME_RE.match(r.start_time)), f"{prefix}.start_time",
            "is required: the local time the sessions start, HH:MM like 17:00")
    v.check(0 <= r.duration_minutes <= MAX_DURATION_MINUTES, f"{prefix}.duration_minutes",
            f"must be 0..{MAX_DURATION_MINUTES} minutes; 0 when not known")
    v.check(len(r.location) <= 200, f"{prefix}.location", "at most 200 characters")
    check_text(v, r.location, f"{prefix}.location")
    v.check(len(r.exception_dates) <= MAX_EXCEPTIONS, f"{prefix}.exception_dates",
            f"at most {MAX_EXCEPTIONS} dates or periods")
    for i, value in enumerate(r.exception_dates[:MAX_EXCEPTIONS]):
        v.check(parse_exception(value) is not None, f"{prefix}.exception_dates[{i}]",
                "must be a date like 2027-02-24, or a period like 2027-02-22/2027-02-26 (first and last day, "
                f"at most {MAX_EXCEPTION_DAYS} days)")
    _check_rule(v, r, prefix)
    v.raise_if_any("recurrence")
    dates = _dates_of(r)
    count = len(dates)
    v.check(not dates or dates[-1].year <= last_year, f"{prefix}.rule",
            f"gives sessions after {last_year}-12-31; choose a smaller COUNT")
    v.check(count > 0, f"{prefix}.rule",
            "gives no session between start_date and end_date outside the exception dates; check the weekday "
            "and the period")
    v.check(count <= MAX_OCCURRENCES, f"{prefix}.end_date",
            f"the rule gives more than {MAX_OCCURRENCES} sessions; choose an earlier end_date or a smaller COUNT, "
            "or make a second recurrence later")
    v.raise_if_any("recurrence")


def _check_rule(v: Violations, r: Recurrence, prefix: str) -> None:
    field = f"{prefix}.rule"
    rule = normalize_rule(r.rule)
    if not v.check(bool(rule), field, f"is required: {RULE_HINT}"):
        return
    if not v.check(len(rule) <= MAX_RULE_LENGTH, field, f"at most {MAX_RULE_LENGTH} characters"):
        return
    parts = _rule_parts(rule)
    for word, instead in _NOT_IN_RULE.items():
        if word in parts:
            v.add(field, f"must not hold {word}: give it as {instead} instead")
            return
    if not v.check(parts.get("FREQ") in _FREQUENCIES, field,
                   f"must have FREQ=DAILY, WEEKLY, MONTHLY or YEARLY (sessions are at most daily): {RULE_HINT}"):
        return
    # A daily or weekly rule picks days by weekday and month only: a day of the month or year, a week number or
    # a position could make a rule with no date at all, which would be searched day by day for thousands of
    # years; such rules are monthly or yearly ones.
    if parts["FREQ"] in ("DAILY", "WEEKLY"):
        extra = sorted(set(parts) - {"FREQ", "INTERVAL", "COUNT", "BYDAY", "BYMONTH", "WKST"})
        if extra:
            v.add(field, f"a {parts['FREQ']} rule takes only INTERVAL, COUNT, BYDAY, BYMONTH and WKST, not "
                         f"{', '.join(extra[:3])}; use FREQ=MONTHLY or YEARLY for days of the month or year")
            return
    months = parts.get("BYMONTH", "1").split(",")
    if not v.check(all(m.isdigit() and 1 <= int(m) <= 12 for m in months), field, "BYMONTH must be months 1..12"):
        return
    interval = parts.get("INTERVAL", "1")
    if not v.check(interval.isdigit() and 1 <= int(interval) <= MAX_INTERVAL, field,
                   f"INTERVAL must be 1..{MAX_INTERVAL} (2: every other week or month)"):
        return
    count = parts.get("COUNT")
    if count is not None:
        if not v.check(count.isdigit() and 1 <= int(count) <= MAX_OCCURRENCES, field,
                       f"COUNT must be 1..{MAX_OCCURRENCES}"):
            return
        if r.end_date:
            v.add(f"{prefix}.end_date", "must be empty when the rule has a COUNT: give one of them")
            return
    elif not r.end_date:
        v.add(f"{prefix}.end_date",
              f"is required: the last day (or a COUNT in the rule), so that the rule ends; at most "
              f"{MAX_OCCURRENCES} sessions")
        return
    if _date(r.start_date) is None or not TIME_RE.match(r.start_time):
        return  # reported on their own fields; the rule cannot be tried without them
    try:
        rrulestr(rule, dtstart=dt.datetime.combine(dt.date.fromisoformat(r.start_date),
                                                    dt.time.fromisoformat(r.start_time)))
    except (ValueError, TypeError, KeyError, IndexError) as e:
        v.add(field, f"is not a valid RRULE ({str(e)[:100]}): {RULE_HINT}")


def slots(r: Recurrence) -> list[Slot]:
    """The dates a valid recurrence gives, in order, each with the time, duration and place of its session."""
    return [Slot(when.date().isoformat(), r.start_time, r.duration_minutes, r.location)
            for when in _dates_of(r)][:MAX_OCCURRENCES]


def simple_rule(weekday: str, frequency: str) -> str:
    """The RRULE of the web form's choices: a weekday (MO..SU) and every week, every other week, or monthly
    (the first such weekday of the month). ValueError for anything else."""
    if weekday not in WEEKDAYS:
        raise ValueError("weekday")
    rules = {"weekly": f"FREQ=WEEKLY;BYDAY={weekday}", "biweekly": f"FREQ=WEEKLY;INTERVAL=2;BYDAY={weekday}",
             "monthly": f"FREQ=MONTHLY;BYDAY=1{weekday}", "monthly_last": f"FREQ=MONTHLY;BYDAY=-1{weekday}"}
    if frequency not in rules:
        raise ValueError("frequency")
    return rules[frequency]


def plan(new: Sequence[Slot], held: Sequence[Held], today: dt.date, *, first: bool) -> Plan:
    """What setting a rule that gives ``new`` does to the sessions ``held`` of the recurrence so far.

    A session a coordinator moved, edited or cancelled, one with attendance, one in the past and one the rule
    dropped before are kept as they are; neither the date a kept session was made for nor the date it was
    moved to gets another session. An untouched
    future session whose date the rule still gives stays (brought to the new time, duration and place); one
    whose date it no longer gives is dropped (cancelled). Dates not yet held are made: every date the first
    time a rule is set (``first``), only those from today on when a rule is changed.
    """
    from_day = today.isoformat()
    wanted = {s.date: s for s in new}
    covered: set[str] = set()
    update: list[tuple[Held, Slot]] = []
    drop: list[Held] = []
    keep: list[Held] = []
    for h in held:
        if h.occurrence.dropped:
            keep.append(h)
            continue
        covered.add(h.occurrence.slot.date)
        if not h.untouched(today):
            keep.append(h)
            if not h.session.cancelled:  # a session moved to a date the rule gives: no second one there
                covered.add(h.session.date)
        elif h.occurrence.slot.date in wanted:
            slot = wanted[h.occurrence.slot.date]
            (update.append((h, slot)) if slot != h.occurrence.slot else keep.append(h))
        else:
            drop.append(h)
    create = tuple(s for s in new if s.date not in covered and (first or s.date >= from_day))
    return Plan(create=create, update=tuple(update), drop=tuple(drop), keep=tuple(keep))


def session_of(slot: Slot, session_id: str, activity_id: str, now: dt.datetime) -> Session:
    return Session(id=session_id, activity_id=activity_id, date=slot.date, start_time=slot.start_time,
                   duration_minutes=slot.duration_minutes, location=slot.location, create_time=now,
                   state=SessionState.SCHEDULED)


def brought_in_line(h: Held, slot: Slot, now: dt.datetime) -> tuple[Session, tuple[str, ...]]:
    """An untouched session with the new slot's time, duration and place, and the fields that changed."""
    s = h.session
    values = {"start_time": slot.start_time, "duration_minutes": slot.duration_minutes, "location": slot.location}
    changed = tuple(k for k, val in values.items() if getattr(s, k) != val)
    return dataclasses.replace(s, **values, update_time=now), changed
