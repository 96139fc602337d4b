"""Differential privacy at a node: the bounds, the table's sensitivity, OpenDP's calibration, clipping, the
fingerprint of the records counted, and what is published from a noisy answer."""
from __future__ import annotations

import datetime as dt
import math

import pytest

from services.common.vocabulary import AgeBand, Gender, ImdiSubgoal, ReferralState
from services.reporting.domain import model, privacy
from services.reporting.domain.cellkey import CellKeys
from services.reporting.domain.disclosure import Figure
from services.reporting.domain.model import AttendanceRow, Member, ReferralRow, RoleRow, SessionRow

KEYS = CellKeys("a-test-secret-of-at-least-32-characters")
F, M = int(Gender.FEMALE), int(Gender.MALE)
CHILD, ADULT = int(AgeBand.AGE_0_12), int(AgeBand.AGE_26_66)
d = dt.date


def visit(i: str, person: str, day: int, gender=F, band=CHILD, count: int = 1) -> AttendanceRow:
    return AttendanceRow(f"a-{i}", person, gender, band, 1 if person else count, d(2026, 2, day))


def table(members=(), sessions=(), attendances=(), referrals=(), visits_per_person: int = 3, roles=()):
    return model.statistics(list(members), list(sessions),
                            privacy.clip_visits(attendances, visits_per_person), list(referrals), KEYS, roles=list(roles))


def l1(a, b) -> int:
    return sum(abs(x.value - y.value) for x, y in zip(privacy.layout(a), privacy.layout(b)))


# ---------------------------------------------------------------------------- bounds and sensitivity


@pytest.mark.parametrize("c, expected", [(1, 12), (4, 18), (10, 30)])
def test_the_sensitivity_is_ten_plus_twice_the_visits_counted_per_person(c, expected):
    assert privacy.sensitivity(c) == expected == privacy.Policy(1.0, 10.0, c).sensitivity
    parts = privacy.contributions(c)
    assert parts["participants.visits"] == parts["visits_total"] == c
    assert parts["activities"] == parts["sessions"] == parts["sessions_by_subgoal"] == 0


def test_one_person_changes_the_table_by_at_most_its_sensitivity_and_the_bound_is_reached():
    """Neighbouring tables: the same records with and without one person's, who is a paying member, a named
    participant with more visits than are counted, in two cells, referred once, and holds every role (one of
    them twice)."""
    base = dict(
        members=[Member("m1", True), Member("m2", False)],
        sessions=[SessionRow("s1", "lh", int(ImdiSubgoal.QUALIFICATION), None)],
        attendances=[visit("x1", "m1", 3), visit("x2", "m2", 4, M), visit("hc", "", 5, count=12)],
        referrals=[ReferralRow("r1", int(ReferralState.REQUESTED))],
        roles=[RoleRow("m1", 3)],
    )
    c = 3
    with_her = dict(
        members=base["members"] + [Member("p", True)],
        sessions=base["sessions"],
        attendances=base["attendances"] + [visit(f"p{n}", "p", n + 1, F, CHILD if n < 3 else ADULT) for n in range(6)],
        referrals=base["referrals"] + [ReferralRow("r-p", int(ReferralState.COMPLETED))],
        roles=base["roles"] + [RoleRow("p", r) for r in model.ROLES] + [RoleRow("p", 3)],
    )
    assert l1(table(**base, visits_per_person=c), table(**with_her, visits_per_person=c)) == privacy.sensitivity(c)
    # Someone who is only a member, or only in a head count, changes far less.
    only_member = dict(base, members=base["members"] + [Member("q", False)])
    assert l1(table(**base), table(**only_member)) == 1
    one_more_in_the_cafe = dict(base, attendances=base["attendances"][:2] + [visit("hc", "", 5, count=13)])
    assert l1(table(**base), table(**one_more_in_the_cafe)) == 2


