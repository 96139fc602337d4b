"""Read what a topic holds, as any Kafka client would: for assertions."""
from __future__ import annotations

import time
import uuid
from typing import Callable

from kafka import KafkaConsumer


def read_topic(bootstrap: str, topic: str, until: Callable[[list], bool], timeout: float = 20.0) -> list:
    """Read from the start of topic until until(records) holds or timeout passes."""
    consumer = KafkaConsumer(
        topic, bootstrap_servers=[bootstrap], group_id=f"test-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest", enable_auto_commit=False,
        session_timeout_ms=6000, heartbeat_interval_ms=1000,
    )
    records: list = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and not until(records):
            for recs in consumer.poll(timeout_ms=300).values():
                records.extend(recs)
    finally:
        consumer.close()
    return records
