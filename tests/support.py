"""Helpers every test tier shares: wait on a condition, never on a clock."""
from __future__ import annotations

import re
import time
from typing import Callable, TypeVar

T = TypeVar("T")


class NotYet(AssertionError):
    """Raised by a probe to say 'not yet'; eventually() keeps asking."""


def eventually(probe: Callable[[], T], *, timeout: float = 30.0, interval: float = 0.1,
               what: str = "the condition") -> T:
    """Call probe() until it returns a truthy value or stops raising AssertionError, and return that value.

    A probe may return a falsy value or raise AssertionError (or NotYet) to mean "not yet". After
    `timeout` seconds the last AssertionError is raised again, or a TimeoutError naming `what`.
    """
    deadline = time.monotonic() + timeout
    last: AssertionError | None = None
    while True:
        try:
            value = probe()
            if value:
                return value
            last = None
        except AssertionError as exc:
            last = exc
        if time.monotonic() >= deadline:
            if last is not None:
                raise last
            raise TimeoutError(f"{what} did not hold within {timeout:.0f} s")
        time.sleep(interval)


_HEX_ID = re.compile(rb"[0-9a-f]{16,}")


def without_ids(data: bytes) -> bytes:
    """data with every run of 16 or more lower-case hex digits (ids, trace ids) taken out: a check that a
    short value such as a postal code is absent must not trip over the same digits inside a random id."""
    return _HEX_ID.sub(b"", data)
