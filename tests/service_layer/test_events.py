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
from services.events.adapters.repository import ActivityRepository, AttendanceRepository, SessionRepository
from services.events.domain.model import Activity, HeadCount, PersonProfile, Session
from services.events.service_layer import commands, handlers
from services.events.service_layer.unit_of_work import EventsUnitOfWork
from tests.fakes import FakeUnitOfWork, State, Store

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

