"""Recurring sessions: preview, set (and regenerate), read and list an activity's recurrence."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from brobygger.events.v1 import events_facts_pb2 as facts
from services.common.errors import FailedPrecondition, NotFound
from services.common.names import new_id
from services.common.pagination import PageToken
from services.common.timestamps import today, utcnow
from services.common.unit_of_work import Actor, check_request_id, run_once
from services.events.domain.model import Activity, SessionState
from services.events.domain.recurrence import (
    MAX_OCCURRENCES, Held, Occurrence, Plan, Recurrence, brought_in_line, normalize_rule, plan, session_of, slots,
    validate_recurrence,
)
from services.events.service_layer.handlers import _activity
from services.events.service_layer.unit_of_work import EventsUnitOfWork

OCCURRENCES_PAGE = PageToken((int,))


@dataclass(frozen=True)
class PreviewRecurrence:
    recurrence: Recurrence
    resource: str  # the activity's name


@dataclass(frozen=True)
class Preview:
    dates: tuple[str, ...]
    plan: Plan


@dataclass(frozen=True)
class SetRecurrence:
    recurrence: Recurrence
    resource: str  # the activity's name
    actor: Actor | None = None
    request_id: str = ""


@dataclass(frozen=True)
class GetRecurrence:
    activity_id: str
    resource: str  # the activity's name


@dataclass(frozen=True)
class ListOccurrences:
    activity_id: str
    resource: str  # the activity's name
    page_size: int = 0
    page_token: str = ""


@dataclass(frozen=True)
class RecurrenceView:
    """A recurrence with how many of its sessions are scheduled now."""

    recurrence: Recurrence
    scheduled_count: int


def _clean(r: Recurrence) -> Recurrence:
    return dataclasses.replace(r, rule=normalize_rule(r.rule), start_date=r.start_date.strip(),
                               end_date=r.end_date.strip(), start_time=r.start_time.strip(),
                               location=r.location.strip(),
                               exception_dates=tuple(v.strip() for v in r.exception_dates if v.strip()))


def _plan(uow: EventsUnitOfWork, r: Recurrence, *, for_update: bool = False) -> tuple[Recurrence | None, Plan]:
    held = uow.recurrences.get(r.activity_id, for_update=for_update)
    return held, plan(slots(r), uow.recurrences.held(r.activity_id), today(), first=held is None)


def preview_recurrence(cmd: PreviewRecurrence, uow: EventsUnitOfWork) -> Preview:
    r = _clean(cmd.recurrence)
    validate_recurrence(r, today())
    with uow:
        _activity(uow, r.activity_id, cmd.resource)
        _held, what = _plan(uow, r)
    return Preview(tuple(s.date for s in slots(r)), what)


def _view(uow: EventsUnitOfWork, r: Recurrence) -> RecurrenceView:
    scheduled = sum(1 for h in uow.recurrences.held(r.activity_id)
                    if not h.occurrence.dropped and not h.session.cancelled)
    return RecurrenceView(r, scheduled)


def _create(uow: EventsUnitOfWork, activity: Activity, what: Plan, now) -> None:
    for slot in what.create:
        session = session_of(slot, new_id(), activity.id, now)
        uow.sessions.add(session)
        uow.recurrences.add_occurrence(Occurrence(session.id, activity.id, slot))
        uow.facts.add(facts.SessionScheduled(session_id=session.id, activity_id=activity.id, date=session.date,
                                             subgoal=activity.subgoal), key=activity.id)


def _update(uow: EventsUnitOfWork, what: Plan, now) -> None:
    for h, slot in what.update:
        session, changed = brought_in_line(h, slot, now)
        uow.recurrences.update_occurrence(dataclasses.replace(h.occurrence, slot=slot))
        if changed:
            uow.sessions.update(session)
            uow.facts.add(facts.SessionUpdated(
                session_id=session.id, activity_id=session.activity_id, date=session.date,
                previous_date=h.session.date, changed_fields=changed, start_time=session.start_time,
                previous_start_time=h.session.start_time), key=session.activity_id)


def _drop(uow: EventsUnitOfWork, what: Plan, now) -> None:
    for h in what.drop:
        s = h.session
        uow.sessions.update(dataclasses.replace(s, state=SessionState.CANCELLED, update_time=now,
                                                cancel_reason="No longer in the activity's schedule."))
        uow.recurrences.update_occurrence(dataclasses.replace(h.occurrence, dropped=True))
        uow.facts.add(facts.SessionCancelled(session_id=s.id, activity_id=s.activity_id, date=s.date,
                                             start_time=s.start_time, cause=facts.CANCEL_CAUSE_SCHEDULE_CHANGED),
                      key=s.activity_id)


def set_recurrence(cmd: SetRecurrence, uow: EventsUnitOfWork) -> RecurrenceView:
    """Set the rule and make its sessions; a change makes only untouched future sessions again (see plan)."""
    r = _clean(cmd.recurrence)
    validate_recurrence(r, today())
    check_request_id(cmd.request_id)

    def work() -> RecurrenceView:
        activity = _activity(uow, r.activity_id, cmd.resource)
        held, what = _plan(uow, r, for_update=True)
        now = utcnow()
        if held is None:
            saved = dataclasses.replace(r, revision=1, create_time=now, update_time=None)
            if not uow.recurrences.add(saved):
                raise FailedPrecondition("The activity's recurrence was set at the same moment by another request; "
                                         "reload it and try again.", reason="CONCURRENT_CHANGE")
        else:
            same = dataclasses.replace(r, revision=held.revision, create_time=held.create_time,
                                       update_time=held.update_time)
            if same == held:
                return _view(uow, held)
            saved = dataclasses.replace(r, revision=held.revision + 1, create_time=held.create_time,
                                        update_time=now)
            uow.recurrences.update(saved)
        _create(uow, activity, what, now)
        _update(uow, what, now)
        _drop(uow, what, now)
        return _view(uow, saved)

    def load(activity_id: str) -> RecurrenceView:
        return _view(uow, uow.recurrences.get(activity_id))

    return run_once(uow, method="SetRecurrence", actor=cmd.actor, request_id=cmd.request_id, work=work,
                    identify=lambda v: v.recurrence.activity_id, load=load)


def _recurrence(uow: EventsUnitOfWork, activity_id: str, resource: str) -> Recurrence:
    _activity(uow, activity_id, resource)
    r = uow.recurrences.get(activity_id)
    if r is None:
        raise NotFound(f"The activity {resource} has no recurrence; set one with SetRecurrence.",
                       reason="RECURRENCE_NOT_FOUND")
    return r


def get_recurrence(cmd: GetRecurrence, uow: EventsUnitOfWork) -> RecurrenceView:
    with uow:
        return _view(uow, _recurrence(uow, cmd.activity_id, cmd.resource))


def list_occurrences(cmd: ListOccurrences, uow: EventsUnitOfWork) -> tuple[list[Held], str]:
    """The recurrence's sessions in the order of the rule's dates, each with what the rule made of it."""
    size = min(cmd.page_size, MAX_OCCURRENCES) if cmd.page_size > 0 else MAX_OCCURRENCES
    after = OCCURRENCES_PAGE.decode(cmd.page_token, activity=cmd.activity_id)
    start = after[0] if after else 0
    with uow:
        _recurrence(uow, cmd.activity_id, cmd.resource)
        held = uow.recurrences.held(cmd.activity_id)
    page = held[start:start + size]
    more = start + size < len(held)
    return page, OCCURRENCES_PAGE.encode((start + size,) if more else None, activity=cmd.activity_id)