def test_each_named_persons_earliest_visits_are_counted_and_head_counts_are_not_clipped():
    rows = [visit(f"g{n}", "g", 20 - n) for n in range(6)] + [visit("b", "b", 1), visit("hc", "", 2, count=140)]
    kept = privacy.clip_visits(rows, 4)
    assert sorted(a.attendance_id for a in kept if a.person_id == "g") == ["a-g2", "a-g3", "a-g4", "a-g5"]
    assert [a.attendance_id for a in kept if a.person_id == "b"] == ["a-b"]
    assert [a.visits for a in kept if not a.person_id] == [140]
    # The same visit set whatever the order the rows came in.
    assert sorted(privacy.clip_visits(list(reversed(rows)), 4), key=str) == sorted(kept, key=str)


# ---------------------------------------------------------------------------- OpenDP's mechanism


@pytest.mark.parametrize("c, epsilon", [(1, 1.0), (4, 1.0), (4, 0.5), (10, 2.0)])
def test_opendp_calibrates_the_scale_to_the_sensitivity_and_the_epsilon(c, epsilon):
    mech = privacy.mechanism(privacy.sensitivity(c), epsilon)
    # Discrete Laplace: epsilon = sensitivity / scale; OpenDP's search finds the least scale within epsilon.
    assert mech.scale == pytest.approx(privacy.sensitivity(c) / epsilon, rel=1e-3)
    assert mech.epsilon <= epsilon and mech.epsilon == pytest.approx(epsilon, rel=1e-3)
    assert mech.sensitivity == privacy.sensitivity(c)


def test_more_visits_counted_per_person_means_proportionally_more_noise():
    small, large = (privacy.mechanism(privacy.sensitivity(c), 1.0) for c in (2, 20))
    assert large.scale / small.scale == pytest.approx(privacy.sensitivity(20) / privacy.sensitivity(2), rel=1e-3)


def test_the_noise_is_integer_centred_and_as_large_as_its_margin_says():
    mech = privacy.mechanism(9, 1.0)
    draws = mech([50] * 20_000)
    assert all(isinstance(v, int) for v in draws)
    errors = [v - 50 for v in draws]
    assert abs(sum(errors) / len(errors)) < 0.5  # centred (the standard error is about 0.09)
    within = sum(abs(e) <= mech.margin for e in errors) / len(errors)
    assert 0.94 <= within <= 0.965  # 95 in 100 (about eight standard errors either side of the bound)
    assert mech([50] * 5) != mech([50] * 5)  # drawn anew each time: only a stored answer repeats


@pytest.mark.parametrize("scale", [0.5, 1.0, 7.0, 25.0, 120.0])
def test_the_margin_is_the_least_bound_holding_95_in_100(scale):
    a = math.exp(-1 / scale)

    def beyond(t: int) -> float:  # P(|X| > t), summed term by term
        norm = (1 - a) / (1 + a)
        return 2 * sum(norm * a ** x for x in range(t + 1, t + 1 + int(60 * scale) + 200))

    t = privacy.margin(scale)
    assert beyond(t) <= 0.05 + 1e-9
    assert t == 0 or beyond(t - 1) > 0.05


# ---------------------------------------------------------------------------- the table, its fingerprint


def test_every_row_is_listed_whatever_the_records():
    empty = privacy.layout(table())
    assert len(empty) == len(privacy.NAMES)
    assert len(privacy.CELLS) == len(Gender) * len(AgeBand) and len(privacy.STATES) == len(ReferralState)
    one = table(referrals=[ReferralRow("r", int(ReferralState.FAILED))])
    assert [n for n, c in zip(privacy.NAMES, privacy.layout(one)) if c.value] == [
        "referrals/REFERRAL_STATE_FAILED"]


