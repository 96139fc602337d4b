"""Referral use cases: each takes a command and runs in one unit of work.

A change, the fact it produces (outbox) and any call it owes another node
(deliveries) commit together. Nothing here calls another node: the delivery
worker does, after the commit.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Callable

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from brobygger.referral.v1 import referral_events_pb2 as facts
from brobygger.referral.v1 import referral_pb2
from services.common import audit, idempotency, outbox, pagination, telemetry
from services.common.db import UnitOfWork, utcnow
from services.common.directory import DirectoryError, FederationDirectory
from services.common.errors import FailedPrecondition, FieldViolation, InvalidArgument, NotFound, PermissionDenied
from services.common.names import new_id
from services.referral.adapters import repository as repo
from services.referral.domain.model import (
    ACCEPTED, COMPLETED, DELIVERY_PENDING, FEDERATION_NODE, INCOMING, OUTGOING, REFERRAL, REJECTED, REQUESTED,
    Referral, SharedContact, state_name, validate_change, validate_new_referral, validate_received,
    validate_reported_state,
)

log = logging.getLogger(__name__)

TYPE_STATE_CHANGED = "no.brobygger.referral.state.changed.v1"
KIND_REFERRAL = "referral"
KIND_UPDATE = "update"

ToProto = Callable[[Referral], referral_pb2.Referral]


@dataclass
class Referrals:
    engine: Engine
    tables: dict
    org: str
    topic: str
    source: str
    directory: FederationDirectory

    def name(self, referral_id: str) -> str:
        return REFERRAL.format(org=self.org, referral=referral_id)

    # ------------------------------------------------------------------ helpers
    def _fact(self, conn: Connection, r: Referral, now: dt.datetime) -> None:
        """One fact per state change: counts only, no person, no contact, no free text."""
        outbox.add(conn, self.tables["outbox"], topic=self.topic, key=r.id, ce_type=TYPE_STATE_CHANGED,
                   source=self.source, message=facts.ReferralStateChanged(
                       referral_id=r.id, direction=r.direction, partner_kind=r.partner_kind,
                       reason_category=r.reason_category, state=r.state,
                       created_date=r.create_time.date().isoformat(), changed_date=now.date().isoformat(),
                       target_organization=r.target_organization))

    def _known_nodes(self) -> dict:
        try:
            return self.directory.referral_targets()
        except DirectoryError as exc:
            log.error("cannot use the federation directory: %s", exc)
            raise FailedPrecondition(
                "This node cannot refer to other nodes: its federation directory is missing or invalid. "
                "The operator finds the cause in the referral service's log.",
                reason="FEDERATION_DIRECTORY_UNAVAILABLE",
            ) from None

    def _get(self, conn: Connection, referral_id: str, resource: str, *, for_update: bool = False) -> Referral:
        r = repo.get(conn, referral_id, for_update=for_update)
        if r is None:
            raise NotFound(f"There is no referral {resource}; list referrals to find the right name.",
                           reason="REFERRAL_NOT_FOUND")
        return r

    # ------------------------------------------------------------------ create
    def create(self, r: Referral, request_id: str, to_proto: ToProto) -> referral_pb2.Referral:
        if not r.direction:
            r.direction = OUTGOING
        validate_new_referral(r, self.org)
        if r.is_cross_node:
            nodes = self._known_nodes()
            node = nodes.get(r.target_organization)
            if node is None:
                known = ", ".join(sorted(o for o in nodes if o != self.org)) or "none"
                raise InvalidArgument(
                    f"Organisation {r.target_organization!r} is not in this node's federation directory; "
                    f"the known organisations are: {known}.",
                    reason="UNKNOWN_ORGANIZATION",
                    violations=[FieldViolation("referral.target_organization", f"must be one of: {known}")],
                )
            if not r.partner_name.strip():
                r.partner_name = node.name[:200]

        def work(conn: Connection) -> referral_pb2.Referral:
            now = utcnow()
            r.id, r.state, r.create_time, r.update_time = new_id(), REQUESTED, now, now
            r.outcome = r.declined_by = r.remote_name = r.source_organization = r.source_referral = ""
            r.delivery_state = DELIVERY_PENDING if r.is_cross_node else ""
            repo.add(conn, r)
            self._fact(conn, r, now)
            if r.is_cross_node:
                request = referral_pb2.ReceiveReferralRequest(
                    parent=f"organizations/{r.target_organization}", source_referral=self.name(r.id),
                    partner_kind=FEDERATION_NODE, reason_category=r.reason_category,
                    shared_contact=referral_pb2.SharedContact(
                        given_name=r.shared_contact.given_name, phone=r.shared_contact.phone,
                        preferred_language=r.shared_contact.preferred_language),
                    consent_given=True,
                )
                repo.add_delivery(conn, referral_id=r.id, kind=KIND_REFERRAL, target=r.target_organization,
                                  payload=request.SerializeToString(), now=now,
                                  traceparent=telemetry.current_traceparent())
            return to_proto(r)

        return idempotency.run(self.engine, self.tables["idempotency_keys"], request_id, "CreateReferral",
                               referral_pb2.Referral, work)

    # ------------------------------------------------------------------ read
    def get(self, referral_id: str, principal, purpose: str, resource: str) -> Referral:
        with UnitOfWork(self.engine) as uow:
            r = self._get(uow.conn, referral_id, resource)
            audit.record(uow.conn, self.tables["audit_log"], principal, "referral.read", resource, purpose)
            return r

    def list(self, page_size: int, page_token: str, state: int) -> tuple[list[Referral], str]:
        size = pagination.page_size(page_size)
        if state and (state not in referral_pb2.ReferralState.values()):
            raise InvalidArgument("state must be a referral state, or unset for all.", reason="INVALID_FIELDS",
                                  violations=[FieldViolation("state", "unknown referral state")])
        pos = pagination.decode(page_token)
        if pos is not None and pos.get("s", 0) != state:
            raise InvalidArgument(
                "page_token belongs to a listing with another state filter; start again without a token.",
                reason="INVALID_PAGE_TOKEN",
                violations=[FieldViolation("page_token", "the state filter changed since this token was issued")],
            )
        try:
            before = (dt.datetime.fromisoformat(pos["t"]), str(pos["id"])) if pos else None
        except (KeyError, TypeError, ValueError):
            raise InvalidArgument(
                "page_token is not one this service issued; pass next_page_token from the previous response.",
                reason="INVALID_PAGE_TOKEN",
                violations=[FieldViolation("page_token", "not a token from a previous response")],
            ) from None
        with UnitOfWork(self.engine) as uow:
            items, nxt = repo.list_referrals(uow.conn, size, before, state)
        token = pagination.encode({"t": nxt[0].isoformat(), "id": nxt[1], "s": state}) if nxt else ""
        return items, token

    # ------------------------------------------------------------------ state changes by this node's coordinators
    def change(self, referral_id: str, resource: str, to: int, *, outcome: str, declined_by: str,
               request_id: str, method: str, to_proto: ToProto) -> referral_pb2.Referral:
        validate_change(to, outcome, declined_by)

        def work(conn: Connection) -> referral_pb2.Referral:
            r = self._get(conn, referral_id, resource, for_update=True)
            if r.managed_remotely:
                raise FailedPrecondition(
                    f"This referral went to organisation {r.target_organization!r}; its state changes when that "
                    "node's coordinators record it and is reported back here.",
                    reason="STATE_OWNED_BY_TARGET_NODE",
                    metadata={"target_organization": r.target_organization},
                )
            now = utcnow()
            r.change_state(to, outcome=outcome, declined_by=declined_by, at=now)
            repo.save_state(conn, r)
            self._fact(conn, r, now)
            if r.reports_back_to:
                update = referral_pb2.ReceiveReferralUpdateRequest(
                    name=r.source_referral, state=r.state, outcome=r.outcome, declined_by=r.declined_by)
                repo.add_delivery(conn, referral_id=r.id, kind=KIND_UPDATE, target=r.reports_back_to,
                                  payload=update.SerializeToString(), now=now,
                                  traceparent=telemetry.current_traceparent())
            return to_proto(r)

        return idempotency.run(self.engine, self.tables["idempotency_keys"], request_id, method,
                               referral_pb2.Referral, work)

    def accept(self, referral_id, resource, request_id, to_proto):
        return self.change(referral_id, resource, ACCEPTED, outcome="", declined_by="", request_id=request_id,
                           method="AcceptReferral", to_proto=to_proto)

    def reject(self, referral_id, resource, declined_by, outcome, request_id, to_proto):
        return self.change(referral_id, resource, REJECTED, outcome=outcome, declined_by=declined_by,
                           request_id=request_id, method="RejectReferral", to_proto=to_proto)

    def complete(self, referral_id, resource, outcome, request_id, to_proto):
        return self.change(referral_id, resource, COMPLETED, outcome=outcome, declined_by="",
                           request_id=request_id, method="CompleteReferral", to_proto=to_proto)

    # ------------------------------------------------------------------ node to node
    def receive(self, principal, source_referral: str, partner_kind: int, reason_category: int,
                contact: SharedContact, consent_given: bool, to_proto: ToProto) -> referral_pb2.Referral:
        """Another node hands over a referral; a redelivery returns the one already received."""
        source_org = REFERRAL.parse(source_referral, "source_referral")["org"]
        if source_org == self.org or source_org not in principal.orgs:
            raise PermissionDenied(
                f"source_referral names organisation {source_org!r}, but the calling service acts for "
                f"{', '.join(sorted(principal.orgs)) or 'no organisation'}; a node may only hand over its own "
                "referrals.",
                reason="SOURCE_MISMATCH",
            )
        validate_received(source_org, self.org, partner_kind, reason_category, contact, consent_given)
        for attempt in range(2):
            try:
                with UnitOfWork(self.engine) as uow:
                    existing = repo.get_by_source(uow.conn, source_referral)
                    if existing is not None:
                        return to_proto(existing)
                    now = utcnow()
                    node = self._node_name(source_org)
                    r = Referral(
                        id=new_id(), direction=INCOMING, partner_kind=FEDERATION_NODE,
                        reason_category=reason_category, partner_name=node, source_organization=source_org,
                        source_referral=source_referral, state=REQUESTED, consent_given=True,
                        shared_contact=contact, create_time=now, update_time=now,
                    )
                    repo.add(uow.conn, r)
                    self._fact(uow.conn, r, now)
                    return to_proto(r)
            except IntegrityError:  # the same referral delivered twice at once
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def _node_name(self, org: str) -> str:
        try:
            node = self.directory.get(org)
        except DirectoryError:
            node = None
        return (node.name if node and node.name else org)[:200]

    def receive_update(self, principal, referral_id: str, resource: str, to: int, outcome: str,
                       declined_by: str, to_proto: ToProto) -> referral_pb2.Referral:
        """The node a referral went to reports a state change back to us."""
        validate_reported_state(to)
        validate_change(to, outcome, declined_by)
        with UnitOfWork(self.engine) as uow:
            r = self._get(uow.conn, referral_id, resource, for_update=True)
            if not r.managed_remotely or r.target_organization not in principal.orgs:
                raise PermissionDenied(
                    "Only the node a referral was sent to may report its state, and this referral was not sent "
                    f"to {', '.join(sorted(principal.orgs)) or 'the calling service'}.",
                    reason="SOURCE_MISMATCH",
                )
            now = utcnow()
            if r.apply_remote_update(to, outcome=outcome, declined_by=declined_by, at=now):
                repo.save_state(uow.conn, r)
                self._fact(uow.conn, r, now)
                log.info("referral %s is now %s at the receiving node", r.id, state_name(r.state))
            return to_proto(r)
