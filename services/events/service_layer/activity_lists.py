"""The node's lists of themes and target groups: adding an entry, listing a list, correcting a label."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from services.common.errors import AlreadyExists, FieldViolation, NotFound
from services.common.timestamps import utcnow
from services.common.unit_of_work import Actor, check_request_id, run_once
from services.events.domain.activity_lists import ListEntry, validate_entry
from services.events.domain.model import check_update_mask
from services.events.service_layer.unit_of_work import EventsUnitOfWork

WHAT = {"themes": ("theme", "THEME"), "target_groups": ("target_group", "TARGET_GROUP")}


@dataclass(frozen=True)
class AddEntry:
    entry: ListEntry
    actor: Actor | None = None
    request_id: str = ""


@dataclass(frozen=True)
class UpdateLabel:
    entry: ListEntry  # kind, code and the new label
    resource: str
    update_mask: tuple[str, ...]
    actor: Actor | None = None
    request_id: str = ""


def add_entry(cmd: AddEntry, uow: EventsUnitOfWork) -> ListEntry:
    one, upper = WHAT[cmd.entry.kind]
    validate_entry(cmd.entry, f"{one}_id", one)
    check_request_id(cmd.request_id)

    def work() -> ListEntry:
        made = dataclasses.replace(cmd.entry, create_time=utcnow())
        if not uow.lists.add(made):
            raise AlreadyExists(f"The list has the code {made.code!r} already: use it, or choose another code.",
                                reason=f"{upper}_ALREADY_EXISTS",
                                violations=[FieldViolation(f"{one}_id", "taken by an entry of the list")])
        return made

    return run_once(uow, method=f"Create{upper.title().replace('_', '')}", actor=cmd.actor,
                    request_id=cmd.request_id, work=work, identify=lambda e: e.code,
                    load=lambda code: uow.lists.get(cmd.entry.kind, code))


def list_entries(kind: str, uow: EventsUnitOfWork) -> list[ListEntry]:
    with uow:
        return uow.lists.entries(kind)


def update_label(cmd: UpdateLabel, uow: EventsUnitOfWork) -> ListEntry:
    one, upper = WHAT[cmd.entry.kind]
    check_update_mask(cmd.update_mask, ("label",), one)
    check_request_id(cmd.request_id)

    def work() -> ListEntry:
        current = uow.lists.get(cmd.entry.kind, cmd.entry.code)
        if current is None:
            raise NotFound(f"There is no {one.replace('_', ' ')} {cmd.resource}; list them to find its name.",
                           reason=f"{upper}_NOT_FOUND")
        updated = dataclasses.replace(current, label=cmd.entry.label)
        validate_entry(updated, f"{one}.name", one)
        if updated.label != current.label:
            uow.lists.update(updated)
        return updated

    return run_once(uow, method=f"Update{upper.title().replace('_', '')}", actor=cmd.actor,
                    request_id=cmd.request_id, work=work, identify=lambda e: e.code,
                    load=lambda code: uow.lists.get(cmd.entry.kind, code))
