"""Erasure and export use cases on in-memory fakes: the request, the other services' confirmations,
and a service's part of an erasure as its consumer applies it."""
from __future__ import annotations

import pytest

from brobygger.events.v1 import erasure_facts_pb2 as events_erased
from brobygger.membership.v1 import erasure_facts_pb2
from services.common import facts as fact_types
from services.common.datasubject import (
    ACTION_EXPORT, Erased, ExportPersonData, ServiceExport, TableExport, erasure_consumer, export_person_data,
)
from services.common.errors import FailedPrecondition, InvalidArgument, NotFound
from services.common.facts import Envelope
from services.membership.domain.erasure import ErasureReason, ErasureState
from services.membership.service_layer import erasure as handlers
from services.membership.domain.model import Person
from tests.fakes import FakeUnitOfWork, State, Store
from tests.service_layer.test_membership import COORDINATOR, FakeMembershipUnitOfWork, ORG

CONSENT = int(ErasureReason.CONSENT_WITHDRAWN)


class FakeErasures:
    def __init__(self, rows: dict) -> None:
        self.rows = rows

    def add(self, e):
        self.rows[e.id] = e

    def get(self, erasure_id):
        return self.rows.get(erasure_id)

    def in_progress_for(self, person_id):
        return next((e for e in self.rows.values() if e.person_id == person_id), None)

    def save(self, e):
        self.rows[e.id] = e

    def page(self, after, limit):
        from services.common.pagination import memory_page
        return memory_page(list(self.rows.values()), lambda e: (e.create_time, e.id), after, limit, descending=True)


class FakePersonData:
    """A service's rows about people: person id -> rows; erasing leaves the token's rows."""

    def __init__(self, state: State, service: str = "membership") -> None:
        self.rows, self.service, self.state = state.table("person_rows"), service, state

    def export(self, person_id):
        return ServiceExport(self.service, [TableExport("rows", "rows", list(self.rows.get(person_id, [])))], [])

    def erase(self, person_id, token):
        rows = self.rows.pop(person_id, [])
        if token and rows:
            self.rows.setdefault(token, []).extend(rows)
        return Erased({"rows": len(rows)})

    def forget_published_facts(self, person_id):
        self.state.table("forgotten")[person_id] = True
        return 1

    def forget_staged_facts(self, person_id, ce_type):
        staged = [f for f in self.state.facts if f.key == person_id and fact_types.of(f.message).type == ce_type]
        self.state.table("forgotten_staged")[person_id] = len(staged)
        return len(staged)


class FakeErasureUnitOfWork(FakeMembershipUnitOfWork):
    def open(self, state: State) -> None:
        super().open(state)
        self.erasures = FakeErasures(state.table("erasures"))
        self.person_data = FakePersonData(state)
        original = self.person_data.erase

        def erase(person_id, token):  # membership's own rows go with the person
            state.table("persons").pop(person_id, None)
            return original(person_id, token)

        self.person_data.erase = erase


@pytest.fixture
def store():
    return Store()


@pytest.fixture
def uow(store):
    return lambda: FakeErasureUnitOfWork(store)


def person_in(store, person_id="p1"):
    with FakeErasureUnitOfWork(store) as u:
        u.persons.add(Person(id=person_id, given_name="Bilal", family_name="Hussain", birth_year=2014, gender=2))
        u.state.table("person_rows")[person_id] = [{"year": 2026}]
        u.commit()


def request(uow, person="p1", **kw):
    fields = dict(reason=CONSENT, confirm=True, actor=COORDINATOR)
    fields.update(kw)
    return handlers.request_erasure(handlers.RequestErasure(f"{ORG}/persons/{person}", **fields), uow(), "mir")


