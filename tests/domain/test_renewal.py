"""Renewal of membership years: who carries over, at what fee, and why not. No I/O."""
from __future__ import annotations

import pytest

from services.common.counting import FeeBand, FeeSchedule
from services.common.errors import InvalidArgument
from services.common.vocabulary import PaymentState
from services.membership.domain import renewal
from services.membership.domain.model import MembershipYear
from services.membership.domain.renewal import FeeSource, Outcome, Reason

PAID, WAIVED, UNPAID, CANCELLED = PaymentState.PAID, PaymentState.WAIVED, PaymentState.UNPAID, PaymentState.CANCELLED


def year(pid, y=2026, state=PAID, fee=200):
    return MembershipYear(pid, y, fee, int(state))


def test_paid_and_waived_carry_over_unpaid_and_cancelled_do_not_and_nobody_is_left_out():
    current = [year("paid"), year("waived", state=WAIVED, fee=0), year("unpaid", state=UNPAID),
               year("cancelled", state=CANCELLED), year("old", y=2025)]
    plan = renewal.plan(2026, current, {}, {}, None)
    got = {e.person_id: (e.outcome, e.reason, e.to_fee_nok, e.fee_source) for e in plan.entries}
    assert got == {
        "paid": (Outcome.RENEW, Reason.PAID, 200, FeeSource.LAST_YEAR),
        "waived": (Outcome.RENEW, Reason.WAIVED, 0, FeeSource.LAST_YEAR),
        "unpaid": (Outcome.LAPSE, Reason.UNPAID, 0, None),
        "cancelled": (Outcome.LAPSE, Reason.CANCELLED, 0, None),
    }
    assert (plan.to_year, plan.count(Outcome.RENEW), plan.count(Outcome.LAPSE)) == (2027, 2, 2)


def test_the_fee_schedule_sets_the_fee_by_age_in_the_next_year():
    fees = FeeSchedule(200, (FeeBand(25, 100),))
    plan = renewal.plan(2026, [year("young", fee=100), year("turns26", fee=100), year("unknown")], {},
                        {"young": 2003, "turns26": 2001, "unknown": 0}, fees)
    assert {e.person_id: (e.to_fee_nok, e.fee_source) for e in plan.entries} == {
        "young": (100, FeeSource.SCHEDULE), "turns26": (200, FeeSource.SCHEDULE), "unknown": (200, FeeSource.SCHEDULE)}


def test_a_member_who_already_has_the_next_year_is_kept_as_it_is():
    following = {"a": year("a", 2027, PAID, 250)}
    [e] = renewal.plan(2026, [year("a")], following, {}, None).entries
    assert (e.outcome, e.reason, e.to_fee_nok, e.to_state, e.fee_source) == (
        Outcome.KEEP, Reason.ALREADY_RECORDED, 250, PAID, FeeSource.RECORDED)


def test_a_cancelled_member_lapses_even_with_a_next_year():
    [e] = renewal.plan(2026, [year("a", state=CANCELLED)], {"a": year("a", 2027)}, {}, None).entries
    assert (e.outcome, e.reason) == (Outcome.LAPSE, Reason.CANCELLED)


def test_the_renewed_year_is_unpaid_at_the_fee():
    [e] = renewal.plan(2026, [year("a", fee=300)], {}, {}, None).entries
    assert renewal.renewed_year(e, 2027) == MembershipYear("a", 2027, 300, int(UNPAID))


@pytest.mark.parametrize("y", [1999, 2027])
def test_from_year_must_be_2000_to_this_year(y):
    with pytest.raises(InvalidArgument) as err:
        renewal.check_from_year(y, 2026)
    assert err.value.violations[0].field == "from_year"
    assert renewal.check_from_year(2026, 2026) == 2026
