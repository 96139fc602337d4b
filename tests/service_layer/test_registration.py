"""Registration use cases on in-memory fakes: places, the waiting list, promotion, households, no-shows."""
from __future__ import annotations

import dataclasses

import pytest

from brobygger.events.v1 import registration_facts_pb2 as rfacts
from services.common.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from services.common.pagination import memory_page
from services.events.adapters.registration_repository import RegistrationRepository
from services.events.domain.model import PersonProfile
from services.events.domain.registration import RegistrationState as S
from services.events.service_layer import registration as reg
from services.common.vocabulary import Gender
from tests.service_layer.test_events import (
    COORDINATOR, VOLUNTEER, EventsStore, FakeEventsUnitOfWork, FakeMembership, attend, create_activity,
    create_session, staged, swimming,
)

ORG = "organizations/mir"
HOUSEHOLD = "h-hussain"
FAMILY = ["p-mother", "p-son", "p-daughter"]


class FakeRegistrations(RegistrationRepository):
    def __init__(self, rows: dict, store: EventsStore) -> None:
        self.rows, self.store = rows, store

    def lock_scope(self, activity_id, session_id):
        self.store.locks = getattr(self.store, "locks", 0) + 1

    def scope(self, activity_id, session_id):
        return sorted((r for r in self.rows.values() if (r.activity_id, r.session_id) == (activity_id, session_id)),
                      key=lambda r: r.seq)

    def add(self, r):
        assert not any(o.person_id == r.person_id and o.state != S.CANCELLED
                       for o in self.scope(r.activity_id, r.session_id)), "the unique key"
        self.rows[r.id] = r

    def get(self, registration_id):
        return self.rows.get(registration_id)

    def update(self, r):
        assert r.id in self.rows
        self.rows[r.id] = r

    def page(self, activity_id, session_id, after, limit, *, show_cancelled=False):
        mine = [r for r in self.scope(activity_id, session_id) if show_cancelled or r.state != S.CANCELLED]
        return memory_page(mine, lambda r: (r.seq,), after, limit)


class FakeRegistrationUnitOfWork(FakeEventsUnitOfWork):
    def open(self, state):
        super().open(state)
        self.registrations = FakeRegistrations(state.table("registrations"), self.store)


class FakeHouseholds(FakeMembership):
    def __init__(self, store):
        super().__init__(store)
        self.households: dict[str, list[str]] = {}
        self.purposes: list[str] = []

    def household_members(self, household_id, *, purpose, on_behalf_of):
        assert self.store.open_units == 0, "a transaction is held open while membership is asked"
        self.purposes.append(purpose)
        self.on_behalf_of.append(on_behalf_of)
        return self.households.get(household_id)


@pytest.fixture
def store():
    return EventsStore()


@pytest.fixture
def uow(store):
    return lambda: FakeRegistrationUnitOfWork(store)


@pytest.fixture
def membership(store):
    directory = FakeHouseholds(store)
    directory.profiles = {p: PersonProfile(1990, Gender.FEMALE) for p in FAMILY + [f"p{i}" for i in range(10)]}
    directory.households = {HOUSEHOLD: FAMILY, "h-empty": []}
    return directory


def course(uow, capacity=2):
    a = create_activity(uow, swimming(capacity=capacity))
    return a, reg.Scope(a.id, "", f"{ORG}/activities/{a.id}")


def register(uow, membership, scope, person, request_id="", hold=False):
    return reg.create_registration(reg.CreateRegistration(scope, person, hold, COORDINATOR, request_id), uow(),
                                   membership)


def cancel(uow, r, request_id=""):
    return reg.cancel_registration(reg.ChangeRegistration(
        r.activity_id, r.id, f"{ORG}/activities/{r.activity_id}/registrations/{r.id}", COORDINATOR, request_id), uow())


def test_places_then_the_waiting_list_and_a_cancellation_promotes_the_first_in_line(uow, store, membership):
    _, scope = course(uow, capacity=2)
    a, b, c, d = (register(uow, membership, scope, f"p{i}") for i in range(4))
    assert [r.state for r in (a, b, c, d)] == [S.REGISTERED, S.REGISTERED, S.WAITLISTED, S.WAITLISTED]
    gone, promoted = cancel(uow, b)
    assert gone.state == S.CANCELLED and [p.id for p in promoted] == [c.id]
    assert store.state.table("registrations")[c.id].state == S.REGISTERED
    assert store.state.table("registrations")[c.id].promote_time is not None
    changed = staged(store, rfacts.RegistrationChanged)
    assert [(f.message.registration_id, f.message.state, f.message.promoted) for f in changed[-2:]] == [
        (b.id, S.CANCELLED, False), (c.id, S.REGISTERED, True)]
    assert all(f.key == scope.activity_id for f in changed)
    # facts carry ids and states, nothing else about the person
    assert changed[0].message.person_id == "p0"


