"""Recurring sessions against the real events service over gRPC, on SQLite and PostgreSQL: a rule makes its
sessions, a change of it keeps what a coordinator changed, a retry is a no-op, volunteers cannot plan, and the
facts of a change reach the broker without names. The rules are tested on fakes in tests/service_layer."""
from __future__ import annotations

import uuid

import grpc
import pytest
from google.protobuf import field_mask_pb2

from brobygger.events.v1 import events_facts_pb2, events_pb2, recurrence_pb2, recurrence_pb2_grpc
from tests.services.kafka_read import read_topic
from tests.services.test_events import (  # noqa: F401  (fixtures)
    coord, create_activity, failure, membership, node, stub, volunteer,
)


@pytest.fixture
def rec(node):
    with grpc.insecure_channel(node.address) as ch:
        yield recurrence_pb2_grpc.RecurrenceServiceStub(ch)


def cafe(activity: str, **overrides) -> recurrence_pb2.Recurrence:
    fields = dict(name=f"{activity}/recurrence", rule="FREQ=WEEKLY;INTERVAL=2;BYDAY=WE", start_date="2027-01-13",
                  end_date="2027-06-16", start_time="17:00", duration_minutes=120, location="Linderud",
                  exception_dates=["2027-02-22/2027-02-26"])
    fields.update(overrides)
    return recurrence_pb2.Recurrence(**fields)


def put(rec, md, r, request_id="") -> recurrence_pb2.Recurrence:
    return rec.SetRecurrence(recurrence_pb2.SetRecurrenceRequest(recurrence=r, request_id=request_id), metadata=md,
                             timeout=20)


def occurrences(rec, md, activity: str) -> list[recurrence_pb2.Occurrence]:
    return list(rec.ListOccurrences(recurrence_pb2.ListOccurrencesRequest(parent=f"{activity}/recurrence"),
                                    metadata=md, timeout=10).occurrences)


def test_a_recurrence_makes_sessions_and_a_change_keeps_what_was_moved_or_cancelled(stub, rec, coord, node):
    act = create_activity(stub, coord, title="Language café").name
    preview = rec.PreviewRecurrence(recurrence_pb2.PreviewRecurrenceRequest(parent=act, recurrence=cafe(act)),
                                    metadata=coord, timeout=10)
    assert len(preview.dates) == 11 and "2027-02-24" not in preview.dates and list(preview.new_dates) == list(
        preview.dates)
    rid = str(uuid.uuid4())
    saved = put(rec, coord, cafe(act), request_id=rid)
    assert (saved.revision, saved.scheduled_count, saved.name) == (1, 11, f"{act}/recurrence")
    assert put(rec, coord, cafe(act, start_time="09:00"), request_id=rid) == saved  # a retry
    sessions = stub.ListSessions(events_pb2.ListSessionsRequest(parent=act), metadata=coord, timeout=10).sessions
    assert [s.date for s in sessions] == list(preview.dates)

    moved, cancelled = sessions[1], sessions[2]
    moved.date = "2027-01-28"
    stub.UpdateSession(events_pb2.UpdateSessionRequest(session=moved, update_mask=field_mask_pb2.FieldMask(
        paths=["date"])), metadata=coord, timeout=10)
    stub.CancelSession(events_pb2.CancelSessionRequest(name=cancelled.name, reason="venue closed"), metadata=coord,
                       timeout=10)
    changed = put(rec, coord, cafe(act, start_time="17:30", end_date="2027-05-31"))
    assert changed.revision == 2 and changed.update_time.seconds > 0
    got = {o.rule_date: o for o in occurrences(rec, coord, act)}
    assert got["2027-01-27"].moved and got["2027-01-27"].session.date == "2027-01-28"
    assert got["2027-01-27"].session.start_time == "17:00"  # moved: not touched
    assert got["2027-02-10"].session.state == events_pb2.SESSION_STATE_CANCELLED
    assert got["2027-02-10"].session.cancel_reason == "venue closed" and not got["2027-02-10"].dropped
    assert got["2027-06-02"].dropped and got["2027-06-16"].dropped
    assert got["2027-06-02"].session.state == events_pb2.SESSION_STATE_CANCELLED
    assert {o.session.start_time for d, o in got.items() if not o.edited and not o.dropped
            and o.session.state == events_pb2.SESSION_STATE_SCHEDULED} == {"17:30"}
    assert changed.scheduled_count == 8
    again = rec.GetRecurrence(recurrence_pb2.GetRecurrenceRequest(name=f"{act}/recurrence"), metadata=coord,
                              timeout=10)
    assert again == changed


def test_bad_rules_volunteers_and_other_organisations_are_refused(stub, rec, coord, volunteer):
    act = create_activity(stub, coord).name
    problem = failure(lambda: put(rec, coord, cafe(act, end_date="")))
    assert problem.code == grpc.StatusCode.INVALID_ARGUMENT
    assert {v[0] for v in problem.violations} == {"recurrence.end_date"}
    problem = failure(lambda: put(rec, coord, cafe(act, rule="FREQ=MINUTELY")))
    assert {v[0] for v in problem.violations} == {"recurrence.rule"}
    problem = failure(lambda: put(rec, volunteer, cafe(act)))
    assert problem.code == grpc.StatusCode.PERMISSION_DENIED
    problem = failure(lambda: put(rec, coord, cafe(act, name="organizations/other/activities/x/recurrence")))
    assert problem.code in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT)
    problem = failure(lambda: rec.GetRecurrence(recurrence_pb2.GetRecurrenceRequest(name=f"{act}/recurrence"),
                                                metadata=coord, timeout=10))
    assert (problem.code, problem.reason) == (grpc.StatusCode.NOT_FOUND, "RECURRENCE_NOT_FOUND")


def test_a_change_of_the_rule_tells_the_broker_which_sessions_were_cancelled_and_moved(stub, rec, coord, broker):
    act = create_activity(stub, coord).name
    put(rec, coord, cafe(act))
    put(rec, coord, cafe(act, start_time="18:00", end_date="2027-06-10"))
    act_id = act.rsplit("/", 1)[1]
    ours = lambda recs: [r for r in recs if r.key == act_id.encode()]  # noqa: E731
    records = ours(read_topic(broker.bootstrap, "mir.events", until=lambda recs: len(ours(recs)) >= 23))
    by_type = {}
    for r in records:
        kind = dict(r.headers)["ce_type"].decode()
        by_type.setdefault(kind, []).append(r.value)
    cancelled = [events_facts_pb2.SessionCancelled.FromString(v)
                 for v in by_type["no.brobygger.events.session_cancelled.v1"]]
    assert [(c.date, c.start_time, c.cause) for c in cancelled] == [
        ("2027-06-16", "17:00", events_facts_pb2.CANCEL_CAUSE_SCHEDULE_CHANGED)]
    updated = [events_facts_pb2.SessionUpdated.FromString(v)
               for v in by_type["no.brobygger.events.session_updated.v1"]]
    assert len(updated) == 10 and {(u.previous_start_time, u.start_time) for u in updated} == {("17:00", "18:00")}
    assert len(by_type["no.brobygger.events.session_scheduled.v1"]) == 11
