"""Funders, grants and projects: who pays for the activities. Plain Python, no I/O.

A funder (IMDi, Bydel Bjerke, Gjensidigestiftelsen) gives grants; a grant has an amount in whole kroner, a
period, a purpose and the reporting duties it brings; a project is paid for by one or more grants and holds
activities, and an activity may belong to several projects. Activity.funder, the free text activities had
before, is kept as it was written and is no longer what figures per funder are made from: the projects are.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from services.common.errors import Violations
from services.common.text import check_text

MAX_NAME = 200
MAX_TEXT = 2000
MAX_REFERENCE = 100
MAX_AMOUNT_NOK = 100_000_000
MAX_DUTIES = 20
MAX_DUTY = 200
MAX_GRANTS = 20
FIRST_YEAR = 2000
LAST_YEAR = 2100

# What the Update methods may change (their update_mask paths).
FUNDER_UPDATABLE = ("display_name", "description")
GRANT_UPDATABLE = ("title", "reference", "amount_nok", "start_date", "end_date", "purpose", "reporting_duties")
PROJECT_UPDATABLE = ("title", "description", "grant_ids")


@dataclass
class Funder:
    id: str
    display_name: str
    description: str = ""
    create_time: dt.datetime | None = None
    update_time: dt.datetime | None = None


@dataclass
class Grant:
    id: str
    funder_id: str
    title: str
    amount_nok: int
    start_date: str
    end_date: str
    reference: str = ""
    purpose: str = ""
    reporting_duties: tuple[str, ...] = ()
    create_time: dt.datetime | None = None
    update_time: dt.datetime | None = None


@dataclass
class Project:
    id: str
    title: str
    grant_ids: tuple[str, ...] = ()
    description: str = ""
    # In the order they were linked.
    activity_ids: tuple[str, ...] = ()
    create_time: dt.datetime | None = None
    update_time: dt.datetime | None = None


def _day(value: str) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return None
    return day if len(value) == 10 and FIRST_YEAR <= day.year <= LAST_YEAR else None


def _line(v: Violations, value: str, path: str, most: int, *, required: bool = False,
          example: str = "") -> None:
    if required and not value:
        v.add(path, f"is required{': e.g. ' + example if example else ''}")
    v.check(len(value) <= most, path, f"at most {most} characters")
    check_text(v, value, path)


def validate_funder(f: Funder, prefix: str = "funder") -> None:
    v = Violations()
    _line(v, f.display_name, f"{prefix}.display_name", MAX_NAME, required=True, example="Bydel Bjerke")
    v.check(len(f.description) <= MAX_TEXT, f"{prefix}.description", f"at most {MAX_TEXT} characters")
    check_text(v, f.description, f"{prefix}.description", line_breaks=True)
    v.raise_if_any("funder")


def validate_grant(g: Grant, prefix: str = "grant") -> None:
    """A funder, a title, 0..100,000,000 kroner, a period of real days with its end not before its start, and
    at most 20 reporting duties of one line each."""
    v = Violations()
    v.check(bool(g.funder_id), f"{prefix}.funder", "is required: organizations/{org}/funders/{funder}")
    _line(v, g.title, f"{prefix}.title", MAX_NAME, required=True, example="Driftstilskudd 2026")
    _line(v, g.reference, f"{prefix}.reference", MAX_REFERENCE)
    v.check(0 <= g.amount_nok <= MAX_AMOUNT_NOK, f"{prefix}.amount_nok",
            f"must be whole kroner from 0 to {MAX_AMOUNT_NOK:,}".replace(",", " "))
    start, end = _day(g.start_date), _day(g.end_date)
    hint = f"must be a date like 2026-01-01 from {FIRST_YEAR} to {LAST_YEAR}"
    v.check(start is not None, f"{prefix}.start_date", hint)
    v.check(end is not None, f"{prefix}.end_date", hint)
    if start is not None and end is not None:
        v.check(start <= end, f"{prefix}.end_date", "must not be before start_date")
    v.check(len(g.purpose) <= MAX_TEXT, f"{prefix}.purpose", f"at most {MAX_TEXT} characters")
    check_text(v, g.purpose, f"{prefix}.purpose", line_breaks=True)
    v.check(len(g.reporting_duties) <= MAX_DUTIES, f"{prefix}.reporting_duties", f"at most {MAX_DUTIES} duties")
    for i, duty in enumerate(g.reporting_duties):
        _line(v, duty, f"{prefix}.reporting_duties[{i}]", MAX_DUTY, required=True,
              example="sluttrapport innen 1. mars")
    v.raise_if_any("grant")


def validate_project(p: Project, prefix: str = "project") -> None:
    v = Violations()
    _line(v, p.title, f"{prefix}.title", MAX_NAME, required=True, example="Leksehjelp Linderud")
    v.check(len(p.description) <= MAX_TEXT, f"{prefix}.description", f"at most {MAX_TEXT} characters")
    check_text(v, p.description, f"{prefix}.description", line_breaks=True)
    v.check(1 <= len(p.grant_ids) <= MAX_GRANTS, f"{prefix}.grants",
            f"name 1 to {MAX_GRANTS} grants that pay for the project, organizations/{{org}}/grants/{{grant}}")
    v.check(len(set(p.grant_ids)) == len(p.grant_ids), f"{prefix}.grants", "name each grant once")
    v.raise_if_any("project")


def clean_duties(lines) -> tuple[str, ...]:
    """Reporting duties as given, each stripped, blank ones left out."""
    return tuple(d.strip() for d in lines if d.strip())


def patched(current, patch, paths: tuple[str, ...], now: dt.datetime):
    """current with the masked fields of patch, and the paths that changed (update_time set when any did)."""
    changed = tuple(p for p in paths if getattr(current, p) != getattr(patch, p))
    if not changed:
        return current, ()
    return dataclasses.replace(current, **{p: getattr(patch, p) for p in changed}, update_time=now), changed


def linked(project: Project, activity_id: str) -> tuple[Project, bool]:
    """The project with the activity added at the end, and whether that changed anything."""
    if activity_id in project.activity_ids:
        return project, False
    return dataclasses.replace(project, activity_ids=(*project.activity_ids, activity_id)), True


def unlinked(project: Project, activity_id: str) -> tuple[Project, bool]:
    if activity_id not in project.activity_ids:
        return project, False
    return dataclasses.replace(project, activity_ids=tuple(a for a in project.activity_ids if a != activity_id)), True
