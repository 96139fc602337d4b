"""Disclosure control: small counts hidden, the rest rounded by their cell keys, no hidden count pinned.

The property tests take the analyst's side: from the published figures alone, and what the published
rules say they mean, they enumerate every table of true counts that agrees, and check that no hidden
count has one value only. That check is written independently of the node's own audit.
"""
from __future__ import annotations

import datetime as dt
import itertools
import random

import pytest

from brobygger.reporting.v1 import reporting_pb2
from brobygger.type.v1 import types_pb2
from services.reporting.domain import model
from services.reporting.domain.cellkey import CellKeys, Count
from services.reporting.domain.disclosure import Figure, Suppression, Table, primary, publish, rounded

F, M = types_pb2.GENDER_FEMALE, types_pb2.GENDER_MALE
CHILD, YOUTH, ADULT = types_pb2.AGE_BAND_0_12, types_pb2.AGE_BAND_13_19, types_pb2.AGE_BAND_26_66
KEYS = CellKeys("a-test-secret-of-at-least-32-characters")


def test_markers_are_the_protos():
    assert Suppression.PRIMARY == reporting_pb2.SUPPRESSION_PRIMARY
    assert Suppression.SECONDARY == reporting_pb2.SUPPRESSION_SECONDARY


@pytest.mark.parametrize("value,k,expected", [
    (0, 5, Figure(0)), (1, 5, Figure.hidden(Suppression.PRIMARY)), (4, 5, Figure.hidden(Suppression.PRIMARY)),
    (5, 5, Figure(5)), (10, 5, Figure(10)), (2, 3, Figure.hidden(Suppression.PRIMARY)), (3, 3, Figure(3)),
])
def test_small_counts_are_hidden_zero_is_shown_multiples_stay(value, k, expected):
    assert primary(Count(value, 12345), k) == expected


def test_primary_refuses_nonsense():
    with pytest.raises(ValueError):
        primary(Count(-1), 5)
    with pytest.raises(ValueError):
        primary(Count(3), 1)


def test_rounding_is_to_a_neighbouring_multiple_and_never_below_k():
    for value in range(5, 60):
        for key in range(0, 2 ** 64, 2 ** 59):
            shown = rounded(Count(value, key), 5)
            assert shown % 5 == 0 and abs(shown - value) < 5 and shown >= 5


def test_rounding_is_unbiased_over_record_sets():
    shown = [rounded(KEYS.count("attendance", [f"a{n}-{i}" for i in range(7)]), 5) for n in range(4000)]
    assert abs(sum(shown) / len(shown) - 7) < 0.15


def test_the_same_records_give_the_same_figure_and_others_need_not():
    ids = [f"s{i}" for i in range(23)]
    same = {rounded(KEYS.count("session", ids), 5) for _ in range(50)}
    assert len(same) == 1
    assert KEYS.count("session", ids) == KEYS.count("session", list(reversed(ids)))
    others = {rounded(KEYS.count("session", ids[:22] + [f"other{n}"]), 5) for n in range(50)}
    assert others == {20, 25}  # 23 is shown as 20 or 25, by the records counted


def test_a_key_needs_the_secret():
    assert CellKeys("x" * 32).record("person", "p1") != CellKeys("y" * 32).record("person", "p1")
    with pytest.raises(ValueError):
        CellKeys("")


# ---------------------------------------------------------------------------- the analyst's side


def feasible(box_of, names, sums, at_most):
    """Every assignment of true counts that agrees with what is published (small tables only)."""
    free = [n for n in names if n not in {t for t, _ in sums}]
    ranges = [range(lo, hi + 1) for lo, hi in (box_of(n) for n in free)]
    for values in itertools.product(*ranges):
        x = dict(zip(free, values))
        for total, cells in sums:
            x[total] = sum(x[c] for c in cells)
        lo_hi = [box_of(t) for t, _ in sums]
        if any(not lo <= x[t] <= hi for (t, _), (lo, hi) in zip(sums, lo_hi)):
            continue
        if all(x[a] <= x[b] for a, b in at_most):
            yield x


def analyst_box(f: Figure, k: int, cap: int, *, total_hidden: bool = False) -> tuple[int, int]:
    """What a published figure says about its true count, as the rules published for analysts say
    (a hidden cell of a table whose total is hidden may be 0)."""
    if f.suppression is Suppression.PRIMARY:
        return (0 if total_hidden else 1), k - 1
    if f.suppression is Suppression.SECONDARY:
        return k, cap
    if f.value == 0:
        return 0, 0
    return max(k, f.value - k + 1), f.value + k - 1


