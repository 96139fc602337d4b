"""Events rules with no I/O: validation, admission and age bands."""
from __future__ import annotations

import datetime as dt

import pytest

from brobygger.type.v1 import types_pb2
from services.common.errors import AlreadyExists, FailedPrecondition, InvalidArgument
from services.events.domain.model import (
    Activity, HeadCount, PersonProfile, Session, check_can_admit, check_named_allowed, head_count_attendance,
    named_attendance, validate_activity, validate_participant, validate_session,
)

TODAY = dt.date(2026, 11, 22)
NOW = dt.datetime(2026, 11, 22, 17, 0, tzinfo=dt.timezone.utc)


def swimming(**overrides) -> Activity:
    fields = dict(id="a1", title="Swimming for mothers and children", subgoal=types_pb2.IMDI_SUBGOAL_COMMUNITY,
                  theme="swimming", target_group="mothers and children", funder="Gjensidigestiftelsen",
                  chapter="linderud", capacity=0)
    fields.update(overrides)
    return Activity(**fields)


def session(**overrides) -> Session:
    fields = dict(id="s1", activity_id="a1", date="2026-03-04", start_time="17:30", duration_minutes=90,
                  location="Linderud bad")
    fields.update(overrides)
    return Session(**fields)


def violated(exc: pytest.ExceptionInfo) -> set[str]:
    assert exc.value.reason == "INVALID_FIELDS"
    return {v.field for v in exc.value.violations}


def test_a_complete_activity_is_valid():
    validate_activity(swimming())
    validate_activity(swimming(chapter="", capacity=25, anonymous_attendance=True))


def test_activity_names_every_bad_field():
    with pytest.raises(InvalidArgument) as err:
        validate_activity(swimming(title="  ", subgoal=types_pb2.IMDI_SUBGOAL_UNSPECIFIED, capacity=-1,
                                   chapter="Linderud Bad", theme="x" * 101))
    assert violated(err) == {"activity.title", "activity.subgoal", "activity.capacity", "activity.chapter",
                             "activity.theme"}


def test_activity_title_at_most_200_and_subgoal_must_be_known():
    validate_activity(swimming(title="T" * 200))
    with pytest.raises(InvalidArgument) as err:
        validate_activity(swimming(title="T" * 201, subgoal=99))
    assert violated(err) == {"activity.title", "activity.subgoal"}


@pytest.mark.parametrize("date", ["2000-01-01", "2026-03-04", "2027-12-31"])
def test_session_dates_in_range(date):
    validate_session(session(date=date), TODAY)


@pytest.mark.parametrize("date", ["", "1999-12-31", "2028-01-01", "2026-02-30", "20260304", "04.03.2026", "2026-3-4"])
def test_session_date_must_be_iso_in_range(date):
    with pytest.raises(InvalidArgument) as err:
        validate_session(session(date=date), TODAY)
    assert violated(err) == {"session.date"}


def test_session_names_every_bad_field():
    with pytest.raises(InvalidArgument) as err:
        validate_session(session(date="2026-13-01", start_time="24:00", duration_minutes=1441, location="x" * 201),
                         TODAY)
    assert violated(err) == {"session.date", "session.start_time", "session.duration_minutes", "session.location"}
    with pytest.raises(InvalidArgument) as err:
        validate_session(session(start_time="7:30", duration_minutes=-1), TODAY)
    assert violated(err) == {"session.start_time", "session.duration_minutes"}


def test_session_time_and_duration_may_be_unknown():
    validate_session(session(start_time="", duration_minutes=0), TODAY)
    validate_session(session(start_time="00:00", duration_minutes=1440), TODAY)


def test_participant_is_a_person_or_a_head_count():
    validate_participant("p1", None)
    validate_participant(None, HeadCount(types_pb2.GENDER_FEMALE, types_pb2.AGE_BAND_26_66, 40))
    with pytest.raises(InvalidArgument) as err:
        validate_participant(None, None)
    assert violated(err) == {"attendance.person", "attendance.head_count"}


