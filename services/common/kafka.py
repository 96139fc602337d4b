"""Kafka clients configured the one way this project uses them.

Every client (producer, consumer, admin) gets the same connection security
from KafkaSecurity: PLAINTEXT for the development broker, or SASL (SCRAM) with
the node's own user, whose broker ACLs let it write and read its own
organisation's topics only.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

if TYPE_CHECKING:
    from services.common.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_PARTITIONS = 3


@dataclass(frozen=True)
class KafkaSecurity:
    """How a client connects to the brokers; validated by services.common.settings.load."""

    protocol: str = "PLAINTEXT"  # PLAINTEXT, SASL_PLAINTEXT or SASL_SSL
    mechanism: str = ""  # with SASL: SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN
    username: str = ""
    password: str = field(default="", repr=False)
    ssl_cafile: str = ""  # with SASL_SSL: the CA that signed the brokers' certificates (default: the system's)

    @classmethod
    def from_settings(cls, settings: "Settings") -> "KafkaSecurity":
        return cls(
            protocol=settings.kafka_security_protocol,
            mechanism=settings.kafka_sasl_mechanism,
            username=settings.kafka_username,
            password=settings.kafka_password,
            ssl_cafile=settings.kafka_ssl_cafile,
        )

    @property
    def uses_sasl(self) -> bool:
        return self.protocol.startswith("SASL_")

    def client_options(self) -> dict[str, Any]:
        """The keyword arguments kafka-python's producer, consumer and admin client take for this."""
        options: dict[str, Any] = {"security_protocol": self.protocol}
        if self.uses_sasl:
            options.update(sasl_mechanism=self.mechanism, sasl_plain_username=self.username,
                           sasl_plain_password=self.password)
        if self.protocol.endswith("SSL") and self.ssl_cafile:
            options["ssl_cafile"] = self.ssl_cafile
        return options


PLAINTEXT = KafkaSecurity()


def make_producer(bootstrap: str, client_id: str, security: KafkaSecurity = PLAINTEXT) -> KafkaProducer:
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
        **security.client_options(),
    )


def make_consumer(bootstrap: str, group_id: str, client_id: str,
                  security: KafkaSecurity = PLAINTEXT) -> KafkaConsumer:
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
        **security.client_options(),
    )


def make_admin(bootstrap: str, client_id: str = "brobygger-admin",
               security: KafkaSecurity = PLAINTEXT) -> KafkaAdminClient:
    return KafkaAdminClient(bootstrap_servers=bootstrap.split(","), client_id=client_id,
                            **security.client_options())


def ensure_topics(bootstrap: str, topics: list[str], partitions: int = DEFAULT_PARTITIONS,
                  *, security: KafkaSecurity = PLAINTEXT) -> None:
    """Create topics that do not exist yet. Safe to call from several processes."""
    admin = make_admin(bootstrap, security=security)
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
