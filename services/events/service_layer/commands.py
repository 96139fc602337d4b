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
    """One activity's sessions, or every activity's when activity_id is None (parent activities/-);
    optionally only those within inclusive ISO dates."""

    activity_id: str | None
    resource: str  # the parent's name
    page_size: int = 0
    page_token: str = ""
    start_date: str = ""
    end_date: str = ""


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



@dataclass(frozen=True)
class GetSession:
    activity_id: str
    session_id: str
    resource: str  # the session's name


@dataclass(frozen=True)
class UpdateActivity:
    """The fields update_mask names, taken from activity (the rest of it is ignored)."""

    activity_id: str
    resource: str  # the activity's name
    activity: Activity
    update_mask: tuple[str, ...]
    actor: Actor | None = None
    request_id: str = ""


@dataclass(frozen=True)
class UpdateSession:
    activity_id: str
    session_id: str
    resource: str  # the session's name
    session: Session
    update_mask: tuple[str, ...]
    actor: Actor | None = None
    request_id: str = ""


@dataclass(frozen=True)
class CancelSession:
    activity_id: str
    session_id: str
    resource: str  # the session's name
    reason: str
    actor: Actor | None = None
    request_id: str = ""


@dataclass(frozen=True)
class ListAttendances:
    """A session's roster; the read is audited with its purpose."""

    activity_id: str
    session_id: str
    resource: str  # the session's name
    purpose: str
    show_withdrawn: bool = False
    page_size: int = 0
    page_token: str = ""
    actor: Actor | None = None


@dataclass(frozen=True)
class WithdrawAttendance:
    activity_id: str
    session_id: str
    attendance_id: str
    resource: str  # the attendance's name
    actor: Actor | None = None
    request_id: str = ""


@dataclass(frozen=True)
class DecrementHeadCount:
    activity_id: str
    session_id: str
    resource: str  # the session's name
    gender: int
    age_band: int
    actor: Actor | None = None
    request_id: str = ""


@dataclass(frozen=True)
class GetSessionSummary:
    activity_id: str
    session_id: str
    resource: str  # the session's name
