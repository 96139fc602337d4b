"""Datetimes to google.protobuf.Timestamp, for the servicers."""
from __future__ import annotations

import datetime as dt

from google.protobuf.timestamp_pb2 import Timestamp


def timestamp(value: dt.datetime | None) -> Timestamp:
    """The Timestamp of an aware datetime; the empty Timestamp for None."""
    ts = Timestamp()
    if value is not None:
        ts.FromDatetime(value)
    return ts
