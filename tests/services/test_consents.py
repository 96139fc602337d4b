"""Consents in the membership service against a real gRPC server, real SQLite and PostgreSQL, the real
broker and real signed tokens."""
from __future__ import annotations

import grpc
import pytest
import sqlalchemy as sa
from cloudevents.v1.kafka import KafkaMessage, from_binary

from brobygger.membership.v1 import consent_facts_pb2, consent_pb2, consent_pb2_grpc
from tests.conftest import bearer
from tests.services.kafka_read import read_topic
from tests.services.test_membership import amina, coord, failure, node, register, stub  # noqa: F401
from tests.support import without_ids

ORG = "organizations/mir"
PHOTOS, SHARING = consent_pb2.CONSENT_PURPOSE_PHOTOS, consent_pb2.CONSENT_PURPOSE_REFERRAL_SHARING


@pytest.fixture
def consents(node):
    with grpc.insecure_channel(node.address) as ch:
        yield consent_pb2_grpc.ConsentServiceStub(ch)


def record(consents, md, person, purpose=PHOTOS, request_id="", **fields):
    c = dict(purpose=purpose, text_version="samtykke-2026-01", given_date="2026-01-10",
             source=consent_pb2.CONSENT_SOURCE_PAPER_FORM, given_by=consent_pb2.CONSENT_GIVER_PERSON)
    c.update(fields)
    return consents.RecordConsent(consent_pb2.RecordConsentRequest(
        parent=person.name, consent=consent_pb2.Consent(**c), request_id=request_id), metadata=md, timeout=10)


def withdraw(consents, md, consent, request_id=""):
    return consents.WithdrawConsent(consent_pb2.WithdrawConsentRequest(
        name=consent.name, withdraw_date="2026-02-01", source=consent_pb2.CONSENT_SOURCE_VERBAL,
        request_id=request_id), metadata=md, timeout=10)


def check(consents, md, person, purpose=SHARING):
    return consents.CheckConsent(consent_pb2.CheckConsentRequest(
        name=person.name, consent_purpose=purpose, purpose="referral to mira"), metadata=md, timeout=10)


def test_given_withdrawn_given_again_is_kept_as_history_and_audited(consents, stub, coord, node):
    person = register(stub, coord)
    first = record(consents, coord, person, SHARING, request_id="00000000-0000-4000-8000-000000000001")
    assert record(consents, coord, person, SHARING, request_id="00000000-0000-4000-8000-000000000001") == first
    assert first.name.startswith(f"{person.name}/consents/") and first.state == consent_pb2.CONSENT_STATE_GIVEN
    assert first.recorded_by == "coordinator-mir"
    assert check(consents, coord, person).in_force
    out = withdraw(consents, coord, first)
    assert (out.state, out.withdraw_date, out.withdraw_source, out.withdrawn_recorded_by) == (
        consent_pb2.CONSENT_STATE_WITHDRAWN, "2026-02-01", consent_pb2.CONSENT_SOURCE_VERBAL, "coordinator-mir")
    answer = check(consents, coord, person)
    assert (answer.in_force, answer.consent, answer.person) == (False, "", person.name)
    again = record(consents, coord, person, SHARING, given_date="2026-03-01", text_version="samtykke-2026-02")
    listed = consents.ListConsents(consent_pb2.ListConsentsRequest(parent=person.name, purpose="consent review"),
                                   metadata=coord)
    assert [(c.name, c.state) for c in listed.consents] == [
        (again.name, consent_pb2.CONSENT_STATE_GIVEN), (first.name, consent_pb2.CONSENT_STATE_WITHDRAWN)]
    assert check(consents, coord, person).consent == again.name
    audit = node.app.tables["audit_log"]
    with node.app.engine.connect() as conn:
        rows = conn.execute(sa.select(audit).where(audit.c.action.like("consent.%")).order_by(audit.c.id)).all()
    assert [r.action for r in rows] == ["consent.record", "consent.check", "consent.withdraw", "consent.check",
                                        "consent.record", "consent.list", "consent.check"]
    assert rows[1].purpose == "CONSENT_PURPOSE_REFERRAL_SHARING: referral to mira"


def test_a_child_needs_a_guardian_and_errors_name_the_fields(consents, stub, coord):
    child = register(stub, coord, amina(given_name="Bilal", birth_year=2015))
    mother = register(stub, coord)
    problem = failure(lambda: record(consents, coord, child))
    assert (problem.code, problem.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "GUARDIAN_CONSENT_REQUIRED")
    assert [f for f, _ in problem.violations] == ["consent.given_by"]
    c = record(consents, coord, child, given_by=consent_pb2.CONSENT_GIVER_GUARDIAN, guardian=mother.name)
    assert (c.given_by, c.guardian) == (consent_pb2.CONSENT_GIVER_GUARDIAN, mother.name)
    problem = failure(lambda: record(consents, coord, mother, purpose=0, text_version="Ja takk"))
    assert problem.code == grpc.StatusCode.INVALID_ARGUMENT
    assert [f for f, _ in problem.violations] == ["consent.purpose", "consent.text_version"]
    problem = failure(lambda: record(consents, coord, child, given_by=consent_pb2.CONSENT_GIVER_GUARDIAN,
                                     guardian=f"{ORG}/persons/nobody"))
    assert (problem.code, problem.reason) == (grpc.StatusCode.NOT_FOUND, "PERSON_NOT_FOUND")


