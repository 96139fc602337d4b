"""Disclosure control and the reporting rules, with no I/O."""
from __future__ import annotations

import datetime as dt
import random

import pytest

from brobygger.referral.v1 import referral_pb2
from brobygger.reporting.v1 import reporting_pb2
from brobygger.type.v1 import types_pb2
from services.common.errors import InvalidArgument
from services.reporting.domain import model
from services.reporting.domain.disclosure import Figure, Suppression, primary, protect_group, publish

P, S = Suppression.PRIMARY, Suppression.SECONDARY
F, M = types_pb2.GENDER_FEMALE, types_pb2.GENDER_MALE
CHILD, YOUTH, ADULT = types_pb2.AGE_BAND_0_12, types_pb2.AGE_BAND_13_19, types_pb2.AGE_BAND_26_66


def shown(figures):
    return [f.value if not f.suppressed else f.suppression for f in figures]


def test_markers_are_the_protos():
    assert (P, S) == (reporting_pb2.SUPPRESSION_PRIMARY, reporting_pb2.SUPPRESSION_SECONDARY)
    assert (P.wire_name, S.wire_name) == ("SUPPRESSION_PRIMARY", "SUPPRESSION_SECONDARY")
    assert not primary(7, 5).suppressed and primary(7, 5).suppression is None


@pytest.mark.parametrize("count, k, expected", [
    (0, 5, Figure(0)), (1, 5, Figure(None, P)), (4, 5, Figure(None, P)), (5, 5, Figure(5)), (120, 5, Figure(120)),
    (2, 3, Figure(None, P)), (3, 3, Figure(3)),
])
def test_primary_suppression_keeps_zero_apart_from_hidden(count, k, expected):
    assert primary(count, k) == expected


def test_primary_refuses_nonsense():
    with pytest.raises(ValueError):
        primary(-1, 5)
    with pytest.raises(ValueError):
        primary(3, 1)


def test_one_hidden_cell_takes_the_next_smallest_nonzero_cell_with_it():
    cells, total = protect_group([12, 3, 0, 7, 40], 5, total=62)
    assert shown(cells) == [12, P, 0, S, 40]
    assert total == Figure(62)


def test_ties_go_to_the_cell_listed_first():
    cells, _ = protect_group([9, 2, 9], 5, total=20)
    assert shown(cells) == [S, P, 9]


def test_two_hidden_cells_need_no_secondary():
    cells, total = protect_group([1, 2, 30], 5, total=33)
    assert shown(cells) == [P, P, 30] and total == Figure(33)


def test_a_small_total_hides_itself_and_every_cell():
    cells, total = protect_group([3, 0], 5, total=3)
    assert shown(cells) == [P, 0] and total == Figure(None, P)


def test_without_another_cell_the_total_is_hidden():
    # Inconsistent on purpose (the cells do not add up): the total must still not reveal the hidden cell.
    cells, total = protect_group([2, 0], 5, total=9)
    assert shown(cells) == [P, 0] and total == Figure(None, S)


def test_groups_without_a_total_are_protected_too():
    cells, total = protect_group([6, 1, 30], 5)
    assert shown(cells) == [S, P, 30] and total is None


def test_no_suppressed_cell_can_be_recomputed_from_the_total():
    """Property: over many random tables, subtracting the visible cells from a
    published total never yields a single hidden cell, primary suppression
    holds, and what is shown is the true figure."""
    rng = random.Random(20261122)
    for _ in range(5000):
        k = rng.randint(2, 10)
        n = rng.randint(1, 10)
        cells = [rng.choice([0, 0, rng.randint(1, k - 1), rng.randint(1, 3 * k), rng.randint(k, 200)])
                 for _ in range(n)]
        total = sum(cells)
        masked, shown_total = protect_group(cells, k, total)
        for true, fig in zip(cells, masked):
            if fig.suppressed:
                assert fig.value is None and true > 0
            else:
                assert fig.value == true and (true == 0 or true >= k)
            if 0 < true < k:
                assert fig.suppression is P
        hidden = [i for i, f in enumerate(masked) if f.suppressed]
        if shown_total.suppressed:
            assert 0 < total < k or len(hidden) == 1
            continue
        assert shown_total.value == total
        remainder = total - sum(f.value for f in masked if not f.suppressed)
        # Recoverable means exactly one hidden cell carries the whole remainder.
        assert len(hidden) != 1, (cells, k, shown(masked))
        assert remainder == sum(cells[i] for i in hidden)


# ---------------------------------------------------------------- the node's figures


def raw(**overrides) -> model.RawStatistics:
    participants = (
        model.ParticipantCount(F, CHILD, 14, 40),
        model.ParticipantCount(F, ADULT, 3, 3),
        model.ParticipantCount(M, CHILD, 9, 25),
        model.ParticipantCount(M, YOUTH, 0, 6),
    )
    fields = dict(
        members=23, paying_members=4, activities=3, sessions=11, participants=participants,
        participants_unique_total=26, visits_total=74,
        referrals=(("REFERRAL_STATE_REQUESTED", 2), ("REFERRAL_STATE_COMPLETED", 8), ("REFERRAL_STATE_FAILED", 6)),
        sessions_by_subgoal=((types_pb2.IMDI_SUBGOAL_COMMUNITY, 6), (types_pb2.IMDI_SUBGOAL_QUALIFICATION, 5),
                             (types_pb2.IMDI_SUBGOAL_SOCIAL_CONTROL, 0)),
    )
    fields.update(overrides)
    return model.RawStatistics(**fields)


