"""Idempotent Kafka consumer: each event's effect and its (consumer, ce_id)
mark commit in one transaction; offsets are committed after. A redelivered
event finds its mark and is skipped, so nothing is counted twice.
"""
from __future__ import annotations

import logging
import threading
from typing import Callable

import sqlalchemy as sa
from opentelemetry import trace
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from services.common import telemetry
from services.common.cloudevent import Envelope
from services.common.db import utcnow

log = logging.getLogger(__name__)

Handler = Callable[[Connection, Envelope], None]

MAX_ATTEMPTS = 5


class _Duplicate(Exception):
    pass


class IdempotentConsumer:
    def __init__(
        self,
        engine: Engine,
        tables: dict[str, sa.Table],
        bootstrap: str,
        *,
        consumer_name: str,
        group_id: str,
        topics: list[str],
        handler: Handler,
    ) -> None:
        self.engine = engine
        self.processed = tables["processed_events"]
        self.dead_letters = tables["dead_letters"]
        self.bootstrap = bootstrap
        self.consumer_name = consumer_name
        self.group_id = group_id
        self.topics = topics
        self.handler = handler
        self.applied = 0
        self.duplicates = 0
        self._tracer = telemetry.tracer(__name__)

    def process(self, envelope: Envelope, *, topic: str = "", partition: int = 0, offset: int = 0) -> bool:
        """Apply one event at most once; returns False for a duplicate."""
        ctx = telemetry.context_from_traceparent(envelope.traceparent)
        with self._tracer.start_as_current_span(
            f"process {envelope.type}", context=ctx, kind=trace.SpanKind.CONSUMER,
            attributes={"messaging.system": "kafka", "messaging.consumer.group.name": self.group_id,
                        "messaging.message.id": envelope.id, "messaging.destination.name": topic},
        ):
            for attempt in range(1, MAX_ATTEMPTS + 1):
                try:
                    with self.engine.begin() as conn:
                        try:
                            with conn.begin_nested():
                                conn.execute(self.processed.insert().values(
                                    consumer=self.consumer_name, event_id=envelope.id, processed_at=utcnow()))
                        except IntegrityError:
                            raise _Duplicate()
                        self.handler(conn, envelope)
                    self.applied += 1
                    return True
                except _Duplicate:
                    self.duplicates += 1
                    return False
                except Exception as exc:
                    if attempt < MAX_ATTEMPTS:
                        log.warning("event %s (%s) failed (%s), attempt %d", envelope.id, envelope.type,
                                    type(exc).__name__, attempt)
                        continue
                    log.error("event %s (%s) failed %d times; moved to dead_letters", envelope.id,
                              envelope.type, MAX_ATTEMPTS)
                    with self.engine.begin() as conn:
                        conn.execute(self.dead_letters.insert().values(
                            consumer=self.consumer_name, event_id=envelope.id, topic=topic, partition=partition,
                            offset=offset, ce_type=envelope.type, error=type(exc).__name__[:200], failed_at=utcnow()))
                        conn.execute(self.processed.insert().values(
                            consumer=self.consumer_name, event_id=envelope.id, processed_at=utcnow()))
                    return False
        return False

    def run(self, stop: threading.Event, ready: threading.Event | None = None) -> None:
        from services.common.kafka import ensure_topics, make_consumer

        backoff = 0.5
        while not stop.is_set():
            consumer = None
            try:
                ensure_topics(self.bootstrap, self.topics)
                consumer = make_consumer(self.bootstrap, self.group_id, client_id=self.consumer_name)
                consumer.subscribe(self.topics)
                log.info("consumer %s subscribed to %s", self.consumer_name, ",".join(self.topics))
                while not stop.is_set():
                    batches = consumer.poll(timeout_ms=500, max_records=500)
                    if ready is not None and consumer.assignment():
                        ready.set()
                    if not batches:
                        continue
                    for tp, records in batches.items():
                        for rec in records:
                            try:
                                env = Envelope.from_record(rec.key, rec.value, rec.headers)
                            except ValueError as exc:
                                log.error("skipping a record at %s[%d]@%d that is not a CloudEvent: %s",
                                          tp.topic, tp.partition, rec.offset, exc)
                                continue
                            self.process(env, topic=tp.topic, partition=tp.partition, offset=rec.offset)
                    consumer.commit()
                    backoff = 0.5
            except Exception as exc:
                log.warning("consumer %s: %s; reconnecting in %.1fs", self.consumer_name, type(exc).__name__, backoff)
                stop.wait(backoff)
                backoff = min(backoff * 2, 5.0)
            finally:
                if consumer is not None:
                    try:
                        consumer.close(autocommit=False)
                    except Exception:
                        pass
        log.info("consumer %s stopped", self.consumer_name)
