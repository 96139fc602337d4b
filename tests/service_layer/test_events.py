"""Events use cases on in-memory fakes: every rule, no database, no membership service, no server."""
from __future__ import annotations

import dataclasses

import pytest

from brobygger.events.v1 import events_facts_pb2 as facts
from services.common.auth import Principal
from services.common.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound, Unavailable
from services.common.pagination import memory_page
from services.common.vocabulary import AgeBand, Gender, ImdiSubgoal
from services.events.adapters.membership_client import membership_unavailable
from services.events.adapters.repository import (
    ActivityRepository, AttendanceRepository, HoursRepository, SessionRepository,
)
from services.events.domain.model import Activity, Attendance, HeadCount, PersonProfile, Session, SessionState
from services.events.service_layer import commands, handlers
from services.events.service_layer.unit_of_work import EventsUnitOfWork
from tests.fakes import FakeUnitOfWork, State, Store
from tests.service_layer.list_fakes import FakeLists

# ---------------------------------------------------------------------------- fakes


class FakeActivities(ActivityRepository):
    def __init__(self, rows: dict) -> None:
        self.rows = rows

    def add(self, activity):
        self.rows[activity.id] = activity

    def get(self, activity_id):
        return self.rows.get(activity_id)

    def page(self, after, limit):
        return memory_page(list(self.rows.values()), lambda a: (a.create_time, a.id), after, limit, descending=True)

    def update(self, activity):
        assert activity.id in self.rows
        self.rows[activity.id] = activity


class FakeSessions(SessionRepository):
    def __init__(self, rows: dict) -> None:
        self.rows = rows

    def add(self, session):
        self.rows[session.id] = session

    def get(self, session_id, *, for_update=False):
        return self.rows.get(session_id)

    def page(self, activity_id, after, limit, *, start_date="", end_date=""):
        mine = [s for s in self.rows.values() if activity_id is None or s.activity_id == activity_id]
        mine = [s for s in mine if (not start_date or s.date >= start_date) and (not end_date or s.date <= end_date)]
        return memory_page(mine, lambda s: (s.date, s.start_time, s.id), after, limit)

    def update(self, session):
        assert session.id in self.rows
        self.rows[session.id] = session


class FakeAttendances(AttendanceRepository):
    def __init__(self, rows: dict) -> None:
        self.rows = rows

    def _recorded(self, session_id, person_id) -> bool:
        return any(a.session_id == session_id and a.person_id == person_id and not a.withdrawn
                   for a in self.rows.values())

    def add(self, attendance):
        if attendance.is_named and self._recorded(attendance.session_id, attendance.person_id):
            return False  # the unique key on (session, person)
        self.rows[attendance.id] = attendance
        return True

    def get(self, attendance_id):
        return self.rows.get(attendance_id)

    def attends(self, session_id, person_id):
        return self._recorded(session_id, person_id)

    def named_count(self, session_id):
        return sum(1 for a in self.rows.values() if a.session_id == session_id and a.is_named and not a.withdrawn)

    def counted(self, session_id):
        return sorted((a for a in self.rows.values() if a.session_id == session_id and not a.withdrawn),
                      key=lambda a: (a.create_time, a.id))

    def page(self, session_id, after, limit, *, show_withdrawn=False):
        mine = [a for a in self.rows.values() if a.session_id == session_id and (show_withdrawn or not a.withdrawn)]
        return memory_page(mine, lambda a: (a.create_time, a.id), after, limit)

    def withdraw(self, attendance):
        self.rows[attendance.id] = dataclasses.replace(self.rows[attendance.id],
                                                       withdraw_time=attendance.withdraw_time)


class FakeHours(HoursRepository):
    def __init__(self, rows: dict) -> None:
        self.rows = rows

    def add(self, entry):
        self.rows[entry.id] = entry

    def get(self, entry_id, *, for_update=False):
        return self.rows.get(entry_id)

    def update(self, entry):
        assert entry.id in self.rows
        self.rows[entry.id] = entry

    def page(self, where, after, limit):
        mine = [e for e in self.rows.values() if where.matches(e)]
        return memory_page(mine, lambda e: (e.date, e.create_time, e.id), after, limit, descending=True)

    def total_minutes(self, where):
        return sum(e.minutes for e in self.rows.values() if where.matches(e) and not e.withdrawn)


class EventsStore(Store):
    def __init__(self) -> None:
        super().__init__()
        self.open_units = 0  # units of work inside their `with` block right now


class FakeEventsUnitOfWork(FakeUnitOfWork, EventsUnitOfWork):
    store: EventsStore

    def open(self, state: State) -> None:
        self.activities = FakeActivities(state.table("activities"))
        self.sessions = FakeSessions(state.table("sessions"))
        self.attendances = FakeAttendances(state.table("attendances"))
        self.hours = FakeHours(state.table("hours_entries"))
        self.lists = FakeLists(state.table("activity_list_entries"))

    def __enter__(self):
        self.store.open_units += 1
        return super().__enter__()

    def __exit__(self, *exc_info):
        self.store.open_units -= 1
        return super().__exit__(*exc_info)


class FakeMembership:
    """The MembershipDirectory port: profiles by person id; `down` makes every question fail."""

    def __init__(self, store: EventsStore) -> None:
        self.store = store
        self.profiles: dict[str, PersonProfile] = {}
        self.asked: list[str] = []
        self.on_behalf_of: list[str] = []  # whom each question was asked for
        self.down = False
        self.meanwhile = None  # something another request does while membership is being asked

    def profile(self, person_id, *, on_behalf_of=""):
        assert self.store.open_units == 0, "a transaction is held open while membership is asked"
        self.asked.append(person_id)
        self.on_behalf_of.append(on_behalf_of)
        if self.meanwhile is not None:
            self.meanwhile()
        if self.down:
            raise membership_unavailable()
        return self.profiles.get(person_id)