def random_table(rng: random.Random, k: int):
    t = Table(k)
    n = rng.randint(2, 3)
    cells = [t.add(f"c{i}", Count(rng.choice([0, 1, 1, 2, 3, k - 1, k, k + 1, 2 * k - 1, 2 * k + 2]),
                                  rng.getrandbits(64))) for i in range(n)]
    total = t.add("total", Count(sum(t.counts[c].value for c in cells), rng.getrandbits(64)))
    t.sums.append((total, cells))
    return t, cells, total


@pytest.mark.parametrize("seed", range(120))
def test_property_no_hidden_count_is_pinned_in_a_random_table(seed):
    rng = random.Random(seed)
    k = rng.choice([3, 4, 5])
    t, cells, total = random_table(rng, k)
    figures = t.publish()
    truth = {n: c.value for n, c in t.counts.items()}
    cap = truth[total] + 3 * k  # secondary cells are at least k; beyond this nothing new is feasible
    total_hidden = figures[total].suppression is Suppression.PRIMARY
    box = lambda n: analyst_box(figures[n], k, cap, total_hidden=total_hidden and n != total)  # noqa: E731
    worlds = list(feasible(box, cells + [total], [(total, cells)], []))
    assert truth in [{n: w[n] for n in truth} for w in worlds], "the truth must agree with what is published"
    for name, f in figures.items():
        if f.suppression is Suppression.PRIMARY and truth[name] > 0:
            assert len({w[name] for w in worlds}) > 1, (name, figures, truth)


@pytest.mark.parametrize("seed", range(60))
def test_property_paying_and_non_paying_members_are_protected_together(seed):
    rng = random.Random(1000 + seed)
    k = 5
    members = rng.randint(0, 30)
    paying = rng.randint(0, members)
    raw_members, raw_paying = Count(members, rng.getrandbits(64)), Count(paying, rng.getrandbits(64))
    t = Table(k)
    t.add("members", raw_members), t.add("paying", raw_paying)
    t.derived["non_paying"] = Count(members - paying, 0)
    t.sums.append(("members", ["paying", "non_paying"]))
    figures = t.publish()
    m_lo, m_hi = analyst_box(figures["members"], k, members + 3 * k)
    p_lo, p_hi = analyst_box(figures["paying"], k, members + 3 * k,
                             total_hidden=figures["members"].suppression is Suppression.PRIMARY)
    non_paying = {m - p for m in range(m_lo, m_hi + 1) for p in range(p_lo, p_hi + 1) if m >= p}
    if 0 < members - paying < k:
        assert len(non_paying) > 1, (figures, members, paying)
    if 0 < paying < k:
        assert figures["paying"].suppressed


def test_one_shown_cell_and_four_ones_cannot_be_pinned_by_a_total_rounded_down():
    # Total 9 (five and four ones). Rounded down to 5, it would say "at most 9": with the 5 shown, the four
    # hidden cells would add to at most 4 and each be exactly 1. The audit hides more instead.
    for key in range(0, 2 ** 64, 2 ** 60):
        t = Table(5)
        cells = [t.add("c0", Count(5, 7))] + [t.add(f"c{i}", Count(1, i)) for i in range(1, 5)]
        t.sums.append((t.add("total", Count(9, key)), cells))
        figures = t.publish()
        box = lambda n: analyst_box(figures[n], 5, 40)  # noqa: E731
        worlds = list(feasible(box, cells + ["total"], [("total", cells)], []))
        assert all(len({w[c] for w in worlds}) > 1 for c in cells[1:])


# ---------------------------------------------------------------------------- a node's statistics


def d(year, month, day):
    return dt.date(year, month, day)


