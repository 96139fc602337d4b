"""Transactional outbox: a change and the facts it produces commit together
(services.common.unit_of_work.SqlFacts writes them); the relay here publishes
them to Kafka, retrying until the broker acknowledges.

A crash between the broker's acknowledgement and the relay's bookkeeping
publishes a row again with the same ce_id; consumers drop the duplicate.
"""
from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

import sqlalchemy as sa
from opentelemetry import trace
from sqlalchemy.engine import Engine

from services.common import telemetry
from services.common.facts import Envelope
from services.common.timestamps import utcnow

if TYPE_CHECKING:
    from services.common.kafka import KafkaSecurity

log = logging.getLogger(__name__)


class OutboxRelay:
    """Publishes unpublished outbox rows in order, in batches."""

    def __init__(
        self,
        engine: Engine,
        outbox: sa.Table,
        bootstrap: str,
        *,
        name: str,
        batch_size: int = 500,
        idle_sleep: float = 0.1,
        max_backoff: float = 5.0,
        security: KafkaSecurity | None = None,
    ) -> None:
        self.engine = engine
        self.outbox = outbox
        self.bootstrap = bootstrap
        self.security = security  # None: PLAINTEXT, as the development broker speaks
        self.name = name
        self.batch_size = batch_size
        self.idle_sleep = idle_sleep
        self.max_backoff = max_backoff
        self._producer = None
        self._known_topics: set[str] = set()
        self.published = 0
        self._tracer = telemetry.tracer(__name__)

    def _ensure(self, topics: set[str]) -> None:
        from services.common.kafka import PLAINTEXT, ensure_topics, make_producer

        security = self.security or PLAINTEXT
        new = topics - self._known_topics
        if new:
            ensure_topics(self.bootstrap, sorted(new), security=security)
            self._known_topics |= new
        if self._producer is None:
            self._producer = make_producer(self.bootstrap, client_id=f"{self.name}-relay", security=security)

    def run_once(self) -> int:
        """Publish one batch; returns how many rows were acknowledged."""
        o = self.outbox
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(o).where(o.c.published_at.is_(None)).order_by(o.c.id).limit(self.batch_size)
            ).all()
        if not rows:
            return 0
        self._ensure({r.topic for r in rows})
        futures = []
        for r in rows:
            env = Envelope(
                id=r.fact_id, source=r.ce_source, type=r.ce_type, time=r.ce_time,
                dataschema=r.dataschema, key=r.key, data=r.payload, traceparent=r.traceparent,
            )
            ctx = telemetry.context_from_traceparent(r.traceparent)
            with self._tracer.start_as_current_span(
                f"publish {r.topic}", context=ctx, kind=trace.SpanKind.PRODUCER,
                attributes={"messaging.system": "kafka", "messaging.destination.name": r.topic,
                            "messaging.message.id": r.fact_id, "cloudevents.event_type": r.ce_type},
            ):
                key, value, headers = env.to_record()
                futures.append((r.id, self._producer.send(r.topic, key=key, value=value, headers=headers)))
        self._producer.flush(timeout=30)
        acked: list[int] = []
        error: Exception | None = None
        for row_id, fut in futures:
            try:
                fut.get(timeout=30)
                acked.append(row_id)
            except Exception as exc:  # broker refused or timed out: retry from here later
                error = exc
                break
        now = utcnow()
        with self.engine.begin() as conn:
            if acked:
                conn.execute(o.update().where(o.c.id.in_(acked)).values(published_at=now))
            if error is not None:
                failed = [rid for rid, _ in futures[len(acked):]]
                conn.execute(o.update().where(o.c.id.in_(failed)).values(attempts=o.c.attempts + 1))
        self.published += len(acked)
        if error is not None:
            raise error
        return len(acked)

    def pending(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(
                sa.select(sa.func.count()).select_from(self.outbox).where(self.outbox.c.published_at.is_(None))
            ).scalar_one()

    def run(self, stop: threading.Event) -> None:
        backoff = 0.2
        log.info("outbox relay %s started", self.name)
        while not stop.is_set():
            try:
                if self.run_once() == 0:
                    stop.wait(self.idle_sleep)
                backoff = 0.2
            except Exception as exc:
                log.warning("outbox relay %s: broker not reachable (%s); retrying in %.1fs",
                            self.name, type(exc).__name__, backoff)
                self._reset_producer()
                stop.wait(backoff)
                backoff = min(backoff * 2, self.max_backoff)
        self._reset_producer()
        log.info("outbox relay %s stopped", self.name)

    def _reset_producer(self) -> None:
        if self._producer is not None:
            try:
                self._producer.close(timeout=2)
            except Exception:
                pass
            self._producer = None
