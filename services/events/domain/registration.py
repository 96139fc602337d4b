"""Registration for an activity's places, with a waiting list. Plain Python, no I/O.

A registration names a person (by their pseudonymous id, as attendance does) and a scope: one session of an
activity, or the whole activity as a course (session_id ""), whose registration covers all its sessions. The
scope's capacity is the activity's capacity (0: no limit, nobody waits).

States, as CiviEvent has them:

- PENDING: a place held until the coordinator confirms it (e.g. a parent's answer is awaited);
- REGISTERED: has a place;
- WAITLISTED: waits, in the order of registration (``seq``), for a place to free up;
- ATTENDED / NO_SHOW: after a session, whether the person registered for it came;
- CANCELLED: gave the place (or the place in the queue) up.

PENDING, REGISTERED, ATTENDED and NO_SHOW take a place. When one is cancelled, the first waitlisted are
promoted, in order, until the places are taken again (:func:`promotions`); the service runs this with the
scope locked, so that two cancellations at once promote two people, each once.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Iterable, Sequence

from services.common.errors import AlreadyExists, FailedPrecondition
from services.common.vocabulary import WireEnum


class RegistrationState(WireEnum):
    PENDING = 1
    REGISTERED = 2
    WAITLISTED = 3
    ATTENDED = 4
    NO_SHOW = 5
    CANCELLED = 6


# The states that take one of the scope's places.
HOLDS_PLACE = frozenset({RegistrationState.PENDING, RegistrationState.REGISTERED, RegistrationState.ATTENDED,
                         RegistrationState.NO_SHOW})
# The states that may still be cancelled: after a session, attended and no-show are what happened.
CANCELLABLE = frozenset({RegistrationState.PENDING, RegistrationState.REGISTERED, RegistrationState.WAITLISTED})
# A person is registered at most once per scope among the registrations that are not cancelled.
ACTIVE = frozenset(set(RegistrationState) - {RegistrationState.CANCELLED})


@dataclass
class Registration:
    id: str
    activity_id: str
    person_id: str
    state: int
    # "" for a course registration (all the activity's sessions).
    session_id: str = ""
    # Order of registration within the scope: the waiting list is served lowest first.
    seq: int = 0
    # The household the person was registered with, "" when registered alone.
    household_id: str = ""
    create_time: dt.datetime | None = None
    update_time: dt.datetime | None = None
    # When the person was moved from the waiting list to a place; unset otherwise.
    promote_time: dt.datetime | None = None

    @property
    def holds_place(self) -> bool:
        return self.state in HOLDS_PLACE

    @property
    def waiting(self) -> bool:
        return self.state == RegistrationState.WAITLISTED

    @property
    def course(self) -> bool:
        return not self.session_id


def taken(registrations: Iterable[Registration]) -> int:
    """How many of the scope's places are taken."""
    return sum(1 for r in registrations if r.holds_place)


def waiting_list(registrations: Iterable[Registration]) -> list[Registration]:
    """Who waits, first in line first."""
    return sorted((r for r in registrations if r.waiting), key=lambda r: (r.seq, r.id))


def has_room(capacity: int, taken_places: int) -> bool:
    return capacity <= 0 or taken_places < capacity


def admission(registrations: Sequence[Registration], capacity: int, *, hold: bool = False) -> RegistrationState:
    """The state a new registration gets: a place (PENDING when held for confirmation) while there is room and
    nobody waits before it, otherwise the waiting list."""
    if has_room(capacity, taken(registrations)) and not waiting_list(registrations):
        return RegistrationState.PENDING if hold else RegistrationState.REGISTERED
    return RegistrationState.WAITLISTED


def next_seq(registrations: Iterable[Registration]) -> int:
    return max((r.seq for r in registrations), default=0) + 1


def check_not_registered(registrations: Iterable[Registration], person_id: str, scope: str) -> None:
    for r in registrations:
        if r.person_id == person_id and r.state in ACTIVE:
            raise AlreadyExists(f"The person is already {RegistrationState(r.state).name.lower().replace('_', '-')} "
                                f"for {scope}; cancel that registration first to register again.",
                                reason="ALREADY_REGISTERED")


def check_can_cancel(r: Registration, resource: str) -> None:
    if r.state not in CANCELLABLE and r.state != RegistrationState.CANCELLED:
        raise FailedPrecondition(
            f"Registration {resource} is {RegistrationState(r.state).name.lower().replace('_', '-')}: what happened "
            "at the session is kept; correct the roster instead.", reason="REGISTRATION_CLOSED")


def check_can_confirm(r: Registration, resource: str) -> None:
    if r.state != RegistrationState.PENDING:
        raise FailedPrecondition(f"Registration {resource} is not pending; only a held place is confirmed.",
                                 reason="REGISTRATION_NOT_PENDING")


def cancelled(r: Registration, now: dt.datetime) -> Registration:
    return dataclasses.replace(r, state=RegistrationState.CANCELLED, update_time=now)


def promotions(registrations: Sequence[Registration], capacity: int, now: dt.datetime) -> list[Registration]:
    """The waitlisted who get the places now free, first in line first, as registered (and promoted now)."""
    free = len(registrations) if capacity <= 0 else capacity - taken(registrations)
    if free <= 0:
        return []
    return [dataclasses.replace(r, state=RegistrationState.REGISTERED, update_time=now, promote_time=now)
            for r in waiting_list(registrations)[:free]]


def after_session(r: Registration, attended: bool, now: dt.datetime) -> Registration | None:
    """A session's registration once the session is over: attended or no-show. None when nothing changes (a
    waitlisted or cancelled registration, or one already marked)."""
    if r.state not in (RegistrationState.PENDING, RegistrationState.REGISTERED, RegistrationState.ATTENDED,
                       RegistrationState.NO_SHOW):
        return None
    state = RegistrationState.ATTENDED if attended else RegistrationState.NO_SHOW
    if r.state == state:
        return None
    return dataclasses.replace(r, state=state, update_time=now)
