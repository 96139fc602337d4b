"""CloudEvents 1.0 in Kafka binary content mode: attributes in `ce_*` headers,
the protobuf payload as the record value, the aggregate id as the record key,
W3C `traceparent` beside them."""
from __future__ import annotations

from dataclasses import dataclass

CONTENT_TYPE = "application/protobuf"
SPEC_VERSION = "1.0"


def dataschema_for(full_name: str) -> str:
    """The proto message a payload parses as, e.g. proto:brobygger.membership.v1.PersonRegistered."""
    return f"proto:{full_name}"


@dataclass(frozen=True)
class Envelope:
    id: str
    source: str
    type: str
    time: str
    dataschema: str
    key: str
    data: bytes
    traceparent: str = ""

    def headers(self) -> list[tuple[str, bytes]]:
        headers = [
            ("ce_specversion", SPEC_VERSION.encode()),
            ("ce_id", self.id.encode()),
            ("ce_source", self.source.encode()),
            ("ce_type", self.type.encode()),
            ("ce_time", self.time.encode()),
            ("ce_dataschema", self.dataschema.encode()),
            ("content-type", CONTENT_TYPE.encode()),
        ]
        if self.traceparent:
            headers.append(("traceparent", self.traceparent.encode()))
        return headers

    @classmethod
    def from_record(cls, key: bytes | None, value: bytes, headers: list[tuple[str, bytes]]) -> "Envelope":
        h = {k: (v.decode() if isinstance(v, (bytes, bytearray)) else str(v)) for k, v in (headers or [])}
        missing = [n for n in ("ce_id", "ce_source", "ce_type", "ce_specversion") if not h.get(n)]
        if missing:
            raise ValueError(f"not a binary-mode CloudEvent: missing headers {', '.join(missing)}")
        if h["ce_specversion"] != SPEC_VERSION:
            raise ValueError(f"unsupported CloudEvents specversion {h['ce_specversion']!r}")
        return cls(
            id=h["ce_id"],
            source=h["ce_source"],
            type=h["ce_type"],
            time=h.get("ce_time", ""),
            dataschema=h.get("ce_dataschema", ""),
            key=(key or b"").decode(),
            data=value or b"",
            traceparent=h.get("traceparent", ""),
        )