COORDINATOR = Principal(subject="u-1", username="coordinator-mir", client_id="brobygger-web",
                        orgs=frozenset({"mir"}), roles=frozenset({"coordinator"}))
VOLUNTEER = dataclasses.replace(COORDINATOR, subject="u-3", username="volunteer-mir", roles=frozenset({"volunteer"}))
OTHER = dataclasses.replace(COORDINATOR, subject="u-2", username="coordinator-2")
NODE_SERVICE = Principal(subject="s-1", username="service-account-node-mir", client_id="node-mir",
                         orgs=frozenset({"mir"}), roles=frozenset({"node-service"}))

MOTHER, DAUGHTER = "p-mother", "p-daughter"


@pytest.fixture
def store():
    return EventsStore()


@pytest.fixture
def uow(store):
    return lambda: FakeEventsUnitOfWork(store)


@pytest.fixture
def membership(store):
    directory = FakeMembership(store)
    directory.profiles = {MOTHER: PersonProfile(1984, Gender.FEMALE), DAUGHTER: PersonProfile(2012, Gender.FEMALE)}
    return directory


def swimming(**overrides) -> Activity:
    fields = dict(id="", title="Swimming for mothers and children", subgoal=ImdiSubgoal.COMMUNITY, theme="swimming",
                  target_group="mothers and children", funder="Gjensidigestiftelsen", chapter="linderud")
    fields.update(overrides)
    return Activity(**fields)


def create_activity(uow, activity=None, request_id="", actor=COORDINATOR) -> Activity:
    return handlers.create_activity(commands.CreateActivity(activity or swimming(), actor, request_id), uow())


def create_session(uow, activity_id: str, request_id="", actor=COORDINATOR, **overrides) -> Session:
    fields = dict(id="", activity_id=activity_id, date="2026-03-04", start_time="17:30", duration_minutes=90,
                  location="Linderud bad")
    fields.update(overrides)
    cmd = commands.CreateSession(Session(**fields), f"organizations/mir/activities/{activity_id}", actor, request_id)
    return handlers.create_session(cmd, uow())


def attend(uow, membership, session: Session, person: str | None = None, head: HeadCount | None = None,
           request_id="", activity_id: str | None = None, actor=VOLUNTEER):
    activity_id = activity_id or session.activity_id
    cmd = commands.RecordAttendance(activity_id, session.id,
                                    f"organizations/mir/activities/{activity_id}/sessions/{session.id}",
                                    person, head, actor, request_id)
    return handlers.record_attendance(cmd, uow(), membership)


def staged(store, message_class) -> list:
    return [f for f in store.state.facts if isinstance(f.message, message_class)]


# ---------------------------------------------------------------------------- activities


def test_create_activity_stores_it_and_stages_a_fact(uow, store):
    activity = create_activity(uow)
    assert activity.id and activity.create_time is not None
    assert store.state.table("activities")[activity.id].title == "Swimming for mothers and children"
    [fact] = store.state.facts
    assert fact.key == activity.id and fact.type == "no.brobygger.events.activity_created.v1"
    assert fact.message == facts.ActivityCreated(activity_id=activity.id, subgoal=ImdiSubgoal.COMMUNITY,
                                                 theme="swimming", funder="Gjensidigestiftelsen")


def test_invalid_activity_names_every_field_and_changes_nothing(uow, store):
    with pytest.raises(InvalidArgument) as err:
        create_activity(uow, swimming(title=" ", subgoal=0, capacity=-1, chapter="Linderud Bad"))
    assert err.value.reason == "INVALID_FIELDS"
    assert {v.field for v in err.value.violations} == {"activity.title", "activity.subgoal", "activity.capacity",
                                                       "activity.chapter"}
    assert store.commits == 0 and not store.state.facts


def test_a_repeated_create_activity_request_answers_the_same(uow, store):
    first = create_activity(uow, request_id="r-1")
    again = create_activity(uow, swimming(title="Changed"), request_id="r-1")
    assert again == first
    assert len(store.state.table("activities")) == 1 and len(store.state.facts) == 1
    assert store.state.requests == {"CreateActivity:u-1:r-1": first.id}


def test_a_request_id_is_the_callers_own(uow, store):
    first = create_activity(uow, request_id="r-1")
    theirs = create_activity(uow, request_id="r-1", actor=OTHER)
    assert theirs.id != first.id and len(store.state.table("activities")) == 2


def test_a_too_long_request_id_is_refused(uow, store):
    with pytest.raises(InvalidArgument) as err:
        create_activity(uow, request_id="x" * 101)
    assert err.value.reason == "INVALID_REQUEST_ID" and store.commits == 0


def test_get_activity_and_an_unknown_one(uow):
    activity = create_activity(uow)
    assert handlers.get_activity(commands.GetActivity(activity.id, "a"), uow()) == activity
    with pytest.raises(NotFound) as err:
        handlers.get_activity(commands.GetActivity("nosuch", "organizations/mir/activities/nosuch"), uow())
    assert err.value.reason == "ACTIVITY_NOT_FOUND" and "organizations/mir/activities/nosuch" in err.value.message


def test_activities_are_listed_newest_first_in_pages(uow):
    ids = [create_activity(uow, swimming(title=f"A{i}")).id for i in range(5)]
    seen, token = [], ""
    while True:
        found, token = handlers.list_activities(commands.ListActivities(2, token), uow())
        assert len(found) <= 2
        seen += [a.id for a in found]
        if not token:
            break
    assert seen == list(reversed(ids))


