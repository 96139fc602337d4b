"""Registration use cases: the commands and their handlers (command, unit of work[, membership]).

Every change to a scope's places runs with the scope locked (uow.registrations.lock_scope) and reads the
registrations after taking the lock, so that a cancellation promotes the first waitlisted exactly once even
when another cancellation runs at the same time. Facts carry ids and states, never names.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from brobygger.events.v1 import registration_facts_pb2 as rfacts
from services.common.audit import acting_user, check_purpose
from services.common.errors import FailedPrecondition, FieldViolation, NotFound
from services.common.names import new_id
from services.common.pagination import PageToken, page_size
from services.common.timestamps import today, utcnow
from services.common.unit_of_work import Actor, check_request_id, request_key, run_once
from services.events.adapters.membership_client import MembershipDirectory
from services.events.domain.model import Activity, check_open
from services.events.domain.registration import (
    ACTIVE, Registration, RegistrationState, admission, after_session, cancelled, check_can_cancel,
    check_can_confirm, check_not_registered, next_seq, promotions, taken, waiting_list,
)
from services.events.service_layer.handlers import _activity, _session
from services.events.service_layer.unit_of_work import EventsUnitOfWork

REGISTRATIONS_PAGE = PageToken((int,))
ACTION_REGISTRATIONS_LIST = "registration.list"


# ---------------------------------------------------------------------------- commands


@dataclass(frozen=True)
class Scope:
    """What a registration is for: a session of the activity, or the activity as a course (session_id "")."""

    activity_id: str
    session_id: str
    resource: str  # the activity's or the session's name

    @property
    def activity_resource(self) -> str:
        return self.resource.rsplit("/sessions/", 1)[0]


@dataclass(frozen=True)
class CreateRegistration:
    scope: Scope
    person_id: str
    hold: bool = False
    actor: Actor | None = None
    request_id: str = ""


@dataclass(frozen=True)
class RegisterHousehold:
    scope: Scope
    household_id: str
    purpose: str
    actor: Actor | None = None
    request_id: str = ""


@dataclass(frozen=True)
class ListRegistrations:
    scope: Scope
    purpose: str
    page_size: int = 0
    page_token: str = ""
    show_cancelled: bool = False
    actor: Actor | None = None


@dataclass(frozen=True)
class ChangeRegistration:
    """Cancel or confirm one registration."""

    activity_id: str
    registration_id: str
    resource: str  # the registration's name
    actor: Actor | None = None
    request_id: str = ""


@dataclass(frozen=True)
class MarkNoShows:
    activity_id: str
    session_id: str
    resource: str  # the session's name
    actor: Actor | None = None
    request_id: str = ""


@dataclass(frozen=True)
class HouseholdResult:
    person_id: str
    registration: Registration
    already_registered: bool


@dataclass(frozen=True)
class Listing:
    registrations: list[Registration]
    next_page_token: str
    capacity: int
    taken: int
    # registration id -> place on the waiting list (1 for the first)
    positions: dict[str, int]


@dataclass(frozen=True)
class Marked:
    registrations: list[Registration]
    attended: int
    no_show: int


# ---------------------------------------------------------------------------- helpers


def _fact(r: Registration, previous: int, *, promoted: bool = False, date: str = "") -> rfacts.RegistrationChanged:
    return rfacts.RegistrationChanged(registration_id=r.id, activity_id=r.activity_id, session_id=r.session_id,
                                      person_id=r.person_id, state=r.state, previous_state=previous,
                                      promoted=promoted, date=date)


def _open_scope(uow: EventsUnitOfWork, scope: Scope) -> Activity:
    """The scope's activity, with the scope locked; a session that is cancelled takes no registration."""
    activity = _activity(uow, scope.activity_id, scope.activity_resource)
    if scope.session_id:
        session = _session(uow, _SessionRef(scope.activity_id, scope.session_id, scope.resource))
        check_open(session, scope.resource)
    uow.registrations.lock_scope(scope.activity_id, scope.session_id)
    return activity


@dataclass(frozen=True)
class _SessionRef:
    activity_id: str
    session_id: str
    resource: str


def _registration(uow: EventsUnitOfWork, activity_id: str, registration_id: str, resource: str) -> Registration:
    r = uow.registrations.get(registration_id)
    if r is None or r.activity_id != activity_id:
        raise NotFound(f"There is no registration {resource}; list the activity's registrations to find it.",
                       reason="REGISTRATION_NOT_FOUND")
    return r


def _admit(uow: EventsUnitOfWork, scope: Scope, capacity: int, person_id: str, *, hold: bool = False,
           household_id: str = "") -> Registration:
    rows = uow.registrations.scope(scope.activity_id, scope.session_id)
    check_not_registered(rows, person_id, scope.resource)
    rows = _promote(uow, rows, capacity)  # places added to the activity since: to those waiting first
    r = Registration(id=new_id(), activity_id=scope.activity_id, session_id=scope.session_id, person_id=person_id,
                     state=admission(rows, capacity, hold=hold), seq=next_seq(rows), household_id=household_id,
                     create_time=utcnow())
    uow.registrations.add(r)
    uow.facts.add(_fact(r, 0), key=r.activity_id)  # new: no state before
    return r