def test_cancelling_again_promotes_nobody_a_second_time(uow, store, membership):
    _, scope = course(uow, capacity=1)
    a = register(uow, membership, scope, "p0")
    w1, w2 = register(uow, membership, scope, "p1"), register(uow, membership, scope, "p2")
    assert cancel(uow, a)[1][0].id == w1.id
    assert cancel(uow, a) == (store.state.table("registrations")[a.id], [])
    assert store.state.table("registrations")[w2.id].state == S.WAITLISTED
    assert len(staged(store, rfacts.RegistrationChanged)) == 5  # 3 made, 1 cancelled, 1 promoted


def test_a_retried_cancel_answers_without_promoting_again(uow, store, membership):
    _, scope = course(uow, capacity=1)
    a = register(uow, membership, scope, "p0")
    register(uow, membership, scope, "p1"), register(uow, membership, scope, "p2")
    first = cancel(uow, a, request_id="c-1")
    again = cancel(uow, a, request_id="c-1")
    assert len(first[1]) == 1 and again[1] == [] and again[0].state == S.CANCELLED
    assert [r.state for r in reg.list_registrations(reg.ListRegistrations(scope, "check"), uow()).registrations] == [
        S.REGISTERED, S.WAITLISTED]


def test_a_person_is_registered_once_per_scope_and_again_after_cancelling(uow, membership):
    _, scope = course(uow)
    r = register(uow, membership, scope, "p0")
    with pytest.raises(AlreadyExists) as err:
        register(uow, membership, scope, "p0")
    assert err.value.reason == "ALREADY_REGISTERED"
    cancel(uow, r)
    assert register(uow, membership, scope, "p0").state == S.REGISTERED


def test_an_unknown_person_is_refused_and_a_retry_does_not_ask_membership_again(uow, store, membership):
    _, scope = course(uow)
    with pytest.raises(NotFound) as err:
        register(uow, membership, scope, "p-nobody")
    assert err.value.reason == "PERSON_NOT_FOUND" and err.value.violations[0].field == "registration.person"
    first = register(uow, membership, scope, "p0", request_id="r-1")
    asked = len(membership.asked)
    assert register(uow, membership, scope, "p0", request_id="r-1") == first
    assert len(membership.asked) == asked and membership.on_behalf_of[-1] == "coordinator-mir"


def test_a_held_place_is_pending_until_confirmed(uow, membership):
    _, scope = course(uow, capacity=1)
    held = register(uow, membership, scope, "p0", hold=True)
    assert held.state == S.PENDING
    assert register(uow, membership, scope, "p1").state == S.WAITLISTED  # a held place is taken
    cmd = reg.ChangeRegistration(held.activity_id, held.id, "r", COORDINATOR)
    assert reg.confirm_registration(cmd, uow()).state == S.REGISTERED
    with pytest.raises(FailedPrecondition):
        waiting = register(uow, membership, scope, "p2")
        reg.confirm_registration(reg.ChangeRegistration(waiting.activity_id, waiting.id, "r", COORDINATOR), uow())


def test_a_session_scope_has_its_own_places_and_a_cancelled_session_takes_none(uow, membership):
    activity, _ = course(uow, capacity=1)
    s1, s2 = create_session(uow, activity.id), create_session(uow, activity.id, date="2026-03-11")
    one = reg.Scope(activity.id, s1.id, f"{ORG}/activities/{activity.id}/sessions/{s1.id}")
    two = reg.Scope(activity.id, s2.id, f"{ORG}/activities/{activity.id}/sessions/{s2.id}")
    assert register(uow, membership, one, "p0").state == S.REGISTERED
    assert register(uow, membership, two, "p1").state == S.REGISTERED
    assert register(uow, membership, one, "p1").state == S.WAITLISTED


def test_a_household_is_registered_member_by_member_and_reported_per_person(uow, store, membership):
    _, scope = course(uow, capacity=2)
    register(uow, membership, scope, "p-son")
    cmd = reg.RegisterHousehold(scope, HOUSEHOLD, "registration for swimming", COORDINATOR, "h-1")
    results = reg.register_household(cmd, uow(), membership)
    assert [(x.person_id, x.registration.state, x.already_registered) for x in results] == [
        ("p-mother", S.REGISTERED, False), ("p-son", S.REGISTERED, True), ("p-daughter", S.WAITLISTED, False)]
    assert results[0].registration.household_id == HOUSEHOLD
    assert membership.purposes == ["registration for swimming"] and membership.on_behalf_of[-1] == "coordinator-mir"
    again = reg.register_household(cmd, uow(), membership)
    assert [(x.person_id, x.registration.id) for x in again] == [(x.person_id, x.registration.id) for x in results]
    assert len(store.state.table("registrations")) == 3


