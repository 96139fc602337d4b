"""What a withdrawn consent for statistics means for the figures. Plain Python, no I/O.

A person who withdraws their consent for statistics is not counted in any period that begins after the
day of the withdrawal: not as a member, paying member or named participant (their visits are not counted
either). Periods that had begun by then keep counting them, so figures already published, or being
published for the period in progress, do not change after the fact, and a withdrawal cannot be found by
comparing an old answer with a new one for the same period. Anonymous head counts name nobody and are
not touched. Given again, the person is counted in periods that begin after that day.

Only a withdrawal excludes: people registered before consents were recorded, with no fact about their
statistics consent, are counted as before. On a day with both a withdrawal and a new consent (their
order within the day is not in the facts) the withdrawal holds: when unsure, the person is not counted.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable


@dataclass(frozen=True)
class StatisticsConsentChange:
    person_id: str
    changed_date: dt.date
    withdrawn: bool  # False: given


def excluded(changes: Iterable[StatisticsConsentChange], period_start: dt.date) -> frozenset[str]:
    """The people not to count in a period that begins on period_start: those whose latest change before that
    day is a withdrawal."""
    latest: dict[str, tuple[dt.date, bool]] = {}
    for c in changes:
        if c.changed_date >= period_start:
            continue
        held = latest.get(c.person_id)
        if held is None or (c.changed_date, c.withdrawn) > held:  # later day; the same day: withdrawn wins
            latest[c.person_id] = (c.changed_date, c.withdrawn)
    return frozenset(p for p, (_, withdrawn) in latest.items() if withdrawn)
