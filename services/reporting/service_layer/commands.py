"""What callers ask the reporting service and the hub: one small dataclass per use case."""
from __future__ import annotations

from dataclasses import dataclass

from services.common.audit import ListAuditEntries  # noqa: F401  (a use case of every auditing service)
from services.common.unit_of_work import Actor
from services.reporting.domain.disclosure import DEFAULT_MIN_CELL


@dataclass(frozen=True)
class GetStatistics:
    """A node's figures for a period (ISO dates, inclusive)."""

    organization: str  # the name the caller used, organizations/{org}, for the audit log
    start_date: str
    end_date: str
    period_given: bool = True
    min_cell: int = DEFAULT_MIN_CELL  # the node's minimum cell size k
    actor: Actor | None = None
    disclosure_secret: str = ""  # keys the node's cell keys (BROBYGGER_DISCLOSURE_SECRET)
    # The analyst the federation hub asks for (their user name, else subject), as the hub sent it;
    # honoured only when actor is the hub's service account (handlers.asked_by).
    requested_by: str = ""


@dataclass(frozen=True)
class QueryStatistics:
    """Every node's figures for a period, each node asked under its own deadline."""

    start_date: str
    end_date: str
    period_given: bool = True
    node_timeout_ms: int = 0  # 0: the hub's default
    actor: Actor | None = None