def test_a_request_erases_membership_logs_it_and_tells_the_node_in_one_transaction(store, uow):
    person_in(store)
    e = request(uow, request_id="r-1")
    assert request(uow, request_id="r-1").id == e.id  # a retry
    state = store.state
    assert "p1" not in state.table("persons") and "p1" not in state.table("person_rows")
    assert e.state is ErasureState.IN_PROGRESS and e.requester_role == "coordinator" and e.reason == CONSENT
    [fact] = state.facts
    assert isinstance(fact.message, erasure_facts_pb2.PersonErasureRequested)
    assert (fact.message.person_id, fact.message.erasure_id, fact.key) == ("p1", e.id, "p1")
    [line] = state.audit
    assert (line.actor, line.action, line.resource, line.purpose) == (
        "coordinator-mir", "person.erase", f"{ORG}/erasures/{e.id}", "ERASURE_REASON_CONSENT_WITHDRAWN")


def test_a_request_is_refused_without_reason_or_confirmation_for_an_unknown_person_and_while_running(store, uow):
    person_in(store)
    with pytest.raises(InvalidArgument):
        request(uow, confirm=False)
    with pytest.raises(NotFound):
        request(uow, person="nobody")
    first = request(uow)
    # The erasure is in progress: the person can be neither erased again nor read (the rows are gone).
    with FakeErasureUnitOfWork(store) as u:
        u.persons.add(Person(id="p1", given_name="X", family_name="", birth_year=2000, gender=1))
        u.commit()
    with pytest.raises(FailedPrecondition) as err:
        request(uow)
    assert err.value.reason == "ERASURE_IN_PROGRESS" and first.id in err.value.message
    assert len(store.state.facts) == 1


def test_confirmations_complete_the_erasure_once_and_forget_the_person(store, uow):
    person_in(store)
    e = request(uow)
    for service in ("events", "referral", "events"):
        with uow() as u:
            handlers.confirm(u, e.id, service)
            u.commit()
    assert handlers.get_erasure(f"{ORG}/erasures/{e.id}", uow(), "mir").state is ErasureState.IN_PROGRESS
    handle = handlers.confirmations_consumer()
    fact = events_erased.PersonDataErased(erasure_id=e.id)
    ft = fact_types.of(fact)
    with uow() as u:
        # reporting's confirmation, through the consumer's handler: the service is the fact's
        reporting_type = ft.type.replace(".events.", ".reporting.")
        handle(u, Envelope("f1", "/organizations/mir/reporting", reporting_type, "", "", e.id, fact.SerializeToString()))
        u.commit()
    done = handlers.get_erasure(f"{ORG}/erasures/{e.id}", uow(), "mir")
    assert done.state is ErasureState.COMPLETED and done.person_id is None and done.pending == []
    assert store.state.table("forgotten") == {"p1": True}
    items, token = handlers.list_erasures(handlers.ListErasures(), uow())
    assert [i.id for i in items] == [e.id] and token == ""
    with uow() as u:
        assert not handlers.confirm(u, "unknown", "events")


def test_a_service_erases_and_confirms_in_the_consumers_transaction_and_a_redelivery_is_harmless(store):
    class ServiceUow(FakeUnitOfWork):
        def open(self, state):
            self.person_data = FakePersonData(state, "reporting")

    with ServiceUow(store) as u:
        u.state.table("person_rows")["p1"] = [{"date": "2026-03-04"}, {"date": "2026-03-11"}]
        u.commit()
    handle = erasure_consumer("reporting", lambda e: events_erased.PersonDataErased(erasure_id=e),
                              token=lambda p: f"~{p}-token")
    request_fact = erasure_facts_pb2.PersonErasureRequested(erasure_id="e1", person_id="p1")
    env = Envelope("f1", "/organizations/mir/membership", fact_types.of(request_fact).type, "", "", "p1",
                   request_fact.SerializeToString())
    for _ in range(2):
        with ServiceUow(store) as u:
            handle(u, env)
            u.commit()
    rows = store.state.table("person_rows")
    assert "p1" not in rows and len(rows["~p1-token"]) == 2
    assert [f.message.erasure_id for f in store.state.facts] == ["e1", "e1"]  # the consumer's inbox dedupes
    with pytest.raises(fact_types.UnusableFact):
        with ServiceUow(store) as u:
            handle(u, Envelope("f2", "", env.type, "", "", "", erasure_facts_pb2.PersonErasureRequested().SerializeToString()))