@pytest.mark.parametrize("token", ["garbage!", "e30", "eyJrIjpbMV19"])
def test_a_page_token_not_issued_by_the_listing_is_refused(uow, token):
    activity = create_activity(uow)
    with pytest.raises(InvalidArgument) as err:
        handlers.list_activities(commands.ListActivities(2, token), uow())
    assert err.value.reason == "INVALID_PAGE_TOKEN"
    with pytest.raises(InvalidArgument) as err:
        handlers.list_sessions(commands.ListSessions(activity.id, "a", 2, token), uow())
    assert err.value.reason == "INVALID_PAGE_TOKEN"


def test_a_negative_page_size_is_refused(uow):
    with pytest.raises(InvalidArgument) as err:
        handlers.list_activities(commands.ListActivities(-1), uow())
    assert err.value.reason == "INVALID_PAGE_SIZE"


# ---------------------------------------------------------------------------- sessions


def test_create_session_stores_it_and_stages_a_fact_keyed_by_the_activity(uow, store):
    activity = create_activity(uow, swimming(subgoal=ImdiSubgoal.QUALIFICATION))
    session = create_session(uow, activity.id)
    assert session.id and session.create_time is not None and session.activity_id == activity.id
    [fact] = staged(store, facts.SessionScheduled)
    assert fact.key == activity.id and fact.type == "no.brobygger.events.session_scheduled.v1"
    assert fact.message == facts.SessionScheduled(session_id=session.id, activity_id=activity.id, date="2026-03-04",
                                                  subgoal=ImdiSubgoal.QUALIFICATION)


def test_a_session_of_an_unknown_activity_is_not_found_and_stages_nothing(uow, store):
    with pytest.raises(NotFound) as err:
        create_session(uow, "nosuch")
    assert err.value.reason == "ACTIVITY_NOT_FOUND"
    assert store.commits == 0 and not store.state.facts


def test_invalid_session_names_every_field(uow, store):
    activity = create_activity(uow)
    with pytest.raises(InvalidArgument) as err:
        create_session(uow, activity.id, date="2026-13-01", start_time="25:00", duration_minutes=2000)
    assert {v.field for v in err.value.violations} == {"session.date", "session.start_time",
                                                       "session.duration_minutes"}
    assert store.state.table("sessions") == {}


def test_a_repeated_create_session_request_answers_the_same(uow, store):
    activity = create_activity(uow)
    first = create_session(uow, activity.id, request_id="s-1")
    again = create_session(uow, activity.id, request_id="s-1", date="2026-04-01")
    assert again == first and len(store.state.table("sessions")) == 1
    assert len(staged(store, facts.SessionScheduled)) == 1


def test_sessions_are_listed_in_calendar_order_in_pages_of_one_activity(uow):
    activity, other = create_activity(uow), create_activity(uow)
    for date, start in (("2026-03-18", "17:30"), ("2026-03-04", "18:00"), ("2026-04-01", ""), ("2026-03-04", "09:00")):
        create_session(uow, activity.id, date=date, start_time=start)
    cmd = commands.ListSessions(activity.id, "a", page_size=3)
    first, token = handlers.list_sessions(cmd, uow())
    rest, last = handlers.list_sessions(dataclasses.replace(cmd, page_token=token), uow())
    assert [(s.date, s.start_time) for s in first + rest] == [
        ("2026-03-04", "09:00"), ("2026-03-04", "18:00"), ("2026-03-18", "17:30"), ("2026-04-01", "")]
    assert len(first) == 3 and last == ""
    assert handlers.list_sessions(commands.ListSessions(other.id, "o"), uow()) == ([], "")
    with pytest.raises(InvalidArgument) as err:  # a token of one activity's listing is not another's
        handlers.list_sessions(commands.ListSessions(other.id, "o", 2, token), uow())
    assert err.value.reason == "INVALID_PAGE_TOKEN"
    with pytest.raises(InvalidArgument) as err:  # nor one of the activities listing
        handlers.list_activities(commands.ListActivities(2, token), uow())
    assert err.value.reason == "INVALID_PAGE_TOKEN"


def test_sessions_of_an_unknown_activity_are_not_found(uow):
    with pytest.raises(NotFound) as err:
        handlers.list_sessions(commands.ListSessions("nosuch", "organizations/mir/activities/nosuch"), uow())
    assert err.value.reason == "ACTIVITY_NOT_FOUND"


# ---------------------------------------------------------------------------- attendance


@pytest.fixture
def session(uow):
    return create_session(uow, create_activity(uow, swimming(capacity=30)).id, date="2026-03-04")


def test_a_named_participant_is_counted_by_gender_and_age_band_in_the_sessions_year(uow, store, membership,
                                                                                     session):
    mother = attend(uow, membership, session, person=MOTHER)
    daughter = attend(uow, membership, session, person=DAUGHTER)
    assert membership.asked == [MOTHER, DAUGHTER]
    assert (mother.person_id, mother.gender, mother.age_band, mother.count) == (MOTHER, Gender.FEMALE,
                                                                               AgeBand.AGE_26_66, 1)
    assert daughter.age_band == AgeBand.AGE_13_19 and daughter.is_named
    assert set(store.state.table("attendances")) == {mother.id, daughter.id}
    recorded = staged(store, facts.AttendanceRecorded)
    assert [f.key for f in recorded] == [session.activity_id] * 2
    assert recorded[0].type == "no.brobygger.events.attendance_recorded.v1"
    # The pseudonymous id, gender and age band: nothing more about the person.
    assert recorded[0].message == facts.AttendanceRecorded(
        attendance_id=mother.id, session_id=session.id, activity_id=session.activity_id, date="2026-03-04",
        person_id=MOTHER, gender=Gender.FEMALE, age_band=AgeBand.AGE_26_66, count=1)


