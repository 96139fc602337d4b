"""Time as the services use it: aware UTC datetimes, and protobuf Timestamps for the servicers."""
from __future__ import annotations

import datetime as dt

from google.protobuf.timestamp_pb2 import Timestamp


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def today() -> dt.date:
    return utcnow().date()


def timestamp(value: dt.datetime | None) -> Timestamp:
    """The Timestamp of an aware datetime; the empty Timestamp for None."""
    ts = Timestamp()
    if value is not None:
        ts.FromDatetime(value)
    return ts


def now_timestamp() -> Timestamp:
    return timestamp(utcnow())