def test_a_household_that_is_unknown_or_empty_is_refused(uow, membership):
    _, scope = course(uow)
    with pytest.raises(NotFound) as err:
        reg.register_household(reg.RegisterHousehold(scope, "h-none", "swimming", COORDINATOR), uow(), membership)
    assert err.value.reason == "HOUSEHOLD_NOT_FOUND"
    with pytest.raises(FailedPrecondition) as err:
        reg.register_household(reg.RegisterHousehold(scope, "h-empty", "swimming", COORDINATOR), uow(), membership)
    assert err.value.reason == "HOUSEHOLD_EMPTY"
    with pytest.raises(InvalidArgument) as err:
        reg.register_household(reg.RegisterHousehold(scope, HOUSEHOLD, " ", COORDINATOR), uow(), membership)
    assert err.value.reason == "PURPOSE_REQUIRED"


def test_the_listing_is_audited_and_gives_the_waiting_list_its_order(uow, store, membership):
    _, scope = course(uow, capacity=1)
    rs = [register(uow, membership, scope, f"p{i}") for i in range(3)]
    listing = reg.list_registrations(reg.ListRegistrations(scope, "call the waiting list", actor=VOLUNTEER), uow())
    assert listing.capacity == 1 and listing.taken == 1
    assert listing.positions == {rs[1].id: 1, rs[2].id: 2}
    line = store.state.audit[-1]
    assert line.resource == f"{scope.resource}/registrations" and line.purpose == "call the waiting list"
    with pytest.raises(InvalidArgument):
        reg.list_registrations(reg.ListRegistrations(scope, ""), uow())


def test_after_a_session_those_who_came_are_attended_and_the_others_no_show(uow, store, membership):
    membership.profiles["p-mother"] = PersonProfile(1984, Gender.FEMALE)
    activity, _ = course(uow, capacity=5)
    session = create_session(uow, activity.id, date="2026-03-04")
    scope = reg.Scope(activity.id, session.id, f"{ORG}/activities/{activity.id}/sessions/{session.id}")
    came, missed = register(uow, membership, scope, "p0"), register(uow, membership, scope, "p1")
    attend(uow, membership, session, person="p0")
    cmd = reg.MarkNoShows(activity.id, session.id, scope.resource, COORDINATOR)
    marked = reg.mark_no_shows(cmd, uow())
    assert {r.id: r.state for r in marked.registrations} == {came.id: S.ATTENDED, missed.id: S.NO_SHOW}
    assert (marked.attended, marked.no_show) == (1, 1)
    facts_before = len(store.state.facts)
    reg.mark_no_shows(cmd, uow())
    assert len(store.state.facts) == facts_before  # nothing changed, nothing told twice
    no_show = [f.message for f in staged(store, rfacts.RegistrationChanged) if f.message.state == S.NO_SHOW]
    assert no_show[0].date == "2026-03-04" and no_show[0].previous_state == S.REGISTERED


def test_no_shows_are_not_marked_before_the_session(uow, membership):
    activity, _ = course(uow)
    session = create_session(uow, activity.id, date="2027-06-01")
    with pytest.raises(FailedPrecondition) as err:
        reg.mark_no_shows(reg.MarkNoShows(activity.id, session.id, "s", COORDINATOR), uow())
    assert err.value.reason == "SESSION_NOT_OVER"


def test_places_added_to_the_activity_go_to_those_waiting_before_a_newcomer(uow, store, membership):
    activity, scope = course(uow, capacity=1)
    register(uow, membership, scope, "p0")
    w1, w2 = register(uow, membership, scope, "p1"), register(uow, membership, scope, "p2")
    rows = store.state.table("activities")
    rows[activity.id] = dataclasses.replace(rows[activity.id], capacity=3)  # the coordinator adds two places
    newcomer = register(uow, membership, scope, "p3")
    regs = store.state.table("registrations")
    assert (regs[w1.id].state, regs[w2.id].state, newcomer.state) == (S.REGISTERED, S.REGISTERED, S.WAITLISTED)
    promoted = [f.message.registration_id for f in staged(store, rfacts.RegistrationChanged) if f.message.promoted]
    assert promoted == [w1.id, w2.id]