def test_membership_is_asked_on_behalf_of_the_user_who_records_the_attendance(uow, membership, session):
    attend(uow, membership, session, person=MOTHER)  # a volunteer's token
    relayed = dataclasses.replace(NODE_SERVICE, on_behalf_of="volunteer-2")
    attend(uow, membership, session, person=DAUGHTER, actor=relayed)  # a service already acting for a user
    other = create_session(uow, session.activity_id, date="2026-03-11")
    attend(uow, membership, other, person=MOTHER, actor=NODE_SERVICE)  # a service acting for itself
    assert membership.on_behalf_of == ["volunteer-mir", "volunteer-2", ""]


def test_a_head_count_needs_no_membership(uow, store, membership, session):
    membership.down = True
    heads = attend(uow, membership, session, head=HeadCount(Gender.MALE, AgeBand.AGE_0_12, 12))
    assert membership.asked == [] and not heads.is_named
    [fact] = staged(store, facts.AttendanceRecorded)
    assert fact.key == session.activity_id
    assert fact.message == facts.AttendanceRecorded(
        attendance_id=heads.id, session_id=session.id, activity_id=session.activity_id, date="2026-03-04",
        gender=Gender.MALE, age_band=AgeBand.AGE_0_12, count=12)


def test_a_person_attends_a_session_once_and_membership_is_not_asked_again(uow, store, membership, session):
    attend(uow, membership, session, person=MOTHER)
    with pytest.raises(AlreadyExists) as err:
        attend(uow, membership, session, person=MOTHER)
    assert err.value.reason == "ALREADY_ATTENDED"
    assert membership.asked == [MOTHER] and len(staged(store, facts.AttendanceRecorded)) == 1


def test_a_person_recorded_by_another_request_while_membership_is_asked_is_refused(uow, store, membership, session):
    # No transaction is held while membership answers, so another request may record the person meanwhile.
    membership.meanwhile = lambda: (setattr(membership, "meanwhile", None),
                                    attend(uow, membership, session, person=MOTHER))
    with pytest.raises(AlreadyExists) as err:
        attend(uow, membership, session, person=MOTHER)
    assert err.value.reason == "ALREADY_ATTENDED"
    assert len(store.state.table("attendances")) == 1 and len(staged(store, facts.AttendanceRecorded)) == 1


def test_the_unique_key_decides_a_race_the_checks_did_not_see(uow, store, membership, session):
    class Racing(FakeEventsUnitOfWork):  # a concurrent insert that the admission checks could not see yet
        def open(self, state):
            super().open(state)
            self.attendances.attends = lambda session_id, person_id: False

    attend(uow, membership, session, person=MOTHER)
    with pytest.raises(AlreadyExists) as err:
        attend(lambda: Racing(store), membership, session, person=MOTHER)
    assert err.value.reason == "ALREADY_ATTENDED" and len(staged(store, facts.AttendanceRecorded)) == 1


def test_capacity_counts_named_participants_only(uow, store, membership):
    small = create_session(uow, create_activity(uow, swimming(capacity=1)).id)
    attend(uow, membership, small, person=MOTHER)
    with pytest.raises(FailedPrecondition) as err:
        attend(uow, membership, small, person=DAUGHTER)
    assert err.value.reason == "CAPACITY_REACHED"
    assert membership.asked == [MOTHER]  # a full session needs no answer from membership
    attend(uow, membership, small, head=HeadCount(Gender.MALE, AgeBand.AGE_0_12, 4))  # head counts are not capped
    assert len(store.state.table("attendances")) == 2


def test_anonymous_activities_take_head_counts_only(uow, store, membership):
    cafe = create_session(uow, create_activity(uow, swimming(title="Language café", anonymous_attendance=True)).id)
    with pytest.raises(FailedPrecondition) as err:
        attend(uow, membership, cafe, person=MOTHER)
    assert err.value.reason == "ANONYMOUS_ACTIVITY" and membership.asked == []
    attend(uow, membership, cafe, head=HeadCount(Gender.FEMALE, AgeBand.AGE_26_66, 9))
    assert len(staged(store, facts.AttendanceRecorded)) == 1


def test_a_person_membership_does_not_know_is_not_found(uow, store, membership, session):
    with pytest.raises(NotFound) as err:
        attend(uow, membership, session, person="nobodyhere")
    assert err.value.reason == "PERSON_NOT_FOUND"
    assert [v.field for v in err.value.violations] == ["attendance.person"]
    assert store.state.table("attendances") == {} and not staged(store, facts.AttendanceRecorded)


@pytest.mark.parametrize("participant", [dict(person=MOTHER),
                                         dict(head=HeadCount(Gender.FEMALE, AgeBand.AGE_26_66, 2))])
def test_a_session_not_of_the_named_activity_is_not_found(uow, membership, session, participant):
    other = create_activity(uow)
    missing = dataclasses.replace(session, id="nosuch")
    for where, activity_id in ((missing, None), (session, other.id), (session, "nosuch")):
        with pytest.raises(NotFound) as err:
            attend(uow, membership, where, activity_id=activity_id, **participant)
        assert err.value.reason == "SESSION_NOT_FOUND"
    assert membership.asked == []


