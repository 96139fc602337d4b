"""The period chooser of the statistics pages: only what the reporting service answers.

Statistics are answered for whole calendar months, quarters and years only (gateway.rest.PERIOD; periods
a day apart could otherwise be subtracted). The chooser is two selects, a year and a part of it (the whole
year, one of its four quarters or one of its twelve months), so that no other period can be asked for. It
is a GET form: a period is not personal data, and a link to a period's figures can be kept and shared.
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Mapping
from zoneinfo import ZoneInfo

from flask_babel import format_date
from flask_babel import gettext as _

from brobygger.type.v1 import types_pb2

# The federation's nodes are in Norway: "this year" and "this month" are Norway's.
ZONE = ZoneInfo("Europe/Oslo")
# How many years back the chooser offers, this year included.
YEARS_OFFERED = 10
WHOLE_YEAR = "year"
QUARTERS = ("q1", "q2", "q3", "q4")
MONTHS = tuple(f"m{m:02d}" for m in range(1, 13))
PARTS = (WHOLE_YEAR, *QUARTERS, *MONTHS)


class PeriodError(ValueError):
    """A period that is not on the grid (a hand-written address: the form offers none)."""


@dataclass(frozen=True)
class Period:
    year: int
    part: str = WHOLE_YEAR

    @property
    def first_month(self) -> int:
        if self.part in QUARTERS:
            return 3 * QUARTERS.index(self.part) + 1
        return int(self.part[1:]) if self.part in MONTHS else 1

    @property
    def last_month(self) -> int:
        if self.part in QUARTERS:
            return self.first_month + 2
        return self.first_month if self.part in MONTHS else 12

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.first_month, 1)

    @property
    def end(self) -> dt.date:
        return dt.date(self.year, self.last_month, calendar.monthrange(self.year, self.last_month)[1])

    def date_range(self) -> types_pb2.DateRange:
        return types_pb2.DateRange(start_date=self.start.isoformat(), end_date=self.end.isoformat())

    @property
    def slug(self) -> str:
        """For file names: 2026, 2026-Q1, 2026-03."""
        if self.part in QUARTERS:
            return f"{self.year}-{self.part.upper()}"
        return f"{self.year}-{self.first_month:02d}" if self.part in MONTHS else str(self.year)

    def query(self) -> dict[str, str]:
        """The chooser's fields for this period, for links (url_for(..., **period.query()))."""
        return {"year": str(self.year), "part": self.part}

    def label(self) -> str:
        """The period in words, in the user's language: 2026; Quarter 1 2026; March 2026."""
        if self.part in QUARTERS:
            return _("Quarter %(n)s %(year)s", n=QUARTERS.index(self.part) + 1, year=self.year)
        if self.part in MONTHS:
            return format_date(self.start, "LLLL y").capitalize()
        return str(self.year)


def today() -> dt.date:
    return dt.datetime.now(ZONE).date()


def default(today: dt.date) -> Period:
    return Period(today.year)


def from_args(args: Mapping[str, str], today: dt.date) -> Period:
    """The period of a request's query (year, part); this year when none is given. Raises PeriodError for
    a year or part the chooser does not offer."""
    year_text, part = args.get("year", "").strip(), args.get("part", "").strip() or WHOLE_YEAR
    if not year_text:
        return default(today)
    if part not in PARTS or not year_text.isdigit() or int(year_text) not in years(today):
        raise PeriodError(year_text, part)
    return Period(int(year_text), part)


def years(today: dt.date) -> range:
    return range(today.year, today.year - YEARS_OFFERED, -1)


def choices(today: dt.date) -> dict:
    """What the chooser offers: years newest first, and the parts of a year in three groups."""
    quarter = [(q, _("Quarter %(n)s", n=i + 1)) for i, q in enumerate(QUARTERS)]
    month = [(m, format_date(dt.date(2000, i + 1, 1), "LLLL").capitalize()) for i, m in enumerate(MONTHS)]
    return {"years": list(years(today)), "whole_year": (WHOLE_YEAR, _("The whole year")),
            "quarters": quarter, "months": month}