def test_who_may_do_what(consents, stub, coord, issuer):
    person = register(stub, coord)
    c = record(consents, coord, person, PHOTOS)
    volunteer, service = bearer(issuer.token("volunteer-mir")), bearer(issuer.service_token("node-mir"))
    for call in (lambda: record(consents, volunteer, person, SHARING), lambda: withdraw(consents, volunteer, c),
                 lambda: check(consents, volunteer, person)):
        assert failure(call).code == grpc.StatusCode.PERMISSION_DENIED
    assert check(consents, service, person).in_force is False
    batch = consents.BatchCheckConsents(consent_pb2.BatchCheckConsentsRequest(
        parent=ORG, names=[person.name], consent_purpose=PHOTOS, purpose="check-in"), metadata=volunteer)
    assert [(x.person, x.in_force) for x in batch.consent_checks] == [(person.name, True)]
    other = bearer(issuer.token("coordinator-mira"))
    assert failure(lambda: check(consents, other, person)).code == grpc.StatusCode.PERMISSION_DENIED


def test_the_fact_reaches_kafka_with_the_id_purpose_change_and_date_only(consents, stub, coord, broker):
    child = register(stub, coord, amina(given_name="Bilal", birth_year=2015))
    c = record(consents, coord, child, given_by=consent_pb2.CONSENT_GIVER_GUARDIAN, guardian_name="Yusuf Rahimi")
    withdraw(consents, coord, c)
    child_id = child.name.rsplit("/", 1)[1]
    kind = b"no.brobygger.membership.consent_changed.v1"

    def mine(recs):
        return [r for r in recs if r.key == child_id.encode() and kind in dict(r.headers).get("ce_type", b"")]

    recs = mine(read_topic(broker.bootstrap, "mir.membership", until=lambda recs: len(mine(recs)) >= 2))
    got = []
    for rec in recs:
        event = from_binary(KafkaMessage(headers={k: v for k, v in rec.headers}, key=rec.key, value=rec.value),
                            data_unmarshaller=lambda raw: raw)
        got.append(consent_facts_pb2.ConsentChanged.FromString(event.get_data()))
        for secret in (b"Yusuf", b"Rahimi", b"Bilal", b"samtykke"):
            assert secret not in without_ids(rec.value)
    assert [(f.person_id, f.consent_purpose, f.change, f.changed_date) for f in got] == [
        (child_id, PHOTOS, consent_facts_pb2.ConsentChanged.CHANGE_GIVEN, "2026-01-10"),
        (child_id, PHOTOS, consent_facts_pb2.ConsentChanged.CHANGE_WITHDRAWN, "2026-02-01")]


def test_the_database_keeps_one_consent_in_force_per_purpose(node, stub, coord):
    """Two coordinators recording at once: the second insert is refused by the unique index, not only by the
    check before it."""
    import dataclasses

    from services.common.timestamps import utcnow
    from services.membership.domain.consent import Consent
    from services.membership.service_layer.unit_of_work import SqlMembershipUnitOfWork

    person = register(stub, coord)
    pid = person.name.rsplit("/", 1)[1]
    first = Consent(id="c-1", person_id=pid, purpose=PHOTOS, text_version="samtykke-2026-01",
                    given_date=utcnow().date(), source=1, given_by=1, create_time=utcnow(), update_time=utcnow())
    with SqlMembershipUnitOfWork(node.app.engine, node.app.tables, "mir") as uow:
        assert uow.consents.add(first)
        assert not uow.consents.add(dataclasses.replace(first, id="c-2"))
        assert uow.consents.add(dataclasses.replace(first, id="c-3", purpose=SHARING))
        uow.commit()
    with SqlMembershipUnitOfWork(node.app.engine, node.app.tables, "mir") as uow:
        first.withdraw(first.given_date, 3, "coordinator-mir", utcnow())
        uow.consents.save_withdrawal(first)
        assert uow.consents.add(dataclasses.replace(first, id="c-4", withdraw_date=None))  # given again
        uow.commit()
    with SqlMembershipUnitOfWork(node.app.engine, node.app.tables, "mir") as uow:
        assert sorted(c.id for c in uow.consents.page(pid, None, 10).items) == ["c-1", "c-3", "c-4"]