def test_a_membership_outage_is_unavailable_and_records_nothing(uow, store, membership, session):
    membership.down = True
    commits = store.commits
    with pytest.raises(Unavailable) as err:
        attend(uow, membership, session, person=MOTHER, request_id="r-1")
    assert err.value.reason == "MEMBERSHIP_UNAVAILABLE" and "retry" in err.value.message.lower()
    assert store.commits == commits and store.state.table("attendances") == {} and store.state.requests == {}
    membership.down = False  # the retry with the same request_id then records the person
    assert attend(uow, membership, session, person=MOTHER, request_id="r-1").person_id == MOTHER


@pytest.mark.parametrize("person, head, fields", [
    (None, None, {"attendance.person", "attendance.head_count"}),
    (MOTHER, HeadCount(Gender.FEMALE, AgeBand.AGE_26_66, 1), {"attendance.person", "attendance.head_count"}),
    (None, HeadCount(0, 0, 0), {"attendance.head_count.count", "attendance.head_count.gender",
                                "attendance.head_count.age_band"}),
])
def test_invalid_participants_name_every_field(uow, store, membership, session, person, head, fields):
    with pytest.raises(InvalidArgument) as err:
        attend(uow, membership, session, person=person, head=head)
    assert {v.field for v in err.value.violations} == fields
    assert membership.asked == [] and store.state.table("attendances") == {}


def test_a_too_long_request_id_is_refused_before_membership_is_asked(uow, membership, session):
    with pytest.raises(InvalidArgument) as err:
        attend(uow, membership, session, person=MOTHER, request_id="x" * 101)
    assert err.value.reason == "INVALID_REQUEST_ID" and membership.asked == []


def test_a_repeated_attendance_request_answers_the_same(uow, store, membership, session):
    named = attend(uow, membership, session, person=MOTHER, request_id="a-1")
    assert attend(uow, membership, session, person=MOTHER, request_id="a-1") == named
    heads = HeadCount(Gender.FEMALE, AgeBand.AGE_67_PLUS, 2)
    counted = attend(uow, membership, session, head=heads, request_id="a-2")
    assert attend(uow, membership, session, head=heads, request_id="a-2") == counted
    assert membership.asked == [MOTHER]
    assert len(store.state.table("attendances")) == 2 and len(staged(store, facts.AttendanceRecorded)) == 2
    assert store.state.requests == {"RecordAttendance:u-3:a-1": named.id, "RecordAttendance:u-3:a-2": counted.id}



# ---------------------------------------------------------------------------- sessions of every activity


def list_all(uow, **kw):
    return handlers.list_sessions(commands.ListSessions(None, "organizations/mir/activities/-", **kw), uow())


def test_every_activitys_sessions_are_listed_by_date_within_the_filter(uow):
    swim, cafe = create_activity(uow), create_activity(uow, swimming(title="Language café"))
    for activity, date, start in ((swim, "2026-03-04", "17:30"), (cafe, "2026-03-04", "12:00"),
                                  (cafe, "2026-02-25", "12:00"), (swim, "2026-03-18", ""), (cafe, "2026-04-01", "")):
        create_session(uow, activity.id, date=date, start_time=start)
    found, token = list_all(uow)
    assert [(s.date, s.start_time) for s in found] == [
        ("2026-02-25", "12:00"), ("2026-03-04", "12:00"), ("2026-03-04", "17:30"), ("2026-03-18", ""),
        ("2026-04-01", "")] and token == ""
    assert {s.activity_id for s in found} == {swim.id, cafe.id}
    first, token = list_all(uow, page_size=2, start_date="2026-03-04", end_date="2026-03-18")
    rest, last = list_all(uow, page_size=2, page_token=token, start_date="2026-03-04", end_date="2026-03-18")
    assert [s.date for s in first + rest] == ["2026-03-04", "2026-03-04", "2026-03-18"] and last == ""
    with pytest.raises(InvalidArgument) as err:  # the filters are in the token
        list_all(uow, page_size=2, page_token=token, start_date="2026-03-05")
    assert err.value.reason == "INVALID_PAGE_TOKEN"
    with pytest.raises(InvalidArgument) as err:  # nor is it a token of one activity's listing
        handlers.list_sessions(commands.ListSessions(swim.id, "a", 2, token), uow())
    assert err.value.reason == "INVALID_PAGE_TOKEN"
    assert [s.date for s in list_all(uow, start_date="2026-03-19")[0]] == ["2026-04-01"]
    assert [s.date for s in handlers.list_sessions(commands.ListSessions(
        cafe.id, "a", end_date="2026-03-04"), uow())[0]] == ["2026-02-25", "2026-03-04"]


@pytest.mark.parametrize("start, end, fields", [
    ("2026-13-01", "", {"start_date"}), ("", "4 March", {"end_date"}),
    ("2026-03-05", "2026-03-04", {"end_date"}), ("2026-02-30", "x", {"start_date", "end_date"}),
])
def test_an_invalid_date_filter_names_its_field(uow, start, end, fields):
    with pytest.raises(InvalidArgument) as err:
        list_all(uow, start_date=start, end_date=end)
    assert {v.field for v in err.value.violations} == fields


def test_a_cancelled_session_is_listed_with_its_state(uow):
    activity = create_activity(uow)
    session = create_session(uow, activity.id)
    cancel(uow, session)
    [listed] = list_all(uow)[0]
    assert (listed.state, listed.cancel_reason) == (SessionState.CANCELLED, "pool closed")
    got = handlers.get_session(commands.GetSession(activity.id, session.id, "s"), uow())
    assert got == listed and got.cancelled


# ---------------------------------------------------------------------------- roster, summary, withdrawal


def session_name(session: Session) -> str:
    return f"organizations/mir/activities/{session.activity_id}/sessions/{session.id}"


