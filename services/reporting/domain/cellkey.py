"""Cell keys: what makes a published figure's perturbation the same every time
the same records are counted (the cell-key method of the Australian Bureau of
Statistics' TableBuilder and Eurostat). Plain Python, no I/O.

Every record that can be counted (a person, a membership, a session, an
attendance, a referral) has a record key: 64 bits of HMAC-SHA256 of its id
under the node's disclosure secret (BROBYGGER_DISCLOSURE_SECRET), so nobody
without the secret can compute or predict it. A count's cell key is the sum of
the record keys of the records it counts, modulo 2**64: the same set of
records gives the same key whichever question counted them, and any other set
gives an unrelated one.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Iterable

MODULUS = 2 ** 64


@dataclass(frozen=True)
class Count:
    """How many records a figure counts (value), and the key of exactly those records."""

    value: int
    key: int = 0

    def __add__(self, other: "Count") -> "Count":
        return Count(self.value + other.value, (self.key + other.key) % MODULUS)

    @property
    def uniform(self) -> float:
        """The key as a number in [0, 1): uniform over sets of records, fixed for one set."""
        return self.key / MODULUS


ZERO = Count(0, 0)


class CellKeys:
    """Record keys under one node's secret."""

    def __init__(self, secret: str) -> None:
        if not secret:
            raise ValueError("a disclosure secret is needed to key the cells")
        self._secret = secret.encode()

    def record(self, kind: str, record_id: str) -> int:
        digest = hmac.new(self._secret, f"{kind}:{record_id}".encode(), hashlib.sha256).digest()
        return int.from_bytes(digest[:8], "big")

    def count(self, kind: str, record_ids: Iterable[str], weights: Iterable[int] | None = None) -> Count:
        """The Count of records (each counting weight times, default once; e.g. a head count of 9 people)."""
        ids = list(record_ids)
        values = list(weights) if weights is not None else [1] * len(ids)
        key = sum(self.record(kind, i) for i in ids) % MODULUS
        return Count(sum(values), key)
