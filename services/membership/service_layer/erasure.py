"""Erasure use cases (GDPR Art. 17): request, follow the log, and the other services' confirmations.

A request erases membership's rows about the person, starts the erasure in the log and stages the fact
PersonErasureRequested, all in one transaction: either the person is gone from membership and every
other service will hear of it, or nothing happened. The other services confirm with PersonDataErased
facts, which :func:`confirm` applies (idempotently, as membership's consumer of those facts).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from brobygger.membership.v1 import erasure_facts_pb2
from services.common.errors import NotFound
from services.common.names import NamePattern, PERSON, new_id
from services.common.pagination import PageToken, page_size
from services.common.timestamps import utcnow
from services.common.unit_of_work import Actor, run_once
from services.membership.domain.erasure import (
    Erasure, ErasureState, already_erasing, check_request, check_resend, requester_role,
)
from services.membership.service_layer.unit_of_work import MembershipUnitOfWork

ERASURE = NamePattern("organizations/{org}/erasures/{erasure}")
ERASURES_PAGE = PageToken((dt.datetime, str))
ACTION_ERASE = "person.erase"
ACTION_RESEND = "person.erase.resend"


@dataclass(frozen=True)
class RequestErasure:
    person: str  # organizations/{org}/persons/{id}
    reason: int
    confirm: bool
    actor: Actor | None = None
    request_id: str = ""


@dataclass(frozen=True)
class ResendErasure:
    name: str  # organizations/{org}/erasures/{id}
    actor: Actor | None = None
    request_id: str = ""


@dataclass(frozen=True)
class ListErasures:
    page_size: int = 0
    page_token: str = ""


def request_erasure(cmd: RequestErasure, uow: MembershipUnitOfWork, org: str) -> Erasure:
    person_id = PERSON.parse(cmd.person, "person", org=org)["person"]
    reason = check_request(cmd.reason, cmd.confirm)

    def work() -> Erasure:
        running = uow.erasures.in_progress_for(person_id)
        if running is not None:
            raise already_erasing(running.id, org)
        if uow.persons.get(person_id) is None:
            raise NotFound(f"There is no person {cmd.person}; it may have been erased already.",
                           reason="PERSON_NOT_FOUND")
        now = utcnow()
        erasure = Erasure.start(new_id(), person_id, int(reason), requester_role(getattr(cmd.actor, "roles", ())), now)
        uow.person_data.erase(person_id, "")  # type: ignore[attr-defined]
        uow.erasures.add(erasure)
        uow.facts.add(erasure_facts_pb2.PersonErasureRequested(
            erasure_id=erasure.id, person_id=person_id, requested_date=now.date().isoformat()), key=person_id)
        # The erasure itself is accountable: who requested it, under the erasure's name, never the person's.
        uow.audit.record(cmd.actor, ACTION_ERASE, ERASURE.format(org=org, erasure=erasure.id), reason.wire_name)
        return erasure

    return run_once(uow, method="RequestErasure", actor=cmd.actor, request_id=cmd.request_id, work=work,
                    identify=lambda e: e.id, load=lambda erasure_id: uow.erasures.get(erasure_id))


def resend_erasure(cmd: ResendErasure, uow: MembershipUnitOfWork, org: str) -> Erasure:
    """Stage PersonErasureRequested of an erasure in progress again, for the services that have not confirmed
    (one that dead-lettered the fact, or whose consumer missed it). Each service applies an erasure once, so
    a resend that crosses a late confirmation changes nothing twice."""
    erasure_id = ERASURE.parse(cmd.name, "name", org=org)["erasure"]

    def work() -> Erasure:
        erasure = uow.erasures.get(erasure_id)
        if erasure is None:
            raise NotFound(f"There is no erasure {cmd.name} in the log.", reason="ERASURE_NOT_FOUND")
        pending = check_resend(erasure, org)
        uow.facts.add(erasure_facts_pb2.PersonErasureRequested(
            erasure_id=erasure.id, person_id=erasure.person_id, requested_date=erasure.create_time.date().isoformat(),
            services=pending), key=erasure.person_id)
        uow.audit.record(cmd.actor, ACTION_RESEND, ERASURE.format(org=org, erasure=erasure.id),
                         "sent again to " + ", ".join(pending))
        return erasure

    return run_once(uow, method="ResendErasure", actor=cmd.actor, request_id=cmd.request_id, work=work,
                    identify=lambda e: e.id, load=lambda eid: uow.erasures.get(eid))


def get_erasure(name: str, uow: MembershipUnitOfWork, org: str) -> Erasure:
    erasure_id = ERASURE.parse(name, "name", org=org)["erasure"]
    with uow:
        erasure = uow.erasures.get(erasure_id)
    if erasure is None:
        raise NotFound(f"There is no erasure {name} in the log.", reason="ERASURE_NOT_FOUND")
    return erasure


def list_erasures(cmd: ListErasures, uow: MembershipUnitOfWork) -> tuple[list[Erasure], str]:
    size = page_size(cmd.page_size)
    after = ERASURES_PAGE.decode(cmd.page_token)
    with uow:
        page = uow.erasures.page(after, size)
    return page.items, ERASURES_PAGE.encode(page.next_key)


def confirm(uow: MembershipUnitOfWork, erasure_id: str, service: str, now: dt.datetime | None = None) -> bool:
    """A service's PersonDataErased, inside the consumer's unit of work. An erasure this log does not
    hold (or a confirmation already applied) changes nothing."""
    erasure = uow.erasures.get(erasure_id)
    person_id = erasure.person_id if erasure is not None else None
    if erasure is None or not erasure.confirm(service, now or utcnow()):
        return False
    if erasure.state is ErasureState.COMPLETED and person_id:
        # Every service has the request: its published fact, the last row naming the person, goes too.
        uow.person_data.forget_published_facts(person_id)  # type: ignore[attr-defined]
        # A resend still waiting for the relay is needed by no one now, and would name the person.
        from services.common.facts import fact_type
        uow.person_data.forget_staged_facts(  # type: ignore[attr-defined]
            person_id, fact_type(erasure_facts_pb2.PersonErasureRequested).type)
    uow.erasures.save(erasure)
    return True


def confirmations_consumer():
    """The handler of membership's consumer of the other services' PersonDataErased facts."""
    from brobygger.events.v1 import erasure_facts_pb2 as events_erased
    from brobygger.referral.v1 import erasure_facts_pb2 as referral_erased
    from brobygger.reporting.v1 import erasure_facts_pb2 as reporting_erased
    from services.common.facts import UnusableFact, fact_type

    kinds = {ft.type: ft for ft in (fact_type(m.PersonDataErased) for m in (events_erased, referral_erased,
                                                                            reporting_erased))}

    def handle(uow: MembershipUnitOfWork, envelope) -> None:
        ft = kinds.get(envelope.type)
        if ft is None:
            return  # any other fact of those services: not membership's concern
        fact = ft.parse(envelope.data)
        if not fact.erasure_id:
            raise UnusableFact(f"{ft.type} without erasure_id")
        confirm(uow, fact.erasure_id, ft.service)

    return handle


def confirmation_topics(org: str) -> list[str]:
    from services.common.facts import topic

    return [topic(org, s) for s in ("events", "referral", "reporting")]


def refuse_while_erasing(org: str):
    """The guard of membership's ExportPersonData: no export of a person whose erasure is in progress
    (the services would answer some erased, some not yet)."""

    def guard(uow: MembershipUnitOfWork, person_id: str) -> None:
        running = uow.erasures.in_progress_for(person_id)
        if running is not None:
            raise already_erasing(running.id, org)

    return guard