def test_publish_applies_the_rule_to_every_group():
    out = publish(raw(), 5)
    assert out.min_cell_size == 5
    assert (out.members, out.paying_members, out.activities) == (Figure(23), Figure(None, P), Figure(None, P))
    assert shown(p.unique for p in out.participants) == [14, P, S, 0]
    assert shown(p.visits for p in out.participants) == [40, P, 25, S]
    assert (out.participants_unique_total, out.visits_total) == (Figure(26), Figure(74))
    assert [(s, f.value if not f.suppressed else f.suppression) for s, f in out.referrals] == [
        ("REFERRAL_STATE_REQUESTED", P), ("REFERRAL_STATE_COMPLETED", 8), ("REFERRAL_STATE_FAILED", S)]
    assert shown(f for _, f in out.sessions_by_subgoal) == [6, 5, 0] and out.sessions == Figure(11)


def test_visits_group_gets_its_own_secondary_cell():
    out = publish(raw(participants=(model.ParticipantCount(F, CHILD, 14, 40), model.ParticipantCount(M, CHILD, 9, 2),
                                    model.ParticipantCount(M, YOUTH, 0, 31)),
                      participants_unique_total=23, visits_total=73), 5)
    assert shown(p.visits for p in out.participants) == [40, P, S]


def test_larger_minimum_cell():
    out = publish(raw(), 10)
    assert out.members == Figure(23) and out.sessions == Figure(11)
    assert shown(f for _, f in out.sessions_by_subgoal) == [P, P, 0]


# ---------------------------------------------------------------- periods


def test_period_is_parsed():
    p = model.parse_period("2026-01-01", "2026-12-31")
    assert (p.start, p.end, p.first_year, p.last_year) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31), 2026, 2026)
    assert p.iso() == "2026-01-01/2026-12-31"
    assert model.parse_period("2021-01-01", "2025-12-31").last_year == 2025  # five whole years


@pytest.mark.parametrize("start, end, given, fields", [
    ("", "", False, {"period"}),
    ("", "", True, {"period"}),
    ("2026-01-01", "", True, {"period.end_date"}),
    ("01.01.2026", "2026-13-01", True, {"period.start_date", "period.end_date"}),
    ("20260101", "2026-02-30", True, {"period.start_date", "period.end_date"}),
    ("2026-12-31", "2026-01-01", True, {"period.end_date"}),
    ("2021-01-01", "2026-01-01", True, {"period.end_date"}),
])
def test_invalid_periods_name_the_field(start, end, given, fields):
    with pytest.raises(InvalidArgument) as err:
        model.parse_period(start, end, given=given)
    assert {v.field for v in err.value.violations} == fields


def test_leap_day_period_span():
    assert model.parse_period("2024-02-29", "2029-02-28").end == dt.date(2029, 2, 28)
    with pytest.raises(InvalidArgument):
        model.parse_period("2024-02-29", "2029-03-01")


# ---------------------------------------------------------------- participants


def test_a_person_counts_once_in_the_cell_of_their_latest_visit():
    d = dt.date
    visits = {(F, YOUTH): 5, (F, ADULT): 3, (M, CHILD): 10}
    named = [
        model.NamedVisit("p1", F, YOUTH, d(2026, 3, 1)),
        model.NamedVisit("p1", F, ADULT, d(2026, 9, 1)),  # turned 20 ... and moved band: counted here
        model.NamedVisit("p2", F, YOUTH, d(2026, 4, 1)),
    ]
    rows, unique_total, visits_total = model.participants_table(visits, named)
    assert [(r.gender, r.age_band, r.unique, r.visits) for r in rows] == [
        (F, YOUTH, 1, 5), (F, ADULT, 1, 3), (M, CHILD, 0, 10)]
    assert (unique_total, visits_total) == (2, 18)
    assert sum(r.unique for r in rows) == unique_total


def test_session_subgoal_falls_back_to_the_activity():
    assert model.session_subgoal(types_pb2.IMDI_SUBGOAL_COMMUNITY, types_pb2.IMDI_SUBGOAL_QUALIFICATION) == 1
    assert model.session_subgoal(0, types_pb2.IMDI_SUBGOAL_QUALIFICATION) == 2
    assert model.session_subgoal(0, None) == types_pb2.IMDI_SUBGOAL_UNSPECIFIED


def test_rows_in_a_stable_order():
    assert model.subgoal_rows({0: 2, 3: 4}) == ((1, 0), (2, 0), (3, 4), (0, 2))
    assert model.referral_rows({referral_pb2.REFERRAL_STATE_COMPLETED: 3, referral_pb2.REFERRAL_STATE_REQUESTED: 1,
                                referral_pb2.REFERRAL_STATE_FAILED: 0, 99: 1}) == (
        ("REFERRAL_STATE_REQUESTED", 1), ("REFERRAL_STATE_COMPLETED", 3), ("REFERRAL_STATE_99", 1))

