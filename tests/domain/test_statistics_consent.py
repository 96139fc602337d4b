"""Who a withdrawn consent for statistics leaves out of a period's figures."""
from __future__ import annotations

import datetime as dt

from services.reporting.domain.consent import StatisticsConsentChange as C
from services.reporting.domain.consent import excluded

d = dt.date


def test_a_withdrawal_leaves_the_person_out_of_periods_that_begin_after_it():
    changes = [C("p1", d(2026, 3, 10), True)]
    assert excluded(changes, d(2026, 1, 1)) == frozenset()  # the year and quarter in progress keep counting them
    assert excluded(changes, d(2026, 3, 1)) == frozenset()
    assert excluded(changes, d(2026, 3, 10)) == frozenset()  # began that day, before the withdrawal was known
    assert excluded(changes, d(2026, 4, 1)) == {"p1"}
    assert excluded(changes, d(2027, 1, 1)) == {"p1"}


def test_given_again_counts_in_periods_that_begin_after_that():
    changes = [C("p1", d(2026, 1, 5), False), C("p1", d(2026, 3, 10), True), C("p1", d(2026, 6, 15), False)]
    assert excluded(changes, d(2026, 4, 1)) == {"p1"}
    assert excluded(changes, d(2026, 6, 1)) == {"p1"}
    assert excluded(changes, d(2026, 7, 1)) == frozenset()


def test_on_a_day_with_both_the_withdrawal_holds_and_the_order_of_facts_does_not_matter():
    both = [C("p1", d(2026, 3, 10), False), C("p1", d(2026, 3, 10), True)]
    assert excluded(both, d(2026, 4, 1)) == {"p1"}
    assert excluded(list(reversed(both)), d(2026, 4, 1)) == {"p1"}


def test_only_a_withdrawal_excludes():
    assert excluded([C("p1", d(2026, 1, 5), False)], d(2026, 4, 1)) == frozenset()
    assert excluded([], d(2026, 4, 1)) == frozenset()
