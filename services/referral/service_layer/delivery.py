"""The delivery worker: makes the node-to-node calls that committed changes owe
(hand a referral over, report a state change back), retrying with backoff
until the other node answers.

Deliveries of one referral go out in the order they were made; a delivery the
other node already has is answered idempotently there, so a crash between its
answer and our bookkeeping repeats the call without duplicating anything.
"""
from __future__ import annotations

import datetime as dt
import logging
import random
import threading
from dataclasses import dataclass, field

from opentelemetry import trace
from sqlalchemy.engine import Engine

from brobygger.referral.v1 import referral_pb2
from services.common import telemetry
from services.common.db import UnitOfWork, utcnow
from services.common.directory import DirectoryError, FederationDirectory
from services.referral.adapters import repository as repo
from services.referral.adapters.peers import PeerError
from services.referral.service_layer.handlers import KIND_REFERRAL, KIND_UPDATE

log = logging.getLogger(__name__)


@dataclass
class Deliverer:
    engine: Engine
    directory: FederationDirectory
    peers: object  # PeerClient: receive_referral(address, request), receive_update(address, request)
    name: str = "referral-delivery"
    batch_size: int = 100
    idle_sleep: float = 0.2
    first_backoff: float = 0.5
    max_backoff: float = 10.0
    delivered: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self._tracer = telemetry.tracer(__name__)

    def backoff(self, attempts: int) -> float:
        """Seconds before the next try after `attempts` failed ones, with jitter."""
        base = min(self.first_backoff * (2 ** max(attempts - 1, 0)), self.max_backoff)
        return base * random.uniform(0.8, 1.2)

    def run_once(self) -> int:
        """Try every due delivery once; returns how many were delivered."""
        with UnitOfWork(self.engine) as uow:
            pending = repo.pending_deliveries(uow.conn, self.batch_size)
        now = utcnow()
        waiting: set[str] = set()      # referrals with an earlier delivery still pending
        unreachable: set[str] = set()  # nodes that failed in this round
        done = 0
        for d in pending:
            if d.referral_id in waiting or d.target_organization in unreachable:
                waiting.add(d.referral_id)
                continue
            if d.next_attempt_at > now:
                waiting.add(d.referral_id)
                continue
            try:
                remote_name = self._deliver(d)
            except Exception as exc:  # every failure is retried later
                code = exc.code if isinstance(exc, PeerError) else type(exc).__name__
                attempts = d.attempts + 1
                delay = self.backoff(attempts)
                log.warning("delivery %d (%s of referral %s) to %s failed: %s; attempt %d, next in %.1fs",
                            d.id, d.kind, d.referral_id, d.target_organization, code, attempts, delay)
                with UnitOfWork(self.engine) as uow:
                    repo.mark_failed(uow.conn, d.id, code, utcnow() + dt.timedelta(seconds=delay))
                waiting.add(d.referral_id)
                if code.startswith(("UNAVAILABLE", "DEADLINE_EXCEEDED", "TOKEN/", "NO_ADDRESS")):
                    unreachable.add(d.target_organization)
                continue
            with UnitOfWork(self.engine) as uow:
                repo.mark_delivered(uow.conn, d.id, utcnow())
                if d.kind == KIND_REFERRAL:
                    repo.set_delivered(uow.conn, d.referral_id, remote_name)
            log.info("delivery %d (%s of referral %s) to %s done", d.id, d.kind, d.referral_id, d.target_organization)
            done += 1
        self.delivered += done
        return done

    def _deliver(self, d: repo.Delivery) -> str:
        """One call to the other node, in the trace of the change that owes it."""
        ctx = telemetry.context_from_traceparent(d.traceparent)
        with self._tracer.start_as_current_span(
            f"deliver {d.kind}", context=ctx, kind=trace.SpanKind.INTERNAL,
            attributes={"brobygger.delivery.id": d.id, "brobygger.delivery.target": d.target_organization,
                        "brobygger.delivery.attempt": d.attempts + 1},
        ):
            return self._call(d)

    def _call(self, d: repo.Delivery) -> str:
        try:
            node = self.directory.get(d.target_organization)
        except DirectoryError:
            node = None
        if node is None or not node.referral:
            raise PeerError("NO_ADDRESS: no referral endpoint in the federation directory")
        if d.kind == KIND_REFERRAL:
            answer = self.peers.receive_referral(node.referral, referral_pb2.ReceiveReferralRequest.FromString(d.payload))
            return answer.name
        if d.kind == KIND_UPDATE:
            self.peers.receive_update(node.referral, referral_pb2.ReceiveReferralUpdateRequest.FromString(d.payload))
            return ""
        raise PeerError(f"UNKNOWN_KIND {d.kind[:20]}")

    def run(self, stop: threading.Event) -> None:
        log.info("delivery worker %s started", self.name)
        while not stop.is_set():
            try:
                delivered = self.run_once()
            except Exception as exc:  # e.g. the database is briefly unreachable
                log.warning("delivery worker %s: %s; retrying", self.name, type(exc).__name__)
                delivered = 0
            if not delivered:
                stop.wait(self.idle_sleep)
        close = getattr(self.peers, "close", None)
        if close is not None:
            close()
        log.info("delivery worker %s stopped", self.name)
