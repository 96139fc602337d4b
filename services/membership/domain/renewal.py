"""Renewal of membership years: who carries over from one year into the next, at what fee, and why not.
Plain Python, no I/O.

A member of year Y (a membership year of Y that is not cancelled) carries over into Y+1 when they paid for Y
or the board waived their fee: Y+1 is recorded unpaid (invoiced) at the fee of the node's fee schedule
(counting.FeeSchedule, by age in Y+1), or, without one, at the fee of Y. Nobody lapses silently: a member
who did not pay for Y, or whose membership was cancelled, does not carry over and is listed with the
reason; one who already has a membership year of Y+1 is left as it is and listed too.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Iterable

from services.common.counting import FeeSchedule
from services.common.errors import FieldViolation, InvalidArgument
from services.common.vocabulary import PaymentState
from services.membership.domain.model import MembershipYear


class Outcome(enum.IntEnum):
    """What a renewal does with a member (wire names RENEWAL_OUTCOME_*)."""

    RENEW = 1       # carries over: Y+1 recorded unpaid at the fee
    KEEP = 2        # already has Y+1: left as it is
    LAPSE = 3       # does not carry over


class Reason(enum.IntEnum):
    """Why (wire names RENEWAL_REASON_*)."""

    PAID = 1
    WAIVED = 2
    ALREADY_RECORDED = 3
    UNPAID = 4
    CANCELLED = 5


class FeeSource(enum.IntEnum):
    """Where the fee of Y+1 comes from (wire names FEE_SOURCE_*)."""

    SCHEDULE = 1
    LAST_YEAR = 2
    RECORDED = 3  # the year already recorded (KEEP)


@dataclass(frozen=True)
class Entry:
    person_id: str
    outcome: Outcome
    reason: Reason
    from_state: int
    from_fee_nok: int
    to_fee_nok: int = 0  # RENEW: the fee invoiced; KEEP: the fee recorded; LAPSE: 0
    fee_source: FeeSource | None = None
    to_state: int = 0  # KEEP: the state recorded for Y+1; RENEW: UNPAID


@dataclass(frozen=True)
class Plan:
    from_year: int
    entries: tuple[Entry, ...]

    @property
    def to_year(self) -> int:
        return self.from_year + 1

    def count(self, outcome: Outcome) -> int:
        return sum(1 for e in self.entries if e.outcome is outcome)


@dataclass(frozen=True)
class AppliedRenewal:
    """A renewal as it was applied: kept, so that a retry answers what it did."""

    id: str
    plan: Plan
    apply_time: object = None  # datetime


MIN_YEAR = 2000


def check_from_year(year: int, this_year: int, field: str = "from_year") -> int:
    """A year to renew from: from 2000 to this year (its next year is at most next year)."""
    if not MIN_YEAR <= year <= this_year:
        raise InvalidArgument(
            f"{field} must be the year members carry over from, {MIN_YEAR} to {this_year} (renewing {this_year} "
            f"creates {this_year + 1}); got {year}.", reason="INVALID_FIELDS",
            violations=[FieldViolation(field, f"a year from {MIN_YEAR} to {this_year}")])
    return year


def plan(from_year: int, current: Iterable[MembershipYear], following: dict[str, MembershipYear],
         birth_years: dict[str, int], fees: FeeSchedule | None) -> Plan:
    """The renewal of the members of from_year (current: their years of from_year) into the next year;
    following: the years of the next year already recorded, by person id; birth_years for the fee schedule.
    Entries in the order of current."""
    to_year = from_year + 1
    entries = []
    for y in current:
        if y.year != from_year:
            continue
        have = following.get(y.person_id)
        if y.payment_state == PaymentState.CANCELLED:
            entries.append(Entry(y.person_id, Outcome.LAPSE, Reason.CANCELLED, y.payment_state, y.fee_nok))
        elif have is not None:
            entries.append(Entry(y.person_id, Outcome.KEEP, Reason.ALREADY_RECORDED, y.payment_state, y.fee_nok,
                                 have.fee_nok, FeeSource.RECORDED, have.payment_state))
        elif y.payment_state in (PaymentState.PAID, PaymentState.WAIVED):
            if fees is not None:
                fee, source = fees.fee(birth_years.get(y.person_id, 0), to_year), FeeSource.SCHEDULE
            else:
                fee, source = y.fee_nok, FeeSource.LAST_YEAR
            reason = Reason.PAID if y.payment_state == PaymentState.PAID else Reason.WAIVED
            entries.append(Entry(y.person_id, Outcome.RENEW, reason, y.payment_state, y.fee_nok, fee, source,
                                 int(PaymentState.UNPAID)))
        else:
            entries.append(Entry(y.person_id, Outcome.LAPSE, Reason.UNPAID, y.payment_state, y.fee_nok))
    return Plan(from_year, tuple(entries))


def renewed_year(entry: Entry, to_year: int) -> MembershipYear:
    """The membership year a RENEW entry records: unpaid (invoiced) at its fee."""
    assert entry.outcome is Outcome.RENEW
    return MembershipYear(person_id=entry.person_id, year=to_year, fee_nok=entry.to_fee_nok,
                          payment_state=int(PaymentState.UNPAID))