def _promote(uow: EventsUnitOfWork, rows: list[Registration], capacity: int) -> list[Registration]:
    """The first waitlisted moved into the scope's free places (told as promoted); the scope's rows as now."""
    moved = {p.id: p for p in promotions(rows, capacity, utcnow())}
    for p in moved.values():
        uow.registrations.update(p)
        uow.facts.add(_fact(p, RegistrationState.WAITLISTED, promoted=True), key=p.activity_id)
    return [moved.get(r.id, r) for r in rows]


def _check_person(person_id: str, actor: Actor | None, membership: MembershipDirectory) -> None:
    if membership.profile(person_id, on_behalf_of=acting_user(actor)) is None:
        raise NotFound(
            "registration.person names no person at this node; register the person in membership first.",
            reason="PERSON_NOT_FOUND",
            violations=[FieldViolation("registration.person", "no such person in this organisation's membership")])


# ---------------------------------------------------------------------------- handlers


def create_registration(cmd: CreateRegistration, uow: EventsUnitOfWork, membership: MembershipDirectory
                        ) -> Registration:
    """A place while there is one and nobody waits before, otherwise the waiting list."""
    check_request_id(cmd.request_id)

    def work() -> Registration:
        activity = _open_scope(uow, cmd.scope)
        return _admit(uow, cmd.scope, activity.capacity, cmd.person_id, hold=cmd.hold)

    with uow:  # the scope must exist before membership is asked; a retry is answered without asking
        _activity(uow, cmd.scope.activity_id, cmd.scope.activity_resource)
        first = uow.requests.find(request_key("CreateRegistration", cmd.actor, cmd.request_id)) \
            if cmd.request_id else None
    if first is None:
        _check_person(cmd.person_id, cmd.actor, membership)
    return run_once(uow, method="CreateRegistration", actor=cmd.actor, request_id=cmd.request_id, work=work,
                    identify=lambda r: r.id, load=lambda rid: uow.registrations.get(rid))


def register_household(cmd: RegisterHousehold, uow: EventsUnitOfWork, membership: MembershipDirectory
                       ) -> list[HouseholdResult]:
    """Every member of the household, in the household's order, in one transaction: each gets a place or the
    waiting list, or is reported as registered already."""
    purpose = check_purpose(cmd.purpose, "this household's members", "registration for swimming")
    check_request_id(cmd.request_id)
    with uow:
        _activity(uow, cmd.scope.activity_id, cmd.scope.activity_resource)
    members = membership.household_members(cmd.household_id, purpose=purpose, on_behalf_of=acting_user(cmd.actor))
    if members is None:
        raise NotFound("household names no household at this node; find it among the person's households.",
                       reason="HOUSEHOLD_NOT_FOUND",
                       violations=[FieldViolation("household", "no such household in this organisation")])
    if not members:
        raise FailedPrecondition("The household has no members; add its members in membership first.",
                                 reason="HOUSEHOLD_EMPTY")

    def current(rows: list[Registration], person_id: str) -> Registration | None:
        return next((r for r in rows if r.person_id == person_id and r.state in ACTIVE), None)

    def work() -> list[HouseholdResult]:
        activity = _open_scope(uow, cmd.scope)
        results = []
        for person_id in members:
            had = current(uow.registrations.scope(cmd.scope.activity_id, cmd.scope.session_id), person_id)
            if had is not None:
                results.append(HouseholdResult(person_id, had, True))
                continue
            r = _admit(uow, cmd.scope, activity.capacity, person_id, household_id=cmd.household_id)
            results.append(HouseholdResult(person_id, r, False))
        return results

    def load(_household: str) -> list[HouseholdResult]:  # a retry: the members' registrations as they are now
        rows = uow.registrations.scope(cmd.scope.activity_id, cmd.scope.session_id)
        return [HouseholdResult(p, r, r.household_id != cmd.household_id)
                for p in members if (r := current(rows, p)) is not None]

    return run_once(uow, method="RegisterHousehold", actor=cmd.actor, request_id=cmd.request_id, work=work,
                    identify=lambda _results: cmd.household_id, load=load)