def roster(uow, session: Session, purpose="check-in", actor=VOLUNTEER, **kw):
    cmd = commands.ListAttendances(session.activity_id, session.id, session_name(session), purpose, actor=actor,
                                   **kw)
    return handlers.list_attendances(cmd, uow())


def summary(uow, session: Session):
    return handlers.get_session_summary(commands.GetSessionSummary(session.activity_id, session.id,
                                                                   session_name(session)), uow())


def withdraw(uow, attendance: Attendance, request_id="", actor=VOLUNTEER, session: Session | None = None):
    session_id = session.id if session else attendance.session_id
    cmd = commands.WithdrawAttendance(attendance.activity_id, session_id, attendance.id,
                                      f"organizations/mir/activities/{attendance.activity_id}/sessions/{session_id}"
                                      f"/attendances/{attendance.id}", actor, request_id)
    return handlers.withdraw_attendance(cmd, uow())


def minus(uow, session: Session, gender=Gender.FEMALE, band=AgeBand.AGE_26_66, request_id="", actor=VOLUNTEER):
    cmd = commands.DecrementHeadCount(session.activity_id, session.id, session_name(session), gender, band, actor,
                                      request_id)
    return handlers.decrement_head_count(cmd, uow())


def cancel(uow, session: Session, reason="pool closed", request_id="", actor=COORDINATOR):
    cmd = commands.CancelSession(session.activity_id, session.id, session_name(session), reason, actor, request_id)
    return handlers.cancel_session(cmd, uow())


WOMEN = HeadCount(Gender.FEMALE, AgeBand.AGE_26_66, 1)


def test_the_roster_lists_named_people_and_head_counts_in_order_and_is_audited(uow, store, membership, session):
    mother = attend(uow, membership, session, person=MOTHER)
    heads = attend(uow, membership, session, head=HeadCount(Gender.MALE, AgeBand.AGE_0_12, 4))
    daughter = attend(uow, membership, session, person=DAUGHTER)
    first, token = roster(uow, session, page_size=2)
    rest, last = roster(uow, session, page_size=2, page_token=token)
    assert [a.id for a in first + rest] == [mother.id, heads.id, daughter.id] and last == ""
    lines = [(a.actor, a.action, a.resource, a.purpose) for a in store.state.audit]
    assert lines == [("volunteer-mir", "attendance.list", f"{session_name(session)}/attendances", "check-in")] * 2
    with pytest.raises(InvalidArgument) as err:  # a token of one session's roster is not another's
        roster(uow, create_session(uow, session.activity_id), page_token=token)
    assert err.value.reason == "INVALID_PAGE_TOKEN"


@pytest.mark.parametrize("purpose", ["", "   ", "x" * 201, "a\nb"])
def test_the_roster_needs_a_purpose_and_nothing_is_read_without_one(uow, store, membership, session, purpose):
    attend(uow, membership, session, person=MOTHER)
    with pytest.raises(InvalidArgument) as err:
        roster(uow, session, purpose=purpose)
    assert [v.field for v in err.value.violations] == ["purpose"] and store.state.audit == []


def test_the_roster_of_an_unknown_session_is_not_found_and_not_audited(uow, store, session):
    with pytest.raises(NotFound) as err:
        roster(uow, dataclasses.replace(session, id="nosuch"))
    assert err.value.reason == "SESSION_NOT_FOUND" and store.state.audit == []


def test_the_summary_adds_up_what_counts(uow, membership, session):
    attend(uow, membership, session, person=MOTHER)
    daughter = attend(uow, membership, session, person=DAUGHTER)
    attend(uow, membership, session, head=HeadCount(Gender.MALE, AgeBand.AGE_0_12, 4))
    attend(uow, membership, session, head=HeadCount(Gender.FEMALE, AgeBand.AGE_26_66, 2))
    boys = attend(uow, membership, session, head=HeadCount(Gender.MALE, AgeBand.AGE_0_12, 3))
    withdraw(uow, daughter)
    withdraw(uow, boys)
    got = summary(uow, session)
    assert (got.named_count, got.capacity, got.head_count_total, got.session.id) == (1, 30, 6, session.id)
    assert got.head_counts == (HeadCount(Gender.FEMALE, AgeBand.AGE_26_66, 2), HeadCount(Gender.MALE,
                                                                                         AgeBand.AGE_0_12, 4))


def test_a_withdrawn_attendance_is_kept_stops_counting_and_is_published_once(uow, store, membership, session):
    mother = attend(uow, membership, session, person=MOTHER)
    withdrawn = withdraw(uow, mother)
    assert withdrawn.withdrawn and withdrawn.id == mother.id
    assert store.state.table("attendances")[mother.id].withdrawn  # kept, for the record
    [fact] = staged(store, facts.AttendanceWithdrawn)
    assert fact.key == session.activity_id and fact.type == "no.brobygger.events.attendance_withdrawn.v1"
    assert fact.message == facts.AttendanceWithdrawn(attendance_id=mother.id, session_id=session.id,
                                                     activity_id=session.activity_id, date=session.date)
    assert withdraw(uow, mother) == withdrawn  # a double tap changes nothing
    assert len(staged(store, facts.AttendanceWithdrawn)) == 1
    assert roster(uow, session)[0] == [] and roster(uow, session, show_withdrawn=True)[0] == [withdrawn]
    attend(uow, membership, session, person=DAUGHTER)
    _, token = roster(uow, session, page_size=1, show_withdrawn=True)
    with pytest.raises(InvalidArgument) as err:  # show_withdrawn is one of the roster's filters
        roster(uow, session, page_token=token)
    assert err.value.violations[0].description == "the listing's filters changed since this token was issued"


