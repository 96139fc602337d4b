"""Registration rules: places, the waiting list, promotion in order, each promotion once."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.common.errors import AlreadyExists, FailedPrecondition
from services.events.domain.registration import (
    Registration, RegistrationState, admission, after_session, cancelled, check_can_cancel, check_not_registered,
    next_seq, promotions, taken, waiting_list,
)

NOW = dt.datetime(2026, 3, 4, 17, 0, tzinfo=dt.timezone.utc)
S = RegistrationState


class Scope:
    """One scope's registrations, changed as the service changes them: admission, cancel, then promotions."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.rows: dict[str, Registration] = {}
        self.promoted: list[str] = []

    def register(self, person: str, hold: bool = False) -> Registration | None:
        rows = list(self.rows.values())
        try:
            check_not_registered(rows, person, "the course")
        except AlreadyExists:
            return None
        r = Registration(id=f"r{len(self.rows)}", activity_id="a", person_id=person,
                         state=admission(rows, self.capacity, hold=hold), seq=next_seq(rows))
        self.rows[r.id] = r
        return r

    def cancel(self, rid: str) -> list[Registration]:
        self.rows[rid] = cancelled(self.rows[rid], NOW)
        moved = promotions(list(self.rows.values()), self.capacity, NOW)
        for p in moved:
            self.rows[p.id] = p
            self.promoted.append(p.id)
        return moved


operations = st.lists(st.one_of(
    st.tuples(st.just("register"), st.integers(0, 15), st.booleans()),
    st.tuples(st.just("cancel"), st.integers(0, 40), st.booleans()),
), max_size=60)


@settings(max_examples=300, deadline=None)
@given(capacity=st.integers(1, 6), ops=operations)
def test_never_more_places_than_capacity_and_nobody_waits_while_a_place_is_free(capacity, ops):
    scope = Scope(capacity)
    for op, n, hold in ops:
        if op == "register":
            scope.register(f"p{n}", hold)
        elif scope.rows:
            rid = sorted(scope.rows)[n % len(scope.rows)]
            if scope.rows[rid].state in (S.PENDING, S.REGISTERED, S.WAITLISTED):
                scope.cancel(rid)
        rows = list(scope.rows.values())
        assert taken(rows) <= capacity
        assert not waiting_list(rows) or taken(rows) == capacity
        # a person holds at most one registration that is not cancelled
        active = [r.person_id for r in rows if r.state != S.CANCELLED]
        assert len(active) == len(set(active))


@settings(max_examples=300, deadline=None)
@given(capacity=st.integers(1, 5), people=st.integers(1, 15), cancels=st.lists(st.integers(0, 100), max_size=20))
def test_the_waitlist_is_promoted_in_order_each_promotion_once(capacity, people, cancels):
    scope = Scope(capacity)
    for i in range(people):
        scope.register(f"p{i}")
    queue_order = [r.id for r in waiting_list(scope.rows.values())]
    for n in cancels:
        holding = sorted(r.id for r in scope.rows.values() if r.holds_place)
        if not holding:
            break
        scope.cancel(holding[n % len(holding)])
    # promoted exactly in the order they queued, a prefix of the queue, nobody twice
    assert scope.promoted == queue_order[:len(scope.promoted)]
    assert len(scope.promoted) == len(set(scope.promoted))
    for rid in scope.promoted:
        assert scope.rows[rid].promote_time == NOW


@given(st.integers(0, 20))
def test_no_limit_means_nobody_waits(people):
    scope = Scope(0)
    for i in range(people):
        assert scope.register(f"p{i}").state == S.REGISTERED


def test_a_newcomer_waits_behind_those_already_waiting_even_with_a_place_free():
    rows = [Registration("r1", "a", "p1", S.REGISTERED, seq=1), Registration("r2", "a", "p2", S.WAITLISTED, seq=2)]
    assert admission(rows, 2) == S.WAITLISTED
    assert admission(rows[:1], 2, hold=True) == S.PENDING


def test_promotion_fills_every_free_place_first_in_line_first():
    rows = [Registration("r1", "a", "p1", S.CANCELLED, seq=1), Registration("r3", "a", "p3", S.WAITLISTED, seq=3),
            Registration("r2", "a", "p2", S.WAITLISTED, seq=2), Registration("r4", "a", "p4", S.WAITLISTED, seq=4)]
    assert [r.id for r in promotions(rows, 2, NOW)] == ["r2", "r3"]
    assert promotions(rows, 0, NOW)[0].state == S.REGISTERED


def test_attended_and_no_show_are_kept_and_not_cancelled():
    for state in (S.ATTENDED, S.NO_SHOW):
        with pytest.raises(FailedPrecondition) as err:
            check_can_cancel(Registration("r", "a", "p", state), "organizations/mir/activities/a/registrations/r")
        assert err.value.reason == "REGISTRATION_CLOSED"
    check_can_cancel(Registration("r", "a", "p", S.CANCELLED), "r")  # again: a no-op, not an error


def test_after_a_session_the_registered_are_attended_or_no_show_and_the_waitlisted_untouched():
    r = Registration("r", "a", "p", S.REGISTERED)
    assert after_session(r, True, NOW).state == S.ATTENDED
    assert after_session(r, False, NOW).state == S.NO_SHOW
    assert after_session(dataclasses.replace(r, state=S.NO_SHOW), False, NOW) is None
    assert after_session(dataclasses.replace(r, state=S.NO_SHOW), True, NOW).state == S.ATTENDED
    assert after_session(dataclasses.replace(r, state=S.WAITLISTED), False, NOW) is None
    assert after_session(dataclasses.replace(r, state=S.CANCELLED), False, NOW) is None
