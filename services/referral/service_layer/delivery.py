"""The delivery worker (process role "deliver"): makes the node-to-node calls
that committed changes owe (hand a referral over, report a state change back),
retrying with backoff until the other node answers.

Deliveries of one referral go out in the order they were made; a delivery the
other node already has is answered idempotently there, so a crash between its
answer and our bookkeeping repeats the call without duplicating anything.
"""
from __future__ import annotations

import datetime as dt
import logging
import random
import threading
from typing import Callable, Protocol

from opentelemetry import trace

from services.common import telemetry
from services.common.directory import DirectoryError
from services.common.timestamps import utcnow
from services.referral.adapters.peers import PeerError
from services.referral.domain.model import CANCELLED, DELIVERY_REFUSED, Delivery, Handover
from services.referral.service_layer.consent import ConsentChecker, consent_unavailable
from services.referral.service_layer.handlers import Directory, stage_fact
from services.referral.service_layer.unit_of_work import ReferralUnitOfWork

log = logging.getLogger(__name__)

# Failures that say the node cannot be reached now: its other deliveries wait for the next round.
UNREACHABLE = ("UNAVAILABLE", "DEADLINE_EXCEEDED", "TOKEN/", "NO_ADDRESS")


class SharingRefused(Exception):
    """The person's consent for referral sharing is not in force: the hand-over must never be made."""


class Peers(Protocol):
    """The other nodes' referral services (services.referral.adapters.peers.PeerClient fits)."""

    def deliver(self, address: str, delivery: Delivery) -> str:
        """Make the call; the name the referral has at that node ('' for a report). Raises PeerError."""

    def close(self) -> None: ...


class Deliverer:
    def __init__(self, uow: Callable[[], ReferralUnitOfWork], directory: Directory, peers: Peers, *,
                 consents: ConsentChecker | None = None,
                 name: str = "referral-delivery", batch_size: int = 100, idle_sleep: float = 0.2,
                 first_backoff: float = 0.5, max_backoff: float = 10.0) -> None:
        self.uow, self.directory, self.peers, self.name = uow, directory, peers, name
        # Asked again before a hand-over: a consent withdrawn since the referral was made stops it.
        self.consents = consents
        self.batch_size, self.idle_sleep = batch_size, idle_sleep
        self.first_backoff, self.max_backoff = first_backoff, max_backoff
        self.delivered = 0
        self._tracer = telemetry.tracer(__name__)

    def backoff(self, attempts: int) -> float:
        """Seconds before the next try after `attempts` failed ones, with jitter."""
        base = min(self.first_backoff * (2 ** max(attempts - 1, 0)), self.max_backoff)
        return base * random.uniform(0.8, 1.2)

    def run_once(self) -> int:
        """Try every due delivery once; returns how many were delivered."""
        with self.uow() as uow:
            pending = uow.deliveries.pending(self.batch_size)
        now = utcnow()
        waiting: set[str] = set()      # referrals with an earlier delivery still pending
        unreachable: set[str] = set()  # nodes that failed in this round
        done = 0
        for d in pending:
            if d.referral_id in waiting or d.target_organization in unreachable or d.next_attempt_at > now:
                waiting.add(d.referral_id)
                continue
            try:
                remote_name = self._deliver(d)
            except SharingRefused:
                self._refuse(d)
                continue
            except Exception as exc:  # every failure is retried later
                code = exc.code if isinstance(exc, PeerError) else type(exc).__name__
                self._failed(d, code)
                waiting.add(d.referral_id)
                if code.startswith(UNREACHABLE):
                    unreachable.add(d.target_organization)
                continue
            self._done(d, remote_name)
            done += 1
        self.delivered += done
        return done

    def _may_share(self, d: Delivery) -> bool:
        """Whether the referral's person consents to referral sharing now; raises (and so nothing is sent, and
        the hand-over is tried again later) when membership cannot say."""
        if self.consents is None:
            raise consent_unavailable()
        with self.uow() as uow:
            r = uow.referrals.get(d.referral_id)
        if r is None or not r.person:
            return False
        return self.consents.sharing_in_force(r.person, reason=f"hand-over of a referral to {d.target_organization}")

    def _refuse(self, d: Delivery) -> None:
        """The person withdrew their consent for referral sharing before the hand-over: the call is never
        made (its payload, the shared contact, is dropped) and the referral is cancelled."""
        with self.uow() as uow:
            uow.deliveries.refused(d.id, "REFERRAL_SHARING_CONSENT_MISSING")
            r = uow.referrals.get(d.referral_id, for_update=True)
            if r is not None:
                now = utcnow()
                r.delivery_state = DELIVERY_REFUSED
                if CANCELLED in r.allowed_next():
                    r.change_state(CANCELLED, outcome="consent_withdrawn", at=now)
                    stage_fact(uow, r, now)
                uow.referrals.save(r)
            uow.commit()
        log.warning("delivery %d (%s of referral %s) to %s refused: no consent for referral sharing",
                    d.id, _kind(d), d.referral_id, d.target_organization)

    def _failed(self, d: Delivery, code: str) -> None:
        attempts = d.attempts + 1
        delay = self.backoff(attempts)
        log.warning("delivery %d (%s of referral %s) to %s failed: %s; attempt %d, next in %.1fs",
                    d.id, _kind(d), d.referral_id, d.target_organization, code, attempts, delay)
        with self.uow() as uow:
            uow.deliveries.failed(d.id, code, utcnow() + dt.timedelta(seconds=delay))
            uow.commit()

    def _done(self, d: Delivery, remote_name: str) -> None:
        with self.uow() as uow:
            uow.deliveries.delivered(d.id, utcnow())
            if isinstance(d.call, Handover):
                r = uow.referrals.get(d.referral_id, for_update=True)
                if r is not None:
                    r.delivered_as(remote_name)
                    uow.referrals.save(r)
            uow.commit()
        log.info("delivery %d (%s of referral %s) to %s done", d.id, _kind(d), d.referral_id, d.target_organization)

    def _deliver(self, d: Delivery) -> str:
        """One call to the other node, in the trace of the change that owes it."""
        ctx = telemetry.context_from_traceparent(d.traceparent)
        with self._tracer.start_as_current_span(
            f"deliver {_kind(d)}", context=ctx, kind=trace.SpanKind.INTERNAL,
            attributes={"brobygger.delivery.id": d.id, "brobygger.delivery.target": d.target_organization,
                        "brobygger.delivery.attempt": d.attempts + 1},
        ):
            if d.call is None:
                raise PeerError("UNKNOWN_KIND")
            try:
                node = self.directory.get(d.target_organization)
            except DirectoryError:
                node = None
            if node is None or not node.referral:
                raise PeerError("NO_ADDRESS: no referral endpoint in the federation directory")
            if isinstance(d.call, Handover) and not self._may_share(d):  # asked at the moment of sharing
                raise SharingRefused()
            return self.peers.deliver(node.referral, d)

    def run(self, stop: threading.Event) -> None:
        log.info("delivery worker %s started", self.name)
        try:
            while not stop.is_set():
                try:
                    delivered = self.run_once()
                except Exception as exc:  # e.g. the database is briefly unreachable
                    log.warning("delivery worker %s: %s; retrying", self.name, type(exc).__name__)
                    delivered = 0
                if not delivered:
                    stop.wait(self.idle_sleep)
        finally:
            self.peers.close()
            log.info("delivery worker %s stopped", self.name)


def _kind(d: Delivery) -> str:
    return d.call.kind if d.call is not None else "unknown"
