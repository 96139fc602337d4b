"""What callers ask the events service to do: one small dataclass per use case."""
from __future__ import annotations

from dataclasses import dataclass

from services.common.unit_of_work import Actor
from services.events.domain.model import Activity, HeadCount, Session


@dataclass(frozen=True)
class CreateActivity:
    activity: Activity
    actor: Actor | None = None
    request_id: str = ""


@dataclass(frozen=True)
class GetActivity:
    activity_id: str
    resource: str  # the name the caller used, for messages


@dataclass(frozen=True)
class ListActivities:
    page_size: int = 0
    page_token: str = ""


@dataclass(frozen=True)
class CreateSession:
    session: Session
    resource: str  # the activity's name
    actor: Actor | None = None
    request_id: str = ""


@dataclass(frozen=True)
class ListSessions:
    activity_id: str
    resource: str  # the activity's name
    page_size: int = 0
    page_token: str = ""


@dataclass(frozen=True)
class RecordAttendance:
    """A named participant (person_id) or a head count at a session: exactly one of them."""

    activity_id: str
    session_id: str
    resource: str  # the session's name
    person_id: str | None = None
    head_count: HeadCount | None = None
    actor: Actor | None = None
    request_id: str = ""

    @property
    def activity_resource(self) -> str:
        return self.resource.rsplit("/sessions/", 1)[0]