def test_a_person_withdrawn_by_mistake_is_recorded_again_and_the_place_is_free(uow, store, membership):
    small = create_session(uow, create_activity(uow, swimming(capacity=1)).id)
    mother = attend(uow, membership, small, person=MOTHER)
    withdraw(uow, mother)
    daughter = attend(uow, membership, small, person=DAUGHTER)  # the place is free again
    withdraw(uow, daughter)
    again = attend(uow, membership, small, person=MOTHER)
    assert again.id != mother.id and again.person_id == MOTHER
    assert summary(uow, small).named_count == 1
    with pytest.raises(AlreadyExists) as err:  # still once per session
        attend(uow, membership, small, person=MOTHER)
    assert err.value.reason == "ALREADY_ATTENDED" and "already recorded" in err.value.message


def test_a_person_withdrawn_while_the_first_check_saw_them_is_asked_about_after_all(uow, store, membership, session):
    class SawThemFirst(FakeEventsUnitOfWork):  # the first check ran before a withdrawal committed
        checks = 0

        def open(self, state):
            super().open(state)
            if SawThemFirst.checks == 0:
                self.attendances.attends = lambda session_id, person_id: True
            SawThemFirst.checks += 1

    recorded = attend(lambda: SawThemFirst(store), membership, session, person=MOTHER)
    assert recorded.person_id == MOTHER and membership.asked == [MOTHER]  # asked with no transaction open


def test_withdrawing_an_unknown_attendance_or_one_of_another_session_is_not_found(uow, membership, session):
    mother = attend(uow, membership, session, person=MOTHER)
    other = create_session(uow, session.activity_id, date="2026-03-11")
    for target, where in ((dataclasses.replace(mother, id="nosuch"), None), (mother, other)):
        with pytest.raises(NotFound) as err:
            withdraw(uow, target, session=where)
        assert err.value.reason == "ATTENDANCE_NOT_FOUND"


def test_a_repeated_withdrawal_request_answers_the_same(uow, store, membership, session):
    mother = attend(uow, membership, session, person=MOTHER)
    first = withdraw(uow, mother, request_id="w-1")
    assert withdraw(uow, mother, request_id="w-1") == first
    assert store.state.requests["WithdrawAttendance:u-3:w-1"] == mother.id


def test_minus_takes_one_person_off_a_cell_and_never_below_zero(uow, store, membership, session):
    tap = attend(uow, membership, session, head=WOMEN)
    attend(uow, membership, session, head=HeadCount(Gender.MALE, AgeBand.AGE_0_12, 2))
    group = attend(uow, membership, session, head=dataclasses.replace(WOMEN, count=3))
    got = minus(uow, session)  # the newest entry of the cell counted 3: now 2, under a new id
    assert got.head_counts == (HeadCount(Gender.FEMALE, AgeBand.AGE_26_66, 3),
                               HeadCount(Gender.MALE, AgeBand.AGE_0_12, 2))
    rows = store.state.table("attendances")
    assert rows[group.id].withdrawn
    [replacement] = [a for a in rows.values() if a.id not in (tap.id, group.id) and a.gender == Gender.FEMALE]
    assert replacement.count == 2
    assert not replacement.withdrawn and replacement.id != group.id
    withdrawn = staged(store, facts.AttendanceWithdrawn)
    recorded = staged(store, facts.AttendanceRecorded)
    assert [f.message.attendance_id for f in withdrawn] == [group.id]
    assert (recorded[-1].message.attendance_id, recorded[-1].message.count) == (replacement.id, 2)
    assert all(f.key == session.activity_id for f in withdrawn + recorded)
    for _ in range(3):
        got = minus(uow, session)
    assert got.head_counts == (HeadCount(Gender.MALE, AgeBand.AGE_0_12, 2),)
    assert store.state.table("attendances")[tap.id].withdrawn
    with pytest.raises(FailedPrecondition) as err:
        minus(uow, session)
    assert err.value.reason == "HEAD_COUNT_ZERO" and "GENDER_FEMALE AGE_BAND_26_66" in err.value.message
    assert all(a.count >= 1 for a in store.state.table("attendances").values())  # no entry is ever negative


def test_minus_leaves_named_participants_alone_and_a_retry_takes_one_off_once(uow, store, membership, session):
    attend(uow, membership, session, person=MOTHER)  # a woman 26-66, named: not a head count
    attend(uow, membership, session, head=dataclasses.replace(WOMEN, count=2))
    assert minus(uow, session, request_id="tap-1") == minus(uow, session, request_id="tap-1")
    got = summary(uow, session)
    assert (got.named_count, got.head_count_total) == (1, 1)
    with pytest.raises(FailedPrecondition):
        minus(uow, session, gender=Gender.MALE)


def test_minus_names_a_missing_gender_or_age_band(uow, session):
    with pytest.raises(InvalidArgument) as err:
        minus(uow, session, gender=0, band=99)
    assert {v.field for v in err.value.violations} == {"gender", "age_band"}


# ---------------------------------------------------------------------------- edit and cancel


def update_activity(uow, activity: Activity, mask, request_id="", actor=COORDINATOR, **values):
    patch = dataclasses.replace(swimming(), **values)
    cmd = commands.UpdateActivity(activity.id, f"organizations/mir/activities/{activity.id}", patch, tuple(mask),
                                  actor, request_id)
    return handlers.update_activity(cmd, uow())


def update_session(uow, session: Session, mask, request_id="", **values):
    patch = dataclasses.replace(Session(id="", activity_id=session.activity_id, date="2026-03-04"), **values)
    cmd = commands.UpdateSession(session.activity_id, session.id, session_name(session), patch, tuple(mask),
                                 COORDINATOR, request_id)
    return handlers.update_session(cmd, uow())


