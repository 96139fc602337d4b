"""Hostile input against real gRPC servers: dates past the year 9999, deeply nested page tokens and
hidden characters in names are refused with INVALID_ARGUMENT naming the field, never INTERNAL."""
from __future__ import annotations

import base64

import grpc
import pytest

from brobygger.events.v1 import events_pb2, events_pb2_grpc
from brobygger.membership.v1 import membership_pb2, membership_pb2_grpc
from brobygger.reporting.v1 import reporting_pb2, reporting_pb2_grpc
from brobygger.type.v1 import types_pb2
from services.common.grpcclient import decode_error
from services.common.text import HIDDEN_HINT
from services.devstack import inprocess
from services.devstack.procs import free_port
from tests.conftest import bearer

ORG = "organizations/mir"


@pytest.fixture(scope="module")
def servers(broker, issuer, tmp_path_factory):
    from services.events.bootstrap import build as build_events
    from services.membership.bootstrap import build as build_membership
    from services.reporting.bootstrap import build as build_reporting

    tmp = tmp_path_factory.mktemp("input-limits")

    def env(name: str, **extra: str) -> dict[str, str]:
        return inprocess.node_env("mir", database_url=f"sqlite:///{tmp}/{name}.db", kafka=broker.bootstrap,
                                  issuer=issuer.url, **extra)

    with inprocess.running("membership", build_membership, env("membership"), roles=()) as membership, \
            inprocess.running("events", build_events, env("events", BROBYGGER_MEMBERSHIP_ADDRESS=(
                f"127.0.0.1:{free_port()}")), roles=()) as events, \
            inprocess.running("reporting", build_reporting, env("reporting"), roles=()) as reporting:
        yield {"membership": membership.address, "events": events.address, "reporting": reporting.address}


@pytest.fixture(scope="module")
def coord(issuer):
    return bearer(issuer.token("coordinator-mir"))


@pytest.fixture(scope="module")
def membership(servers):
    with grpc.insecure_channel(servers["membership"]) as ch:
        yield membership_pb2_grpc.MembershipServiceStub(ch)


@pytest.fixture(scope="module")
def events(servers):
    with grpc.insecure_channel(servers["events"]) as ch:
        yield events_pb2_grpc.EventsServiceStub(ch)


@pytest.fixture(scope="module")
def reporting(servers):
    with grpc.insecure_channel(servers["reporting"]) as ch:
        yield reporting_pb2_grpc.ReportingServiceStub(ch)


def refusal(call) -> tuple[grpc.StatusCode, dict[str, str]]:
    """The status code and {field: description} of a call that must fail."""
    with pytest.raises(grpc.RpcError) as err:
        call()
    problem = decode_error(err.value)
    return problem.code, dict(problem.violations)


def person(**overrides) -> membership_pb2.Person:
    fields = dict(given_name="Amina", family_name="Hussain", birth_year=1984, gender=types_pb2.GENDER_FEMALE)
    fields.update(overrides)
    return membership_pb2.Person(**fields)


# ---------------------------------------------------------------------- dates past 9999


def test_a_paid_date_past_the_year_9999_is_an_invalid_field(membership, coord):
    amina = membership.RegisterPerson(membership_pb2.RegisterPersonRequest(parent=ORG, person=person()),
                                      metadata=coord, timeout=10)
    for paid_date in ("10000-01-01", "99999-12-31", "+10000-01-01"):
        year = membership_pb2.MembershipYear(year=2026, fee_nok=200, payment_state=membership_pb2.PAYMENT_STATE_PAID,
                                             paid_date=paid_date)
        code, fields = refusal(lambda: membership.RecordMembershipYear(membership_pb2.RecordMembershipYearRequest(
            parent=amina.name, membership_year=year), metadata=coord, timeout=10))
        assert code == grpc.StatusCode.INVALID_ARGUMENT
        assert fields == {"membership_year.paid_date": "must be a date like 2026-03-01"}


def test_a_session_date_past_the_year_9999_is_an_invalid_field(events, coord):
    activity = events.CreateActivity(events_pb2.CreateActivityRequest(parent=ORG, activity=events_pb2.Activity(
        title="Homework help", subgoal=types_pb2.IMDI_SUBGOAL_QUALIFICATION)), metadata=coord, timeout=10)
    for date in ("10000-01-01", "9999-12-31"):
        code, fields = refusal(lambda: events.CreateSession(events_pb2.CreateSessionRequest(
            parent=activity.name, session=events_pb2.Session(date=date)), metadata=coord, timeout=10))
        assert code == grpc.StatusCode.INVALID_ARGUMENT
        assert list(fields) == ["session.date"]


def test_statistics_for_the_last_months_of_the_year_9999_are_answered(reporting, coord):
    # December and the fourth quarter end on 9999-12-31, the last day a date can be.
    for start, end in (("9999-12-01", "9999-12-31"), ("9999-10-01", "9999-12-31"), ("9999-01-01", "9999-12-31")):
        stats = reporting.GetStatistics(reporting_pb2.GetStatisticsRequest(
            organization=ORG, period=types_pb2.DateRange(start_date=start, end_date=end)), metadata=coord, timeout=10)
        assert (stats.period.start_date, stats.period.end_date) == (start, end)


def test_a_statistics_period_past_the_year_9999_is_an_invalid_field(reporting, coord):
    code, fields = refusal(lambda: reporting.GetStatistics(reporting_pb2.GetStatisticsRequest(
        organization=ORG, period=types_pb2.DateRange(start_date="10000-01-01", end_date="10000-12-31")),
        metadata=coord, timeout=10))
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert {"period.start_date", "period.end_date"} <= set(fields)


# ---------------------------------------------------------------------- nested page tokens


def nested_token(depth: int) -> str:
    return base64.urlsafe_b64encode(b"[" * depth).decode().rstrip("=")


@pytest.mark.parametrize("depth", [100_000, 700])  # far past the token length limit, and within it
def test_a_deeply_nested_page_token_is_an_invalid_argument(membership, events, coord, depth):
    calls = [
        lambda: membership.ListPersons(membership_pb2.ListPersonsRequest(
            parent=ORG, purpose="planning", page_token=nested_token(depth)), metadata=coord, timeout=10),
        lambda: events.ListActivities(events_pb2.ListActivitiesRequest(
            parent=ORG, page_token=nested_token(depth)), metadata=coord, timeout=10),
    ]
    for call in calls:
        code, fields = refusal(call)
        assert code == grpc.StatusCode.INVALID_ARGUMENT
        assert list(fields) == ["page_token"]


# ---------------------------------------------------------------------- hidden characters


@pytest.mark.parametrize("name", ["Am\u202eanim", "Ami\u200bna", "Amina\u0000", "\ufeffAmina", "Am\u2066ina\u2069"])
def test_hidden_characters_in_a_name_are_refused(membership, coord, name):
    code, fields = refusal(lambda: membership.RegisterPerson(membership_pb2.RegisterPersonRequest(
        parent=ORG, person=person(given_name=name, municipality="Oslo\u200f")), metadata=coord, timeout=10))
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert set(fields) == {"person.given_name", "person.municipality"}
    assert all(d.startswith(HIDDEN_HINT) for d in fields.values())