def test_an_export_needs_a_purpose_and_is_audited_after_it_is_read(store):
    class ServiceUow(FakeUnitOfWork):
        def open(self, state):
            self.person_data = FakePersonData(state, "events")

    with ServiceUow(store) as u:
        u.state.table("person_rows")["p1"] = [{"session": "s1"}]
        u.commit()
    with pytest.raises(InvalidArgument) as err:
        export_person_data(ExportPersonData(f"{ORG}/persons/p1", " ", COORDINATOR), ServiceUow(store), "mir")
    assert err.value.reason == "PURPOSE_REQUIRED"
    data = export_person_data(ExportPersonData(f"{ORG}/persons/p1", "her request", COORDINATOR), ServiceUow(store), "mir")
    assert data.tables[0].rows == [{"session": "s1"}]
    [line] = store.state.audit
    assert (line.action, line.resource, line.purpose) == (ACTION_EXPORT, f"{ORG}/persons/p1", "her request")
    with pytest.raises(NotFound):
        export_person_data(ExportPersonData("organizations/mira/persons/p1", "x", COORDINATOR), ServiceUow(store), "mir")


def resend(uow, erasure_id, **kw):
    fields = dict(actor=COORDINATOR)
    fields.update(kw)
    return handlers.resend_erasure(handlers.ResendErasure(f"{ORG}/erasures/{erasure_id}", **fields), uow(), "mir")


def test_a_resend_tells_the_services_not_yet_complete_again_is_audited_and_a_retry_sends_once(store, uow):
    person_in(store)
    e = request(uow)
    with uow() as u:
        handlers.confirm(u, e.id, "referral")
        u.commit()
    again = resend(uow, e.id, request_id="r-2")
    assert resend(uow, e.id, request_id="r-2").id == again.id == e.id  # a retry sends nothing more
    first, second = store.state.facts
    assert isinstance(second.message, erasure_facts_pb2.PersonErasureRequested)
    assert (second.message.erasure_id, second.message.person_id, second.key) == (e.id, "p1", "p1")
    assert list(second.message.services) == ["events", "reporting"] and list(first.message.services) == []
    assert second.message.requested_date == first.message.requested_date
    line = store.state.audit[-1]
    assert (line.actor, line.action, line.resource, line.purpose) == (
        "coordinator-mir", "person.erase.resend", f"{ORG}/erasures/{e.id}", "sent again to events, reporting")
    assert again.state is ErasureState.IN_PROGRESS  # the resend itself completes nothing


def test_a_resend_is_refused_for_a_completed_erasure_and_one_the_log_does_not_hold(store, uow):
    person_in(store)
    e = request(uow)
    for service in ("events", "referral", "reporting"):
        with uow() as u:
            handlers.confirm(u, e.id, service)
            u.commit()
    with pytest.raises(FailedPrecondition) as err:
        resend(uow, e.id)
    assert err.value.reason == "ERASURE_COMPLETED" and "nothing to send again" in err.value.message
    with pytest.raises(NotFound) as err:
        resend(uow, "nope")
    assert err.value.reason == "ERASURE_NOT_FOUND"
    with pytest.raises(InvalidArgument):
        handlers.resend_erasure(handlers.ResendErasure("erasures/x", COORDINATOR), uow(), "mir")
    assert len(store.state.facts) == 1


def test_a_service_already_complete_skips_a_resend_that_does_not_name_it(store):
    class ServiceUow(FakeUnitOfWork):
        def open(self, state):
            self.person_data = FakePersonData(state, "events")

    with ServiceUow(store) as u:
        u.state.table("person_rows")["p1"] = [{"session": "s1"}]
        u.commit()
    handle = erasure_consumer("events", lambda e: events_erased.PersonDataErased(erasure_id=e))
    for services, confirmations in ((["reporting"], 0), (["events", "reporting"], 1)):
        fact = erasure_facts_pb2.PersonErasureRequested(erasure_id="e1", person_id="p1", services=services)
        with ServiceUow(store) as u:
            handle(u, Envelope("f", "", fact_types.of(fact).type, "", "", "p1", fact.SerializeToString()))
            u.commit()
        assert len(store.state.facts) == confirmations
    assert "p1" not in store.state.table("person_rows")