def test_update_activity_changes_the_masked_fields_only_and_publishes_what_reporting_counts(uow, store):
    activity = create_activity(uow)
    updated = update_activity(uow, activity, ["subgoal", "activity.capacity"], subgoal=ImdiSubgoal.QUALIFICATION,
                              capacity=12, title="Not asked for")
    assert (updated.subgoal, updated.capacity, updated.title) == (ImdiSubgoal.QUALIFICATION, 12, activity.title)
    assert updated.update_time is not None and store.state.table("activities")[activity.id] == updated
    [fact] = staged(store, facts.ActivityUpdated)
    assert fact.key == activity.id
    assert fact.message == facts.ActivityUpdated(activity_id=activity.id, subgoal=ImdiSubgoal.QUALIFICATION,
                                                 theme="swimming", funder="Gjensidigestiftelsen",
                                                 changed_fields=["subgoal", "capacity"])
    assert update_activity(uow, activity, ["capacity"], capacity=12) == updated  # nothing changes: no fact
    assert len(staged(store, facts.ActivityUpdated)) == 1


@pytest.mark.parametrize("mask, reason", [([], "UPDATE_MASK_REQUIRED"), (["*"], "UPDATE_MASK_REQUIRED"),
                                          (["anonymous_attendance"], "INVALID_UPDATE_MASK"),
                                          (["title", "create_time"], "INVALID_UPDATE_MASK")])
def test_an_update_mask_must_name_fields_that_can_change(uow, store, mask, reason):
    activity = create_activity(uow)
    with pytest.raises(InvalidArgument) as err:
        update_activity(uow, activity, mask)
    assert err.value.reason == reason and [v.field for v in err.value.violations] == ["update_mask"]
    assert "title, description, theme, subgoal" in err.value.violations[0].description
    assert not staged(store, facts.ActivityUpdated)


def test_an_updated_activity_is_validated_as_a_new_one(uow, store):
    activity = create_activity(uow)
    with pytest.raises(InvalidArgument) as err:
        update_activity(uow, activity, ["title", "capacity"], title=" ", capacity=-3)
    assert {v.field for v in err.value.violations} == {"activity.title", "activity.capacity"}
    with pytest.raises(NotFound):
        update_activity(uow, dataclasses.replace(activity, id="nosuch"), ["title"], title="x")
    assert store.state.table("activities")[activity.id] == activity


def test_update_session_moves_it_and_publishes_the_new_date(uow, store, membership, session):
    attend(uow, membership, session, person=MOTHER)
    moved = update_session(uow, session, ["date", "location"], date="2026-03-11", location="Furuset bad",
                           start_time="09:00")
    assert (moved.date, moved.location, moved.start_time) == ("2026-03-11", "Furuset bad", "17:30")
    [fact] = staged(store, facts.SessionUpdated)
    assert fact.key == session.activity_id
    assert fact.message == facts.SessionUpdated(session_id=session.id, activity_id=session.activity_id,
                                                date="2026-03-11", previous_date="2026-03-04",
                                                changed_fields=["date", "location"], start_time="17:30",
                                                previous_start_time="17:30")
    with pytest.raises(FailedPrecondition) as err:  # the participants were counted by their age in 2026
        update_session(uow, session, ["date"], date="2025-12-30")
    assert err.value.reason == "ATTENDANCE_RECORDED" and "Withdraw the attendance first" in err.value.message
    with pytest.raises(InvalidArgument) as err:
        update_session(uow, session, ["date", "duration_minutes"], date="2026-02-30", duration_minutes=-1)
    assert {v.field for v in err.value.violations} == {"session.date", "session.duration_minutes"}


def test_cancelling_a_session_with_attendance_says_to_withdraw_it_first(uow, store, membership, session):
    heads = attend(uow, membership, session, head=WOMEN)
    with pytest.raises(FailedPrecondition) as err:
        cancel(uow, session)
    assert err.value.reason == "ATTENDANCE_RECORDED" and "Withdraw the attendance first" in err.value.message
    withdraw(uow, heads)
    cancelled = cancel(uow, session)
    assert (cancelled.state, cancelled.cancel_reason) == (SessionState.CANCELLED, "pool closed")
    [fact] = staged(store, facts.SessionCancelled)
    assert fact.key == session.activity_id and fact.message == facts.SessionCancelled(
        session_id=session.id, activity_id=session.activity_id, date=session.date, start_time=session.start_time,
        cause=facts.CANCEL_CAUSE_CANCELLED)
    assert cancel(uow, session, reason="another") == cancelled  # cancelled already: nothing changes
    assert len(staged(store, facts.SessionCancelled)) == 1


def test_a_cancelled_session_takes_no_attendance_and_no_changes(uow, membership, session):
    cancel(uow, session)
    for call in (lambda: attend(uow, membership, session, person=MOTHER),
                 lambda: attend(uow, membership, session, head=WOMEN),
                 lambda: minus(uow, session),
                 lambda: update_session(uow, session, ["date"], date="2026-03-05")):
        with pytest.raises(FailedPrecondition) as err:
            call()
        assert err.value.reason == "SESSION_CANCELLED"
    assert membership.asked == []


@pytest.mark.parametrize("reason", ["", "  ", "x" * 201, "closed\u202e"])
def test_a_cancellation_needs_a_reason_of_one_plain_line(uow, store, session, reason):
    with pytest.raises(InvalidArgument) as err:
        cancel(uow, session, reason=reason)
    assert {v.field for v in err.value.violations} == {"reason"}
    assert not staged(store, facts.SessionCancelled)