def test_the_fingerprint_names_the_records_counted_and_the_mechanism():
    mech = privacy.mechanism(privacy.sensitivity(3), 1.0)
    rows = [visit("1", "g", 1), visit("2", "g", 2)]
    same = privacy.fingerprint(table(attendances=rows), mech, 3)
    assert privacy.fingerprint(table(attendances=list(reversed(rows))), mech, 3) == same
    assert len(same) == 64 and int(same, 16) >= 0  # a SHA-256, in hex
    assert privacy.fingerprint(table(attendances=rows + [visit("3", "h", 3)]), mech, 3) != same
    # Another record of the same count: the cell keys tell them apart.
    assert privacy.fingerprint(table(attendances=[visit("1", "g", 1), visit("9", "g", 2)]), mech, 3) != same
    assert privacy.fingerprint(table(attendances=rows), privacy.mechanism(privacy.sensitivity(3), 0.5), 3) != same
    # A visit beyond the clip is not counted, so it changes nothing.
    clipped = [visit(str(n), "g", n + 1) for n in range(3)]
    assert (privacy.fingerprint(table(attendances=clipped), mech, 3)
            == privacy.fingerprint(table(attendances=clipped + [visit("late", "g", 28)]), mech, 3))


def test_a_noisy_answer_is_published_clamped_at_zero_and_never_suppressed():
    values = tuple(range(-3, len(privacy.NAMES) - 3))
    answer = privacy.NoisyAnswer(values, 1.0, 13.0)
    s = privacy.published(answer)
    assert (s.members, s.paying_members, s.activities, s.sessions) == (Figure(0), Figure(0), Figure(0), Figure(0))
    figures = [p.unique for p in s.participants] + [p.visits for p in s.participants] + [
        s.participants_unique_total, s.visits_total] + [f for _, f in s.referrals] + [f for _, f in s.sessions_by_subgoal]
    assert all(not f.suppressed and f.value >= 0 for f in figures)
    assert s.min_cell_size == 0 and len(s.participants) == 24
    assert [state for state, _ in s.referrals] == [st.wire_name for st in ReferralState]
    assert [g for g, _ in s.sessions_by_subgoal] == [int(g) for g in ImdiSubgoal]
    assert privacy.published(answer) == s  # a stored answer always publishes the same figures
    with pytest.raises(ValueError):
        privacy.published(privacy.NoisyAnswer(values[:-1], 1.0, 13.0))


def test_a_drawn_answer_follows_the_layout():
    mech = privacy.mechanism(privacy.sensitivity(3), 1.0)
    answer = privacy.NoisyAnswer.draw(table(members=[Member("m", True)]), mech)
    assert len(answer.values) == len(privacy.NAMES)
    assert (answer.epsilon, answer.scale) == (mech.epsilon, mech.scale)


# ---------------------------------------------------------------------------- the budget


def test_a_budget_in_millionths_adds_up_exactly_and_says_when_it_is_spent():
    per_query = privacy.micro(0.1)
    b = privacy.Budget("analyst-imdi", 10 * per_query, privacy.micro(1.0), per_query)
    assert (b.spent, b.limit, b.remaining, b.per_query) == (1.0, 1.0, 0.0, 0.1)
    err = privacy.exhausted(b)
    assert (err.code, err.reason) == ("FAILED_PRECONDITION", "PRIVACY_BUDGET_EXHAUSTED")
    assert "1 of 1 epsilon used" in err.message and "costs 0.1" in err.message
    assert "operator can raise" in err.message and "BROBYGGER_DP_BUDGET_EPSILON" in err.message
    assert err.metadata == {"epsilon_spent": "1", "epsilon_limit": "1", "epsilon_per_query": "0.1"}
    off = privacy.disabled("analyst-imdi")
    assert not off.enabled and (off.spent, off.limit, off.remaining) == (0, 0, 0)


def test_a_policy_refuses_nonsense():
    with pytest.raises(ValueError):
        privacy.Policy(0.0, 1.0, 3)
    with pytest.raises(ValueError):
        privacy.Policy(1.0, 1.0, 0)
