"""Erasure of a person from every service of the node (GDPR Art. 17), as a state machine.

An erasure starts IN_PROGRESS when a coordinator requests it: membership erases its own rows in the same
transaction, so its part is complete from the start. Each other service confirms its part once it has
erased the person (a PersonDataErased fact); when the last one has, the erasure is COMPLETED and it
forgets whom it erased. The log keeps the date, the requester's role, the reason and each service's
completion: never the person. A confirmation given twice, or after completion, changes nothing.

Plain Python, no I/O.
"""
from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field

from services.common.errors import FailedPrecondition, FieldViolation, InvalidArgument
from services.common.vocabulary import WireEnum

# Every service of a node, in the order the log lists them; membership first (it erases in the request).
SERVICES = ("membership", "events", "referral", "reporting")
REQUESTED_BY = "membership"


class ErasureReason(WireEnum):
    """The grounds of GDPR Art. 17(1), as ErasureReason on the wire."""

    NO_LONGER_NECESSARY = 1
    CONSENT_WITHDRAWN = 2
    OBJECTION = 3
    UNLAWFUL_PROCESSING = 4
    LEGAL_OBLIGATION = 5
    CHILD = 6


class ErasureState(enum.IntEnum):
    IN_PROGRESS = 1
    COMPLETED = 2


@dataclass
class Erasure:
    id: str
    reason: int
    requester_role: str
    create_time: dt.datetime
    person_id: str | None  # whom it erases, while IN_PROGRESS; None once COMPLETED
    state: ErasureState = ErasureState.IN_PROGRESS
    complete_time: dt.datetime | None = None
    # service -> when it confirmed (None: not yet)
    services: dict[str, dt.datetime | None] = field(default_factory=dict)

    @classmethod
    def start(cls, erasure_id: str, person_id: str, reason: int, requester_role: str, now: dt.datetime) -> "Erasure":
        e = cls(erasure_id, reason, requester_role, now, person_id,
                services={s: (now if s == REQUESTED_BY else None) for s in SERVICES})
        return e

    @property
    def pending(self) -> list[str]:
        return [s for s in SERVICES if self.services.get(s) is None]

    def confirm(self, service: str, now: dt.datetime) -> bool:
        """A service has erased its part; True when this changed the erasure. The last confirmation
        completes it and clears the person."""
        if service not in SERVICES:
            raise ValueError(f"{service!r} is not a service of the node")
        if self.services.get(service) is not None:
            return False
        self.services[service] = now
        if not self.pending:
            self.state = ErasureState.COMPLETED
            self.complete_time = now
            self.person_id = None
        return True


def check_request(reason: int, confirm: bool) -> ErasureReason:
    """The reason and the confirmation of a request; InvalidArgument naming each field that is wrong."""
    problems = []
    try:
        why = ErasureReason(reason)
    except ValueError:
        why = None
        problems.append(FieldViolation("reason", "is required: one of " + ", ".join(
            f"ERASURE_REASON_{r.name}" for r in ErasureReason)))
    if not confirm:
        problems.append(FieldViolation("confirm", "must be true: confirm that the person is erased from every "
                                                  "service of the node, for good"))
    if problems:
        raise InvalidArgument("The erasure request is incomplete: " + ", ".join(p.field for p in problems) +
                              ". See the field violations.", reason="INVALID_FIELDS", violations=problems)
    return why


def already_erasing(erasure_id: str, org: str) -> FailedPrecondition:
    return FailedPrecondition(
        "This person's erasure is already in progress; follow it at "
        f"organizations/{org}/erasures/{erasure_id}.",
        reason="ERASURE_IN_PROGRESS", metadata={"erasure": f"organizations/{org}/erasures/{erasure_id}"})


def check_resend(erasure: Erasure, org: str) -> list[str]:
    """The services a resend of the erasure's fact is for: those that have not confirmed. A completed
    erasure has none, and no longer knows whom it erased: FailedPrecondition ERASURE_COMPLETED."""
    if erasure.state is ErasureState.COMPLETED or not erasure.person_id or not erasure.pending:
        raise FailedPrecondition(
            f"The erasure organizations/{org}/erasures/{erasure.id} is completed: every service has erased the "
            "person, so there is nothing to send again.", reason="ERASURE_COMPLETED")
    return erasure.pending


def requester_role(roles) -> str:
    """The role the log names for who requested an erasure (never their name)."""
    for role in ("coordinator", "node-service"):
        if role in roles:
            return role
    return "unknown"
