"""Erasure in reporting: an erased person's records keep their place in every count under a token
(domain/cellkey.py), and a fact about the person that arrives after the erasure is counted under the
token too.

Facts travel on several topics and partitions, so an attendance recorded before the erasure may reach
reporting after it. Reporting therefore remembers that an id was erased, as a tombstone: 64 bits of HMAC
of the id under the disclosure secret, which no one without the secret can compute and which names no
one (the id is gone everywhere else). Every later fact naming a tombstoned id is applied and then put
under the token in the same transaction, so the id is never stored."""
from __future__ import annotations

from typing import Callable

from brobygger.membership.v1 import erasure_facts_pb2
from brobygger.reporting.v1 import erasure_facts_pb2 as reporting_erasure_facts
from services.common import facts as fact_types
from services.common.datasubject import erase_person_data, meant_for
from services.common.facts import Envelope
from services.reporting.domain.cellkey import CellKeys
from services.reporting.service_layer import facts
from services.reporting.service_layer.unit_of_work import ReportingUnitOfWork

REQUESTED = fact_types.fact_type(erasure_facts_pb2.PersonErasureRequested)


def tombstone(keys: CellKeys, person_id: str) -> str:
    return f"{keys.record('erased', person_id):016x}"


def consumer(keys: CellKeys, apply: Callable[[ReportingUnitOfWork, Envelope], None] = facts.apply):
    """Reporting's consumer handler: erasures, and every other fact as ``apply`` counts it."""

    def handle(uow: ReportingUnitOfWork, envelope: Envelope) -> None:
        if envelope.type == REQUESTED.type:
            fact = REQUESTED.parse(envelope.data)
            if not fact.person_id or not fact.erasure_id:
                raise fact_types.UnusableFact("a PersonErasureRequested without a person or an erasure id")
            if not meant_for(fact, "reporting"):
                return
            erase_person_data(uow, fact.person_id, keys.erased_token(fact.person_id),
                              reporting_erasure_facts.PersonDataErased(erasure_id=fact.erasure_id))
            uow.erased.add(tombstone(keys, fact.person_id))
            return
        apply(uow, envelope)
        known = facts.CATALOGUE.get(envelope.type)
        person_id = getattr(known.parse(envelope.data), "person_id", "") if known is not None else ""
        if person_id and uow.erased.contains(tombstone(keys, person_id)):
            uow.person_data.erase(person_id, keys.erased_token(person_id))

    return handle
