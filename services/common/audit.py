"""The audit log every service keeps: who read or changed which resource, when and why.

- :func:`identity` says how an actor is written down (the same for the SQL log and the fakes);
  when a node's own service acts on a user's behalf, the user is the actor and the client says
  which service account relayed the call.
- :func:`check_purpose` is the rule for the ``purpose`` of every read of a person or a case.
- :func:`list_entries` is the ListAuditEntries use case that every auditing service offers:
  its coordinators read the log, newest first, and that read is itself written to the log.

Plain Python: no generated code, no SQL (the unit of work's ``audit`` reads and writes the table).
"""
from __future__ import annotations

import datetime as dt
import urllib.parse
from dataclasses import dataclass
from typing import TYPE_CHECKING

from services.common.errors import FieldViolation, InvalidArgument
from services.common.pagination import PageToken, page_size
from services.common.text import is_plain

if TYPE_CHECKING:
    from services.common.unit_of_work import Actor, UnitOfWork

MAX_PURPOSE = 200
MAX_ACTOR = 200
MAX_RESOURCE = 300
UNKNOWN_ACTOR = "unknown"

ACTION_AUDIT_LIST = "audit.list"
AUDIT_REVIEW = "audit review"

# gRPC metadata a node's own service sends to name the user it acts for (percent-encoded UTF-8).
ON_BEHALF_OF_HEADER = "x-brobygger-on-behalf-of"


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log."""

    sequence: int
    at: dt.datetime
    actor: str
    client: str
    action: str
    resource: str
    purpose: str = ""
    trace_id: str = ""


# ---------------------------------------------------------------------------- who acted


def own_name(actor: "Actor") -> str:
    """The name an actor's own token gives it: the user name, or the subject when there is none."""
    return actor.username or actor.subject


def acting_user(actor: "Actor | None") -> str:
    """The user to name when a service of the node calls another on this actor's behalf: the user the
    actor itself acts for, else the actor when it is a user; '' when a service acts for itself."""
    if actor is None:
        return ""
    relayed = getattr(actor, "on_behalf_of", "")
    if relayed:
        return relayed
    return "" if getattr(actor, "is_service", False) else own_name(actor)


def identity(actor: "Actor | None") -> tuple[str, str]:
    """(actor, client) as the audit log writes them."""
    if actor is None:
        return UNKNOWN_ACTOR, ""
    relayed = getattr(actor, "on_behalf_of", "")
    if relayed:
        return relayed[:MAX_ACTOR], f"{own_name(actor)} on behalf of {relayed}"[:MAX_ACTOR]
    return own_name(actor)[:MAX_ACTOR], (actor.client_id or "")[:MAX_ACTOR]


def encode_on_behalf_of(user: str) -> str:
    """The metadata value naming user (gRPC metadata values are ASCII)."""
    return urllib.parse.quote(user, safe="-._~@+")


def decode_on_behalf_of(value: str) -> str:
    """The user a metadata value names; InvalidArgument when it names none."""
    try:
        user = urllib.parse.unquote(value, errors="strict").strip()
    except UnicodeDecodeError:
        user = ""
    if not user or len(user) > MAX_ACTOR or not is_plain(user):
        raise InvalidArgument(
            f"The call metadata {ON_BEHALF_OF_HEADER} must name the user the service acts for: their user "
            f"name, percent-encoded UTF-8, 1 to {MAX_ACTOR} characters.",
            reason="INVALID_ON_BEHALF_OF",
            violations=[FieldViolation(ON_BEHALF_OF_HEADER, f"a user name of 1 to {MAX_ACTOR} characters")],
        )
    return user


# ---------------------------------------------------------------------------- why


def check_purpose(purpose: str, what: str, example: str) -> str:
    """The purpose of a read of personal data, stripped; InvalidArgument naming the field when it is
    blank, longer than 200 characters, or holds a control, zero-width or direction-override character.

    what: what is read, e.g. "this person"; example: a purpose, e.g. "follow-up of homework help".
    """
    text = (purpose or "").strip()
    if not text:
        raise InvalidArgument(
            f"purpose is required: say why you read {what}, e.g. {example!r}. It is written to the audit "
            "log with who read it.",
            reason="PURPOSE_REQUIRED",
            violations=[FieldViolation("purpose", f"is required: say why you read {what}, e.g. {example!r}")],
        )
    if len(text) > MAX_PURPOSE or not is_plain(text):
        raise InvalidArgument(
            f"purpose must be one line of at most {MAX_PURPOSE} characters of plain text, e.g. {example!r}.",
            reason="INVALID_PURPOSE",
            violations=[FieldViolation("purpose", f"one line of at most {MAX_PURPOSE} characters, without "
                                                  "control, zero-width or direction-override characters")],
        )
    return text


# ---------------------------------------------------------------------------- reading the log

AUDIT_PAGE = PageToken((int,))


@dataclass(frozen=True)
class ListAuditEntries:
    """A coordinator reads the service's audit log, newest first; both filters optional and exact."""

    parent: str  # the name the caller used, organizations/{org}
    resource: str = ""  # only lines about this resource
    by_actor: str = ""  # only lines naming this actor
    page_size: int = 0
    page_token: str = ""
    actor: "Actor | None" = None  # who reads the log


def _check_filters(cmd: ListAuditEntries) -> tuple[str, str]:
    resource, by_actor = cmd.resource.strip(), cmd.by_actor.strip()
    problems = []
    if len(resource) > MAX_RESOURCE or not is_plain(resource):
        problems.append(FieldViolation("resource", f"a resource name of at most {MAX_RESOURCE} characters, "
                                                   "e.g. organizations/mir/persons/0f3c9a"))
    if len(by_actor) > MAX_ACTOR or not is_plain(by_actor):
        problems.append(FieldViolation("actor", f"a user name of at most {MAX_ACTOR} characters, e.g. volunteer-mir"))
    if problems:
        raise InvalidArgument(
            "The audit log filters are invalid: " + ", ".join(p.field for p in problems) + ". See the field "
            "violations for how to fix each, or leave a filter out.",
            reason="INVALID_FIELDS", violations=problems)
    return resource, by_actor


def list_entries(cmd: ListAuditEntries, uow: "UnitOfWork") -> tuple[list[AuditEntry], str]:
    """One page of the audit log, newest first; the read is written to the log in the same transaction
    (after the page is read, so it shows on the next listing)."""
    resource, by_actor = _check_filters(cmd)
    size = page_size(cmd.page_size)
    after = AUDIT_PAGE.decode(cmd.page_token, resource=resource, actor=by_actor)
    filters = urllib.parse.urlencode([(k, v) for k, v in (("resource", resource), ("actor", by_actor)) if v])
    with uow:
        page = uow.audit.page(after, size, resource=resource, actor=by_actor)
        what = f"{cmd.parent}/auditEntries" + (f"?{filters}" if filters else "")
        uow.audit.record(cmd.actor, ACTION_AUDIT_LIST, what, AUDIT_REVIEW)
        uow.commit()
    return page.items, AUDIT_PAGE.encode(page.next_key, resource=resource, actor=by_actor)