def list_registrations(cmd: ListRegistrations, uow: EventsUnitOfWork) -> Listing:
    """The scope's registrations in the order they registered, with places taken and the waiting list's order;
    audited (registrations name people)."""
    purpose = check_purpose(cmd.purpose, "these registrations", "registration at the door")
    size = page_size(cmd.page_size)
    s = cmd.scope
    filters = {"activity": s.activity_id, "session": s.session_id, "cancelled": cmd.show_cancelled}
    after = REGISTRATIONS_PAGE.decode(cmd.page_token, **filters)
    with uow:
        activity = _activity(uow, s.activity_id, s.activity_resource)
        if s.session_id:
            _session(uow, _SessionRef(s.activity_id, s.session_id, s.resource))
        page = uow.registrations.page(s.activity_id, s.session_id, after, size, show_cancelled=cmd.show_cancelled)
        rows = uow.registrations.scope(s.activity_id, s.session_id)
        uow.audit.record(cmd.actor, ACTION_REGISTRATIONS_LIST, f"{s.resource}/registrations", purpose)
        uow.commit()
    positions = {r.id: i for i, r in enumerate(waiting_list(rows), start=1)}
    return Listing(page.items, REGISTRATIONS_PAGE.encode(page.next_key, **filters), activity.capacity, taken(rows),
                   positions)


def waitlist_positions(uow: EventsUnitOfWork, activity_id: str, session_id: str) -> dict[str, int]:
    """Registration id -> place on the scope's waiting list now (1 for the first)."""
    with uow:
        rows = uow.registrations.scope(activity_id, session_id)
    return {r.id: i for i, r in enumerate(waiting_list(rows), start=1)}


def cancel_registration(cmd: ChangeRegistration, uow: EventsUnitOfWork) -> tuple[Registration, list[Registration]]:
    """The registration cancelled and the first waitlisted promoted into the places now free. Cancelling again:
    unchanged, nobody promoted."""
    check_request_id(cmd.request_id)

    def work() -> tuple[Registration, list[Registration]]:
        found = _registration(uow, cmd.activity_id, cmd.registration_id, cmd.resource)
        uow.registrations.lock_scope(found.activity_id, found.session_id)
        r = uow.registrations.get(found.id)  # as it is now that the scope is ours
        if r.state == RegistrationState.CANCELLED:
            return r, []
        check_can_cancel(r, cmd.resource)
        now = utcnow()
        gone = cancelled(r, now)
        uow.registrations.update(gone)
        uow.facts.add(_fact(gone, r.state), key=r.activity_id)
        activity = _activity(uow, r.activity_id, cmd.resource.rsplit("/registrations/", 1)[0])
        before = uow.registrations.scope(r.activity_id, r.session_id)
        after = _promote(uow, before, activity.capacity)
        return gone, [a for b, a in zip(before, after) if a is not b]

    return run_once(uow, method="CancelRegistration", actor=cmd.actor, request_id=cmd.request_id, work=work,
                    identify=lambda result: result[0].id, load=lambda rid: (uow.registrations.get(rid), []))


def confirm_registration(cmd: ChangeRegistration, uow: EventsUnitOfWork) -> Registration:
    """A held place (PENDING) becomes REGISTERED; confirming a registered one returns it unchanged."""
    check_request_id(cmd.request_id)

    def work() -> Registration:
        r = _registration(uow, cmd.activity_id, cmd.registration_id, cmd.resource)
        if r.state == RegistrationState.REGISTERED:
            return r
        check_can_confirm(r, cmd.resource)
        confirmed = dataclasses.replace(r, state=RegistrationState.REGISTERED, update_time=utcnow())
        uow.registrations.update(confirmed)
        uow.facts.add(_fact(confirmed, r.state), key=r.activity_id)
        return confirmed

    return run_once(uow, method="ConfirmRegistration", actor=cmd.actor, request_id=cmd.request_id, work=work,
                    identify=lambda r: r.id, load=lambda rid: uow.registrations.get(rid))


def mark_no_shows(cmd: MarkNoShows, uow: EventsUnitOfWork) -> Marked:
    """After a session: its registrations with a place are attended when the person's attendance counts, no-show
    otherwise; course registrations are counted, not changed. Running it again changes (and tells) only what the
    roster's corrections changed meanwhile."""
    check_request_id(cmd.request_id)
    with uow:
        session = _session(uow, cmd)
        check_open(session, cmd.resource)
        if session.date > today().isoformat():
            raise FailedPrecondition(f"The session is on {session.date}: no-shows are marked after it.",
                                     reason="SESSION_NOT_OVER")
        uow.registrations.lock_scope(cmd.activity_id, cmd.session_id)
        came = {a.person_id for a in uow.attendances.counted(session.id) if a.person_id}
        now = utcnow()
        marked, attended, missing = [], 0, 0
        for r in uow.registrations.scope(cmd.activity_id, cmd.session_id):
            changed = after_session(r, r.person_id in came, now)
            if changed is not None:
                uow.registrations.update(changed)
                uow.facts.add(_fact(changed, r.state, date=session.date), key=r.activity_id)
                r = changed
            if r.state in (RegistrationState.ATTENDED, RegistrationState.NO_SHOW):
                marked.append(r)
        for r in marked + [c for c in uow.registrations.scope(cmd.activity_id, "") if c.holds_place]:
            if r.person_id in came:
                attended += 1
            else:
                missing += 1
        uow.commit()
    return Marked(marked, attended, missing)