@pytest.mark.parametrize("head, fields", [
    (HeadCount(types_pb2.GENDER_FEMALE, types_pb2.AGE_BAND_26_66, 0), {"attendance.head_count.count"}),
    (HeadCount(types_pb2.GENDER_FEMALE, types_pb2.AGE_BAND_26_66, 10_001), {"attendance.head_count.count"}),
    (HeadCount(types_pb2.GENDER_UNSPECIFIED, types_pb2.AGE_BAND_UNSPECIFIED, 5),
     {"attendance.head_count.gender", "attendance.head_count.age_band"}),
    (HeadCount(42, 42, -3), {"attendance.head_count.count", "attendance.head_count.gender",
                             "attendance.head_count.age_band"}),
])
def test_head_count_names_every_bad_field(head, fields):
    with pytest.raises(InvalidArgument) as err:
        validate_participant(None, head)
    assert violated(err) == fields


def test_head_count_may_be_of_unknown_age():
    validate_participant(None, HeadCount(types_pb2.GENDER_UNDISCLOSED, types_pb2.AGE_BAND_UNKNOWN, 10_000))


def test_named_attendance_takes_gender_and_age_band_in_the_sessions_year():
    s = session(date="2026-03-04")
    mother = named_attendance("t1", s, "p1", PersonProfile(birth_year=1984, gender=types_pb2.GENDER_FEMALE), NOW)
    assert (mother.gender, mother.age_band, mother.count, mother.person_id) == (
        types_pb2.GENDER_FEMALE, types_pb2.AGE_BAND_26_66, 1, "p1")
    assert (mother.session_id, mother.activity_id) == ("s1", "a1")
    # Born 2006: 19 in 2025, 20 in 2026. The band follows the session's year, not today's.
    youth = PersonProfile(birth_year=2006, gender=types_pb2.GENDER_MALE)
    assert named_attendance("t2", session(date="2025-06-01"), "p2", youth, NOW).age_band == types_pb2.AGE_BAND_13_19
    assert named_attendance("t3", session(date="2026-01-15"), "p2", youth, NOW).age_band == types_pb2.AGE_BAND_20_25
    unknown = PersonProfile(birth_year=0, gender=types_pb2.GENDER_OTHER)
    assert named_attendance("t4", s, "p3", unknown, NOW).age_band == types_pb2.AGE_BAND_UNKNOWN


def test_head_count_attendance_keeps_what_was_counted():
    a = head_count_attendance("t1", session(), HeadCount(types_pb2.GENDER_FEMALE, types_pb2.AGE_BAND_67_PLUS, 12), NOW)
    assert (a.person_id, a.is_named, a.gender, a.age_band, a.count) == (
        "", False, types_pb2.GENDER_FEMALE, types_pb2.AGE_BAND_67_PLUS, 12)


def test_anonymous_activities_take_no_names():
    check_named_allowed(swimming())
    with pytest.raises(FailedPrecondition) as err:
        check_named_allowed(swimming(anonymous_attendance=True))
    assert err.value.reason == "ANONYMOUS_ACTIVITY"
    with pytest.raises(FailedPrecondition) as err:
        check_can_admit(swimming(anonymous_attendance=True), already_attended=False, named_count=0)
    assert err.value.reason == "ANONYMOUS_ACTIVITY"


def test_a_person_attends_a_session_once():
    with pytest.raises(AlreadyExists) as err:
        check_can_admit(swimming(), already_attended=True, named_count=1)
    assert err.value.reason == "ALREADY_ATTENDED"


def test_capacity_counts_named_participants_and_zero_means_no_limit():
    check_can_admit(swimming(capacity=0), already_attended=False, named_count=5000)
    check_can_admit(swimming(capacity=2), already_attended=False, named_count=1)
    with pytest.raises(FailedPrecondition) as err:
        check_can_admit(swimming(capacity=2), already_attended=False, named_count=2)
    assert err.value.reason == "CAPACITY_REACHED"
