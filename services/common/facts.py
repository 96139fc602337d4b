"""Facts: what a service tells the rest of its node on Kafka, in one place.

A fact is a protobuf message from ``proto/brobygger/<service>/v1/<service>_facts.proto``.
Everything else about it is derived from the message's descriptor, here and
nowhere else, so that producers and consumers cannot disagree:

- its CloudEvents ``type``:  ``PersonRegistered`` in ``brobygger.membership.v1`` is
  ``no.brobygger.membership.person_registered.v1``;
- its ``dataschema``:       ``proto:brobygger.membership.v1.PersonRegistered``;
- its topic at a node:      ``{org}.membership`` (the service is the package's middle part).

On Kafka a fact travels as a CloudEvent 1.0 in binary content mode, built and
read with the CloudEvents SDK (``cloudevents.v1.kafka``): attributes in ``ce_*``
headers, ``content-type: application/protobuf``, the payload as the record value,
the aggregate id as the record key. The W3C ``traceparent`` travels as its own
header beside them, as OpenTelemetry's Kafka propagation expects.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from types import ModuleType
from typing import Iterable

from cloudevents.v1.http import CloudEvent
from cloudevents.v1.kafka import KafkaMessage, from_binary, to_binary
from google.protobuf.message import DecodeError, Message

CONTENT_TYPE = "application/protobuf"
SPEC_VERSION = "1.0"
TYPE_PREFIX = "no."
TRACEPARENT = "traceparent"

_PACKAGE_RE = re.compile(r"^brobygger\.(?P<service>[a-z]+)\.(?P<version>v\d+)$")


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@dataclass(frozen=True)
class FactType:
    """One kind of fact, derived from its protobuf message class."""

    message: type[Message]
    service: str
    type: str
    dataschema: str

    def topic(self, org: str) -> str:
        """Where this fact is published at a node, e.g. 'mir.membership'."""
        return topic(org, self.service)

    def parse(self, data: bytes) -> Message:
        """The payload as this fact's message; UnusableFact when it is not one."""
        try:
            return self.message.FromString(data)
        except DecodeError:
            raise UnusableFact(f"{self.type} whose payload is not a {self.message.DESCRIPTOR.full_name}") from None


class UnusableFact(ValueError):
    """A record that cannot be taken as the fact it claims to be. Consumers dead-letter it."""


def topic(org: str, service: str) -> str:
    """The topic of a service's facts at a node: '{org}.{service}'."""
    return f"{org}.{service}"


@functools.cache
def fact_type(message: type[Message]) -> FactType:
    """The FactType of a message class from a ``*_facts.proto``."""
    descriptor = message.DESCRIPTOR
    package = descriptor.file.package
    match = _PACKAGE_RE.match(package)
    if match is None or not descriptor.file.name.endswith("_facts.proto"):
        raise ValueError(f"{descriptor.full_name} is not a fact: facts live in brobygger/<service>/v1/*_facts.proto")
    service, version = match["service"], match["version"]
    return FactType(
        message=message,
        service=service,
        type=f"{TYPE_PREFIX}brobygger.{service}.{_snake(descriptor.name)}.{version}",
        dataschema=f"proto:{descriptor.full_name}",
    )


def of(message: Message) -> FactType:
    """The FactType of a fact instance."""
    return fact_type(type(message))


class Catalogue:
    """The facts a consumer understands, looked up by CloudEvents type."""

    def __init__(self, messages: Iterable[type[Message]]) -> None:
        self._by_type = {ft.type: ft for ft in map(fact_type, messages)}

    @classmethod
    def of_modules(cls, *modules: ModuleType) -> "Catalogue":
        """Every message of generated ``*_facts_pb2`` modules."""
        return cls(getattr(m, name) for m in modules for name in m.DESCRIPTOR.message_types_by_name)

    def get(self, ce_type: str) -> FactType | None:
        return self._by_type.get(ce_type)

    def services(self) -> list[str]:
        return sorted({ft.service for ft in self._by_type.values()})

    def topics(self, org: str) -> list[str]:
        """The topics to subscribe to at a node to receive every fact in the catalogue."""
        return [topic(org, s) for s in self.services()]

    def __contains__(self, ce_type: str) -> bool:
        return ce_type in self._by_type


# ---------------------------------------------------------------------------- the Kafka binding


@dataclass(frozen=True)
class Envelope:
    """A fact as it travels: CloudEvents attributes, the record key, the payload and the trace."""

    id: str
    source: str
    type: str
    time: str
    dataschema: str
    key: str
    data: bytes
    traceparent: str = ""

    def to_record(self) -> tuple[bytes, bytes, list[tuple[str, bytes]]]:
        """(key, value, headers) for a Kafka producer, in CloudEvents binary content mode."""
        event = CloudEvent({
            "id": self.id, "source": self.source, "type": self.type, "specversion": SPEC_VERSION,
            "time": self.time, "dataschema": self.dataschema, "datacontenttype": CONTENT_TYPE,
        }, self.data)
        message = to_binary(event, data_marshaller=lambda data: data, key_mapper=lambda _event: self.key)
        headers = list(message.headers.items())
        if self.traceparent:
            headers.append((TRACEPARENT, self.traceparent.encode()))
        return self.key.encode(), message.value, headers

    @classmethod
    def from_record(cls, key: bytes | None, value: bytes | None, headers) -> "Envelope":
        """Read a Kafka record; ValueError when it is not a binary-mode CloudEvent 1.0."""
        raw = {k: (v if isinstance(v, (bytes, bytearray)) else str(v).encode()) for k, v in (headers or [])}
        try:
            event = from_binary(KafkaMessage(raw, key, value or b""), data_unmarshaller=lambda data: data)
        except Exception as exc:  # the SDK raises its own error types for missing or malformed attributes
            raise ValueError(f"not a binary-mode CloudEvent: {type(exc).__name__}") from None
        if event["specversion"] != SPEC_VERSION:
            raise ValueError(f"unsupported CloudEvents specversion {event['specversion']!r}")
        return cls(
            id=event["id"], source=event["source"], type=event["type"], time=event.get("time") or "",
            dataschema=event.get("dataschema") or "", key=(key or b"").decode(), data=bytes(event.get_data() or b""),
            traceparent=raw.get(TRACEPARENT, b"").decode(),
        )
