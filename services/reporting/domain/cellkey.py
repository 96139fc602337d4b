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

# An erased person's records keep their place in every count under a token instead of the person's id:
# "~" and the person's two record keys (as a member, as a participant) in hexadecimal. The token is what
# the cell keys of the figures already counted were made of, so no published figure changes; nothing in
# the node maps it to a person (the id is gone everywhere), and without the disclosure secret it cannot
# be computed even from the id. Tokens of two people differ, so each still counts once.
ERASED_PREFIX = "~"
TOKEN_KINDS = ("member", "person")


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
        if record_id.startswith(ERASED_PREFIX) and kind in TOKEN_KINDS:
            i = TOKEN_KINDS.index(kind)
            return int(record_id[1 + 16 * i:17 + 16 * i], 16)
        digest = hmac.new(self._secret, f"{kind}:{record_id}".encode(), hashlib.sha256).digest()
        return int.from_bytes(digest[:8], "big")

    def count(self, kind: str, record_ids: Iterable[str], weights: Iterable[int] | None = None) -> Count:
        """The Count of records (each counting weight times, default once; e.g. a head count of 9 people)."""
        ids = list(record_ids)
        values = list(weights) if weights is not None else [1] * len(ids)
        key = sum(self.record(kind, i) for i in ids) % MODULUS
        return Count(sum(values), key)

    def erased_token(self, person_id: str) -> str:
        """The token an erased person's records carry instead of their id (see ERASED_PREFIX)."""
        return ERASED_PREFIX + "".join(f"{self.record(kind, person_id):016x}" for kind in TOKEN_KINDS)
