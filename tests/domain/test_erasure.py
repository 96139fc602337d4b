"""The erasure state machine and the rules of a request (services/membership/domain/erasure.py)."""
from __future__ import annotations

import datetime as dt

import pytest

from services.common.errors import InvalidArgument
from services.membership.domain.erasure import (
    SERVICES, Erasure, ErasureReason, ErasureState, check_request, requester_role,
)

T0 = dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.timezone.utc)


def started() -> Erasure:
    return Erasure.start("e1", "p1", ErasureReason.CONSENT_WITHDRAWN, "coordinator", T0)


def test_an_erasure_starts_with_membership_done_and_the_others_pending():
    e = started()
    assert e.state is ErasureState.IN_PROGRESS and e.person_id == "p1"
    assert e.services == {"membership": T0, "events": None, "referral": None, "reporting": None}
    assert e.pending == ["events", "referral", "reporting"]


def test_the_last_confirmation_completes_it_and_forgets_the_person_in_any_order():
    e = started()
    times = {s: T0 + dt.timedelta(minutes=i) for i, s in enumerate(SERVICES)}
    for service in ("reporting", "events"):
        assert e.confirm(service, times[service])
        assert e.state is ErasureState.IN_PROGRESS and e.person_id == "p1"
    assert e.confirm("referral", times["referral"])
    assert e.state is ErasureState.COMPLETED and e.complete_time == times["referral"] and e.person_id is None
    assert e.pending == []


def test_a_confirmation_twice_or_after_completion_changes_nothing():
    e = started()
    assert e.confirm("events", T0)
    assert not e.confirm("events", T0 + dt.timedelta(hours=1))
    assert e.services["events"] == T0
    assert not e.confirm("membership", T0 + dt.timedelta(hours=1))
    for s in ("referral", "reporting"):
        e.confirm(s, T0)
    assert not e.confirm("reporting", T0 + dt.timedelta(days=1)) and e.complete_time == T0


def test_an_unknown_service_cannot_confirm():
    with pytest.raises(ValueError):
        started().confirm("hub", T0)


def test_a_request_needs_a_reason_of_the_list_and_a_confirmation():
    assert check_request(ErasureReason.OBJECTION, True) is ErasureReason.OBJECTION
    with pytest.raises(InvalidArgument) as err:
        check_request(0, False)
    assert [v.field for v in err.value.violations] == ["reason", "confirm"]
    assert "ERASURE_REASON_CONSENT_WITHDRAWN" in err.value.violations[0].description
    with pytest.raises(InvalidArgument) as err:
        check_request(99, True)
    assert [v.field for v in err.value.violations] == ["reason"]


def test_the_log_names_a_role_never_a_user():
    assert requester_role(frozenset({"coordinator"})) == "coordinator"
    assert requester_role(frozenset({"node-service"})) == "node-service"
    assert requester_role(frozenset()) == "unknown"


def test_reasons_are_the_grounds_of_article_17_1():
    assert [r.wire_name for r in ErasureReason] == [
        "ERASURE_REASON_NO_LONGER_NECESSARY", "ERASURE_REASON_CONSENT_WITHDRAWN", "ERASURE_REASON_OBJECTION",
        "ERASURE_REASON_UNLAWFUL_PROCESSING", "ERASURE_REASON_LEGAL_OBLIGATION", "ERASURE_REASON_CHILD"]
