"""Volunteer hours use cases: the commands (what the caller asked) and their handlers (command, unit of work).

Hours name a person, so every read is audited with its purpose, as a roster is. The facts carry ids, the day
and the minutes: no name, no task text.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from brobygger.events.v1 import events_facts_pb2 as facts
from services.common.audit import acting_user, check_purpose, own_name
from services.common.errors import FieldViolation, NotFound
from services.common.names import new_id
from services.common.pagination import PageToken, page_size
from services.common.timestamps import today, utcnow
from services.common.unit_of_work import Actor, check_request_id, request_key, run_once
from services.events.adapters.membership_client import MembershipDirectory
from services.events.adapters.repository import HoursFilter
from services.events.domain.hours import (
    HOURS_UPDATABLE, HoursEntry, at_session, check_can_correct, corrected, validate_entry,
)
from services.events.domain.model import check_update_mask
from services.events.service_layer.handlers import _activity, _session
from services.events.service_layer.unit_of_work import EventsUnitOfWork

HOURS_PAGE = PageToken((str, dt.datetime, str))
ACTION_HOURS_READ = "hours.read"
ACTION_HOURS_LIST = "hours.list"


# ---------------------------------------------------------------------------- commands


@dataclass(frozen=True)
class LogVolunteerHours:
    """entry's activity_id, person_id, date, minutes, task; session_id when at a session."""

    entry: HoursEntry
    resource: str  # the activity's name
    session_resource: str = ""  # the session's name, when one is named
    actor: Actor | None = None
    request_id: str = ""


@dataclass(frozen=True)
class GetHoursEntry:
    activity_id: str
    entry_id: str
    resource: str  # the entry's name
    purpose: str
    actor: Actor | None = None


@dataclass(frozen=True)
class ListHoursEntries:
    """An activity's entries, a session's (session_id set), or every activity's (activity_id None)."""

    where: HoursFilter
    resource: str  # the parent's name
    purpose: str
    page_size: int = 0
    page_token: str = ""
    person_resource: str = ""  # the person filter as given, for the audit log
    actor: Actor | None = None


@dataclass(frozen=True)
class UpdateHoursEntry:
    activity_id: str
    entry_id: str
    resource: str  # the entry's name
    patch: HoursEntry
    update_mask: tuple[str, ...]
    actor: Actor | None = None
    request_id: str = ""


@dataclass(frozen=True)
class WithdrawHoursEntry:
    activity_id: str
    entry_id: str
    resource: str  # the entry's name
    actor: Actor | None = None
    request_id: str = ""


# ---------------------------------------------------------------------------- handlers


@dataclass(frozen=True)
class _SessionRef:
    activity_id: str
    session_id: str
    resource: str


def _entry(uow: EventsUnitOfWork, activity_id: str, entry_id: str, resource: str, *,
           for_update: bool = False) -> HoursEntry:
    entry = uow.hours.get(entry_id, for_update=for_update)
    if entry is None or entry.activity_id != activity_id:
        raise NotFound(f"There is no hours entry {resource}; list the activity's hours to find the right name.",
                       reason="HOURS_ENTRY_NOT_FOUND")
    return entry


def _logged_fact(e: HoursEntry) -> facts.VolunteerHoursLogged:
    return facts.VolunteerHoursLogged(entry_id=e.id, activity_id=e.activity_id, session_id=e.session_id,
                                      person_id=e.person_id, date=e.date, minutes=e.minutes, revision=e.revision)


def log_volunteer_hours(cmd: LogVolunteerHours, uow: EventsUnitOfWork, membership: MembershipDirectory
                        ) -> HoursEntry:
    """An entry for a person membership knows, on an activity or a session of it (then on its date)."""
    check_request_id(cmd.request_id)
    entry = cmd.entry
    if cmd.entry.session_id:  # the date comes from the session: read it before validating
        with uow:
            _activity(uow, entry.activity_id, cmd.resource)
            session = _session(uow, _SessionRef(entry.activity_id, entry.session_id, cmd.session_resource))
            entry = at_session(entry, session, cmd.session_resource)
    validate_entry(entry, today())

    def work() -> HoursEntry:
        _activity(uow, entry.activity_id, cmd.resource)
        if entry.session_id:
            session = _session(uow, _SessionRef(entry.activity_id, entry.session_id, cmd.session_resource))
            at_session(entry, session, cmd.session_resource)  # not cancelled or moved meanwhile
        logged = dataclasses.replace(entry, id=new_id(), create_time=utcnow(), revision=1, update_time=None,
                                     withdraw_time=None, logged_by=own_name(cmd.actor) if cmd.actor else "")
        uow.hours.add(logged)
        uow.facts.add(_logged_fact(logged), key=logged.activity_id)
        return logged

    # A retry gets the entry of the first try back, without asking membership again.
    with uow:
        first = uow.requests.find(_request_key(cmd)) if cmd.request_id else None
    if first is None:
        _check_person(entry.person_id, cmd.actor, membership)
    return run_once(uow, method="LogVolunteerHours", actor=cmd.actor, request_id=cmd.request_id, work=work,
                    identify=lambda e: e.id, load=lambda entry_id: uow.hours.get(entry_id))


