"""Kafka clients configured the one way this project uses them."""
from __future__ import annotations

import logging
import time

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

log = logging.getLogger(__name__)

DEFAULT_PARTITIONS = 3


def make_producer(bootstrap: str, client_id: str) -> KafkaProducer:
    return KafkaProducer(
        bootstrap_servers=bootstrap.split(","),
        client_id=client_id,
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
        request_timeout_ms=15000,
        max_block_ms=10000,
        retries=2147483647,
        delivery_timeout_ms=120000,
    )


def make_consumer(bootstrap: str, group_id: str, client_id: str) -> KafkaConsumer:
    return KafkaConsumer(
        bootstrap_servers=bootstrap.split(","),
        group_id=group_id,
        client_id=client_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        session_timeout_ms=6000,
        heartbeat_interval_ms=1000,
        max_poll_interval_ms=60000,
        max_poll_records=500,
    )


def ensure_topics(bootstrap: str, topics: list[str], partitions: int = DEFAULT_PARTITIONS) -> None:
    """Create topics that do not exist yet. Safe to call from several processes."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap.split(","), client_id="brobygger-admin")
    try:
        existing = set(admin.list_topics())
        missing = [t for t in topics if t not in existing]
        if not missing:
            return
        try:
            admin.create_topics([NewTopic(t, partitions, 1) for t in missing])
        except TopicAlreadyExistsError:
            pass
        except KafkaError as exc:
            if "TopicAlreadyExists" not in repr(exc):
                raise
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not set(missing) <= set(admin.list_topics()):
            time.sleep(0.1)
        log.info("created topics %s", ",".join(missing))
    finally:
        admin.close()
