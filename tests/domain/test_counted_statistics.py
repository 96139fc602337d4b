"""Counted members per funder in a node's statistics: counted from pseudonymous facts with the same rules the
membership service explains with, and published under disclosure control. No I/O."""
from __future__ import annotations

import datetime as dt
import random

import pytest

from services.common import counting
from services.common.counting import CountingRule, YearFacts
from services.common.vocabulary import PaymentState
from services.reporting.domain import model
from services.reporting.domain.cellkey import CellKeys
from services.reporting.domain.disclosure import Suppression, publish

KEYS = CellKeys("a-test-secret-of-at-least-32-characters")
PAID, WAIVED, UNPAID = int(PaymentState.PAID), int(PaymentState.WAIVED), int(PaymentState.UNPAID)
IMDI = CountingRule("imdi", "IMDi", "Paying members", threshold=20)
FRIFOND = CountingRule("frifond", "Frifond", "Under 26", year_offset=-2, payment_states=frozenset({PaymentState.PAID}),
                       min_fee_nok=50, max_age=25)
YEAR = model.Period(dt.date(2026, 1, 1), dt.date(2026, 12, 31))


def raw(years, rules=(IMDI, FRIFOND), period=YEAR):
    members = [model.Member(y.person_id, y.payment_state in (PAID, WAIVED)) for y in years
               if period.first_year <= y.year <= period.last_year]
    counted = model.counted_members(rules, period, years, KEYS)
    return model.statistics(members, [], [], [], KEYS, counted=counted)


def test_counts_per_rule_with_basis_year():
    years = ([YearFacts(f"p{i}", 2026, PAID, 200, "", 1980) for i in range(23)]
             + [YearFacts(f"u{i}", 2026, UNPAID, 200, "", 1980) for i in range(4)]
             + [YearFacts(f"y{i}", 2024, PAID, 100, "", 2002) for i in range(11)]
             + [YearFacts(f"w{i}", 2024, WAIVED, 0, "", 2002) for i in range(3)])
    r = raw(years)
    (imdi, imdi_basis, imdi_count, imdi_within), (fri, fri_basis, fri_count, fri_within) = r.counted_members
    assert (imdi.id, imdi_basis, imdi_count.value, imdi_within) == ("imdi", 2026, 23, True)
    assert (fri.id, fri_basis, fri_count.value, fri_within) == ("frifond", 2024, 11, False)
    # the same persons give the same key as the paying-member count (IMDi's rule is "paying")
    assert imdi_count == r.paying_members
    published = publish(r, 5)
    figures = {rule.id: (basis, f) for rule, basis, f in published.counted_members}
    assert figures["imdi"][0] == 2026 and figures["imdi"][1].value in (20, 25)
    assert figures["imdi"][1].value == published.paying_members.value
    assert figures["frifond"][1].value in (10, 15)


def test_a_small_count_is_hidden():
    rule = CountingRule("x", "X", "Paid", payment_states=frozenset({PaymentState.PAID}))
    tiny = [YearFacts("a", 2026, PAID, 200, "", 1980), YearFacts("b", 2026, PAID, 200, "", 1980)]
    [(_, _, f)] = publish(raw(tiny, (rule,)), 5).counted_members
    assert f.suppression is Suppression.PRIMARY


@pytest.mark.parametrize("seed", range(40))
def test_property_the_not_counted_are_never_pinned(seed):
    rng = random.Random(seed)
    k = 5
    n = rng.randint(0, 30)
    years = [YearFacts(f"p{i}", 2026, rng.choice([PAID, UNPAID]), 200, "", 1980) for i in range(n)]
    rule = CountingRule("x", "X", "Paid", payment_states=frozenset({PaymentState.PAID}))
    r = raw(years, (rule,))
    published = publish(r, k)
    [(_, _, f)] = published.counted_members
    counted = r.counted_members[0][2].value
    rest = n - counted

    def box(fig, total_hidden=False):
        if fig.suppression is Suppression.PRIMARY:
            return (0 if total_hidden else 1), k - 1
        if fig.suppression is Suppression.SECONDARY:
            return k, n + 3 * k
        if fig.value == 0:
            return 0, 0
        return max(k, fig.value - k + 1), fig.value + k - 1

    m_lo, m_hi = box(published.members)
    c_lo, c_hi = box(f, published.members.suppression is Suppression.PRIMARY)
    possible = {m - c for m in range(m_lo, m_hi + 1) for c in range(c_lo, c_hi + 1) if m >= c}
    if 0 < rest < k:
        assert len(possible) > 1, (published, n, counted)
    if 0 < counted < k:
        assert f.suppressed


def test_the_same_module_counts_as_membership_explains():
    years = [YearFacts("a", 2024, PAID, 50, "", 1999), YearFacts("b", 2024, PAID, 49, "", 2000),
             YearFacts("c", 2024, PAID, 100, "", 1998)]
    explained = counting.evaluate(FRIFOND, 2026, years)
    [(_, _, count, _)] = model.counted_members((FRIFOND,), YEAR, years, KEYS)
    assert count.value == len(explained.counted) == 1