def _request_key(cmd: LogVolunteerHours) -> str:
    return request_key("LogVolunteerHours", cmd.actor, cmd.request_id)


def _check_person(person_id: str, actor: Actor | None, membership: MembershipDirectory) -> None:
    """The volunteer must be a person of this node's membership. No transaction is open meanwhile."""
    if membership.profile(person_id, on_behalf_of=acting_user(actor)) is None:
        raise NotFound(
            "hours_entry.person names no person at this node; register the volunteer in membership first.",
            reason="PERSON_NOT_FOUND",
            violations=[FieldViolation("hours_entry.person", "no such person in this organisation's membership")],
        )


def get_hours_entry(cmd: GetHoursEntry, uow: EventsUnitOfWork) -> HoursEntry:
    purpose = check_purpose(cmd.purpose, "this hours entry", "volunteer hours report")
    with uow:
        entry = _entry(uow, cmd.activity_id, cmd.entry_id, cmd.resource)
        uow.audit.record(cmd.actor, ACTION_HOURS_READ, cmd.resource, purpose)
        uow.commit()
    return entry


def list_hours_entries(cmd: ListHoursEntries, uow: EventsUnitOfWork) -> tuple[list[HoursEntry], str, int]:
    """Entries newest date first, with the minutes of all that count; the read is audited (entries name
    people), one line naming the parent and the person filter."""
    purpose = check_purpose(cmd.purpose, "these volunteer hours", "volunteer hours report")
    size = page_size(cmd.page_size)
    w = cmd.where
    filters = {"activity": w.activity_id or "-", "session": w.session_id or "", "person": w.person_id or "",
               "withdrawn": w.show_withdrawn}
    after = HOURS_PAGE.decode(cmd.page_token, **filters)
    with uow:
        if w.activity_id is not None:
            _activity(uow, w.activity_id, cmd.resource)
        if w.session_id is not None:
            _session(uow, _SessionRef(w.activity_id or "", w.session_id, cmd.resource))
        page = uow.hours.page(w, after, size)
        total = uow.hours.total_minutes(w)
        resource = f"{cmd.resource}/hoursEntries"
        if cmd.person_resource:
            resource += f"?person={cmd.person_resource}"
        uow.audit.record(cmd.actor, ACTION_HOURS_LIST, resource, purpose)
        uow.commit()
    return page.items, HOURS_PAGE.encode(page.next_key, **filters), total


def update_hours_entry(cmd: UpdateHoursEntry, uow: EventsUnitOfWork) -> HoursEntry:
    """The masked fields corrected and validated as when logged; a fact (with the next revision) only when
    something changed."""
    paths = check_update_mask(cmd.update_mask, HOURS_UPDATABLE, "hours_entry")
    check_request_id(cmd.request_id)

    def work() -> HoursEntry:
        current = _entry(uow, cmd.activity_id, cmd.entry_id, cmd.resource, for_update=True)
        check_can_correct(current, cmd.resource)
        session = uow.sessions.get(current.session_id) if current.session_id else None
        updated, changed = corrected(current, cmd.patch, paths, session, utcnow())
        validate_entry(updated, today())
        if not changed:
            return current
        uow.hours.update(updated)
        uow.facts.add(facts.VolunteerHoursCorrected(
            entry_id=updated.id, activity_id=updated.activity_id, session_id=updated.session_id,
            person_id=updated.person_id, date=updated.date, minutes=updated.minutes, revision=updated.revision,
            changed_fields=changed), key=updated.activity_id)
        return updated

    return run_once(uow, method="UpdateHoursEntry", actor=cmd.actor, request_id=cmd.request_id, work=work,
                    identify=lambda e: e.id, load=lambda entry_id: uow.hours.get(entry_id))


def withdraw_hours_entry(cmd: WithdrawHoursEntry, uow: EventsUnitOfWork) -> HoursEntry:
    """An entry logged by mistake stops counting; it is kept for the record. Again: unchanged, no second fact."""
    check_request_id(cmd.request_id)

    def work() -> HoursEntry:
        entry = _entry(uow, cmd.activity_id, cmd.entry_id, cmd.resource, for_update=True)
        if entry.withdrawn:
            return entry
        withdrawn = dataclasses.replace(entry, withdraw_time=utcnow())
        uow.hours.update(withdrawn)
        uow.facts.add(facts.VolunteerHoursWithdrawn(entry_id=entry.id, activity_id=entry.activity_id,
                                                    date=entry.date), key=entry.activity_id)
        return withdrawn

    return run_once(uow, method="WithdrawHoursEntry", actor=cmd.actor, request_id=cmd.request_id, work=work,
                    identify=lambda e: e.id, load=lambda entry_id: uow.hours.get(entry_id))