def test_statistics_count_records_and_place_each_person_once():
    attendances = [
        model.AttendanceRow("a1", "p1", F, YOUTH, 1, d(2026, 3, 1)),
        model.AttendanceRow("a2", "p1", F, ADULT, 1, d(2026, 9, 1)),  # turned 20 and moved band: counted here
        model.AttendanceRow("a3", "p2", F, YOUTH, 1, d(2026, 4, 1)),
        model.AttendanceRow("a4", "", M, CHILD, 9, d(2026, 4, 1)),   # a head count of nine
    ]
    sessions = [model.SessionRow("s1", "act1", 0, 3), model.SessionRow("s2", "act1", 2, 3),
                model.SessionRow("s3", "act2", 0, None)]
    raw = model.statistics([model.Member("p1", True), model.Member("p2", False)], sessions, attendances,
                           [model.ReferralRow("r1", 7), model.ReferralRow("r2", 1)], KEYS)
    cells = {(p.gender, p.age_band): (p.unique.value, p.visits.value) for p in raw.participants
             if p.unique.value or p.visits.value}
    assert cells == {(F, YOUTH): (1, 2), (F, ADULT): (1, 1), (M, CHILD): (0, 9)}
    assert len(raw.participants) == 4 * 6  # every gender and age band, so which rows exist tells nothing
    assert (raw.participants_unique_total.value, raw.visits_total.value) == (2, 12)
    assert (raw.members.value, raw.paying_members.value, raw.non_paying_members.value) == (2, 1, 1)
    assert (raw.activities.value, raw.sessions.value) == (2, 3)
    assert [(g, n.value) for g, n in raw.sessions_by_subgoal] == [(1, 0), (2, 1), (3, 1), (0, 1)]
    assert [(s, n.value) for s, n in raw.referrals] == [("REFERRAL_STATE_REQUESTED", 1),
                                                         ("REFERRAL_STATE_COMPLETED", 1)]
    assert raw.visits_total.key == (KEYS.count("attendance", ["a1", "a2", "a3", "a4"]).key)


def test_publish_hides_small_rounds_the_rest_and_keeps_the_relations():
    people = [model.AttendanceRow(f"a{i}", f"p{i % 14}", F, CHILD, 1, d(2026, 3, 1 + i % 20)) for i in range(40)]
    people += [model.AttendanceRow(f"b{i}", f"q{i}", F, ADULT, 1, d(2026, 3, 2)) for i in range(3)]
    raw = model.statistics([model.Member(f"p{i}", i < 11) for i in range(14)],
                           [model.SessionRow(f"s{i}", "act", 1, 1) for i in range(12)], people, [], KEYS)
    out = publish(raw, 5)
    assert out.min_cell_size == 5
    by_cell = {(p.gender, p.age_band): p for p in out.participants}
    assert by_cell[(F, ADULT)].unique.suppression is Suppression.PRIMARY  # three people
    for figure in (out.members, out.paying_members, out.sessions, out.visits_total, by_cell[(F, CHILD)].visits):
        assert figure.suppressed or figure.value % 5 == 0
    assert out.members.value in (10, 15) and out.sessions.value in (10, 15)


def test_larger_minimum_cell():
    raw = model.statistics([model.Member(f"p{i}", True) for i in range(8)], [], [], [], KEYS)
    assert publish(raw, 10).members.suppression is Suppression.PRIMARY
    assert publish(raw, 5).members.value in (5, 10)


# ---------------------------------------------------------------------------- periods


@pytest.mark.parametrize("start,end", [("2026-01-01", "2026-12-31"), ("2026-04-01", "2026-06-30"),
                                       ("2026-02-01", "2026-02-28"), ("2024-02-01", "2024-02-29"),
                                       ("2026-12-01", "2026-12-31"), (" 2026-10-01", "2026-12-31 ")])
def test_periods_on_the_grid_are_accepted(start, end):
    period = model.parse_period(start, end)
    assert period.iso() == f"{start.strip()}/{end.strip()}"


@pytest.mark.parametrize("start,end", [
    ("2026-01-01", "2026-01-02"),  # the cumulative-day attack
    ("2026-02-23", "2026-02-23"),  # a single day
    ("2026-02-01", "2026-03-31"),  # two months
    ("2026-02-01", "2026-04-30"),  # three months that are no quarter
    ("2026-01-01", "2027-12-31"),  # two years
    ("2026-01-02", "2026-01-31"),
    ("2024-02-01", "2024-02-28"),  # a leap February ends on the 29th
])
def test_periods_off_the_grid_are_refused_saying_what_is_allowed(start, end):
    with pytest.raises(Exception) as err:
        model.parse_period(start, end)
    assert err.value.reason == "INVALID_FIELDS"
    assert [v.field for v in err.value.violations] == ["period"]
    assert "calendar month, quarter or year" in err.value.violations[0].description


@pytest.mark.parametrize("start,end,given,fields", [
    ("", "", False, ["period"]),
    ("2026-13-01", "2026-12-31", True, ["period.start_date"]),
    ("2026-01-01", "31.12.2026", True, ["period.end_date"]),
    ("", "2026-12-31", True, ["period.start_date"]),
])
def test_invalid_periods_name_the_field(start, end, given, fields):
    with pytest.raises(Exception) as err:
        model.parse_period(start, end, given=given)
    assert [v.field for v in err.value.violations] == fields


def test_session_subgoal_falls_back_to_the_activity():
    assert model.session_subgoal(2, 1) == 2
    assert model.session_subgoal(0, 3) == 3
    assert model.session_subgoal(0, None) == model.NO_SUBGOAL
