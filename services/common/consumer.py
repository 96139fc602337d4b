"""Idempotent Kafka consumer: each fact's effect and its (consumer, ce_id) mark
commit in one unit of work; offsets are committed after. A redelivered fact
finds its mark and is skipped, so nothing is counted twice.

A fact that fails MAX_ATTEMPTS times is set aside in dead_letters (with its
topic, partition and offset, never its payload) instead of blocking its
partition. A fact whose CloudEvents source is not this node is refused the
same way: a node counts only what its own services published.
"""
from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Callable

from opentelemetry import trace

from services.common import telemetry
from services.common.facts import Envelope
from services.common.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from services.common.kafka import KafkaSecurity

log = logging.getLogger(__name__)

Handler = Callable[[UnitOfWork, Envelope], None]

MAX_ATTEMPTS = 5


class ForeignFact(ValueError):
    """A fact whose source is another organisation's node."""


class IdempotentConsumer:
    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        bootstrap: str,
        *,
        consumer_name: str,
        group_id: str,
        topics: list[str],
        handler: Handler,
        source_prefix: str = "",
        security: KafkaSecurity | None = None,
    ) -> None:
        self.uow_factory = uow_factory
        self.bootstrap = bootstrap
        self.consumer_name = consumer_name
        self.group_id = group_id
        self.topics = topics
        self.handler = handler
        # e.g. "/organizations/mir/": facts from any other source are dead-lettered.
        self.source_prefix = source_prefix
        self.security = security  # None: PLAINTEXT, as the development broker speaks
        self.applied = 0
        self.duplicates = 0
        self._tracer = telemetry.tracer(__name__)

    @property
    def name(self) -> str:
        """The name the process roles know this worker by."""
        return self.consumer_name

    def _apply(self, envelope: Envelope) -> bool:
        with self.uow_factory() as uow:
            if not uow.inbox.mark(self.consumer_name, envelope.id):
                return False
            if self.source_prefix and not envelope.source.startswith(self.source_prefix):
                raise ForeignFact(f"a fact from {envelope.source[:80]!r}")
            self.handler(uow, envelope)
            uow.commit()
            return True

    def process(self, envelope: Envelope, *, topic: str = "", partition: int = 0, offset: int = 0) -> bool:
        """Apply one fact at most once; returns False for a duplicate or a dead letter."""
        ctx = telemetry.context_from_traceparent(envelope.traceparent)
        with self._tracer.start_as_current_span(
            f"process {envelope.type}", context=ctx, kind=trace.SpanKind.CONSUMER,
            attributes={"messaging.system": "kafka", "messaging.consumer.group.name": self.group_id,
                        "messaging.message.id": envelope.id, "messaging.destination.name": topic},
        ):
            for attempt in range(1, MAX_ATTEMPTS + 1):
                try:
                    applied = self._apply(envelope)
                except ForeignFact as exc:
                    log.error("fact %s (%s) at %s[%d]@%d comes from another node; moved to dead_letters",
                              envelope.id, envelope.type, topic, partition, offset)
                    self._dead_letter(envelope, topic, partition, offset, exc)
                    return False
                except Exception as exc:
                    if attempt < MAX_ATTEMPTS:
                        log.warning("fact %s (%s) failed (%s), attempt %d", envelope.id, envelope.type,
                                    type(exc).__name__, attempt)
                        continue
                    log.error("fact %s (%s) failed %d times; moved to dead_letters", envelope.id,
                              envelope.type, MAX_ATTEMPTS)
                    self._dead_letter(envelope, topic, partition, offset, exc)
                    return False
                if applied:
                    self.applied += 1
                else:
                    self.duplicates += 1
                return applied
        return False

    def _dead_letter(self, envelope: Envelope, topic: str, partition: int, offset: int, exc: Exception) -> None:
        with self.uow_factory() as uow:
            uow.inbox.dead_letter(self.consumer_name, envelope.id, topic=topic, partition=partition, offset=offset,
                                  ce_type=envelope.type, error=type(exc).__name__)
            uow.commit()

    def run(self, stop: threading.Event, ready: threading.Event | None = None) -> None:
        from services.common.kafka import PLAINTEXT, ensure_topics, make_consumer

        security = self.security or PLAINTEXT
        backoff = 0.5
        while not stop.is_set():
            consumer = None
            try:
                ensure_topics(self.bootstrap, self.topics, security=security)
                consumer = make_consumer(self.bootstrap, self.group_id, client_id=self.consumer_name,
                                         security=security)
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
