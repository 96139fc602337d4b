"""Volunteer hours in the real events service: a real gRPC server on SQLite and PostgreSQL, the real membership
service, the real broker and real signed tokens. The rules are tested on fakes in
tests/service_layer/test_volunteer_hours.py."""
from __future__ import annotations

import grpc
import pytest
from cloudevents.v1.kafka import KafkaMessage, from_binary
from google.protobuf import field_mask_pb2

from brobygger.events.v1 import events_facts_pb2, events_pb2
from brobygger.type.v1 import types_pb2
from services.common.grpcclient import decode_error
from tests.services.kafka_read import read_topic
from tests.services.test_events import (  # noqa: F401  (fixtures)
    ORG, coord, create_activity, create_session, membership, node, register, stub, volunteer,
)


def log(stub, md, activity, person, minutes=90, session="", date="", task="", request_id=""):
    return stub.LogVolunteerHours(events_pb2.LogVolunteerHoursRequest(
        parent=activity, hours_entry=events_pb2.HoursEntry(person=person, session=session, date=date,
                                                           duration_minutes=minutes, task=task),
        request_id=request_id), metadata=md, timeout=10)


def listing(stub, md, parent, person="", purpose="volunteer hours report", **kw):
    return stub.ListHoursEntries(events_pb2.ListHoursEntriesRequest(parent=parent, person=person, purpose=purpose,
                                                                    **kw), metadata=md, timeout=10)


def test_log_correct_withdraw_and_list_hours_with_their_facts(stub, coord, register, node, broker):
    guide = register("Amina", 1990, types_pb2.GENDER_FEMALE)
    helper = register("Yusuf", 2004, types_pb2.GENDER_MALE)
    act = create_activity(stub, coord, title="Homework help", subgoal=types_pb2.IMDI_SUBGOAL_QUALIFICATION)
    session = create_session(stub, coord, act.name, date="2026-03-04")
    at_session = log(stub, coord, act.name, guide, session=session.name, task="maths", request_id="k-1")
    assert at_session.date == "2026-03-04" and at_session.logged_by == "coordinator-mir"
    assert log(stub, coord, act.name, guide, session=session.name, request_id="k-1") == at_session  # a retry
    prep = log(stub, coord, act.name, guide, minutes=30, date="2026-03-03")
    other = log(stub, coord, act.name, helper, minutes=120, session=session.name)

    fixed = stub.UpdateHoursEntry(events_pb2.UpdateHoursEntryRequest(
        hours_entry=events_pb2.HoursEntry(name=prep.name, duration_minutes=45),
        update_mask=field_mask_pb2.FieldMask(paths=["duration_minutes"])), metadata=coord, timeout=10)
    assert fixed.duration_minutes == 45 and fixed.HasField("update_time")
    gone = stub.WithdrawHoursEntry(events_pb2.WithdrawHoursEntryRequest(name=other.name), metadata=coord, timeout=10)
    assert gone.state == events_pb2.HOURS_ENTRY_STATE_WITHDRAWN

    of_activity = listing(stub, coord, act.name, page_size=1)
    assert [e.name for e in of_activity.hours_entries] == [at_session.name] and of_activity.total_minutes == 135
    rest = listing(stub, coord, act.name, page_size=1, page_token=of_activity.next_page_token)
    assert [e.name for e in rest.hours_entries] == [prep.name] and not rest.next_page_token
    # The same day: the later logged first; the withdrawn one only when asked for.
    assert [e.name for e in listing(stub, coord, session.name, show_withdrawn=True).hours_entries] == [
        other.name, at_session.name]
    assert [e.name for e in listing(stub, coord, session.name).hours_entries] == [at_session.name]
    mine = listing(stub, coord, f"{ORG}/activities/-", person=guide)
    assert {e.name for e in mine.hours_entries} == {at_session.name, prep.name} and mine.total_minutes == 135
    assert stub.GetHoursEntry(events_pb2.GetHoursEntryRequest(name=prep.name, purpose="check"), metadata=coord,
                              timeout=10).duration_minutes == 45

    key = act.name.rsplit("/", 1)[1].encode()
    wanted = {"no.brobygger.events.volunteer_hours_logged.v1", "no.brobygger.events.volunteer_hours_corrected.v1",
              "no.brobygger.events.volunteer_hours_withdrawn.v1"}
    ours = lambda recs: [r for r in recs if r.key == key and dict(r.headers).get("ce_type", b"").decode() in wanted]  # noqa: E731
    records = ours(read_topic(broker.bootstrap, "mir.events", until=lambda recs: len(ours(recs)) >= 5))
    events = [from_binary(KafkaMessage(headers=dict(r.headers), key=r.key, value=r.value),
                          data_unmarshaller=lambda data: data) for r in records]
    assert [e["type"].rsplit(".", 2)[1] for e in events] == [
        "volunteer_hours_logged", "volunteer_hours_logged", "volunteer_hours_logged", "volunteer_hours_corrected",
        "volunteer_hours_withdrawn"]
    first = events_facts_pb2.VolunteerHoursLogged.FromString(events[0].get_data())
    assert (first.minutes, first.date, first.person_id) == (90, "2026-03-04", guide.rsplit("/", 1)[1])
    assert b"maths" not in b"".join(r.value for r in records) and b"Amina" not in b"".join(r.value for r in records)


def test_a_volunteer_may_not_log_or_read_hours_and_an_unknown_person_is_refused(stub, coord, volunteer, register):
    act = create_activity(stub, coord)
    guide = register("Amina", 1990, types_pb2.GENDER_FEMALE)
    with pytest.raises(grpc.RpcError) as err:
        log(stub, volunteer, act.name, guide)
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.RpcError) as err:
        listing(stub, volunteer, act.name)
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.RpcError) as err:
        log(stub, coord, act.name, f"{ORG}/persons/nobody", date="2026-03-04")
    assert err.value.code() == grpc.StatusCode.NOT_FOUND and decode_error(err.value).reason == "PERSON_NOT_FOUND"
    with pytest.raises(grpc.RpcError) as err:
        log(stub, coord, act.name, guide, minutes=721, date="2026-03-04")
    problem = decode_error(err.value)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert [v[0] for v in problem.violations] == ["hours_entry.duration_minutes"]
