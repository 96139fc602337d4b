"""What callers ask the reporting service and the hub: one small dataclass per use case."""
from __future__ import annotations

from dataclasses import dataclass

from services.common.audit import ListAuditEntries  # noqa: F401  (a use case of every auditing service)
from services.common.unit_of_work import Actor
from services.reporting.domain.disclosure import DEFAULT_MIN_CELL
from services.reporting.domain.privacy import Policy


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
    # The analyst's subject as the hub sent it: their budget's key, which a change of user name keeps.
    requested_by_subject: str = ""
    # The node's differential privacy, when its operator turned it on; None: disclosure control only.
    privacy: Policy | None = None
    # The node's counting rules (counted members per funder, services.common.counting), from its rule file.
    counting_rules: tuple = ()
    # Only the figures of one project's activities, or of the projects one grant pays for (ids, not names).
    project_id: str = ""
    grant_id: str = ""


@dataclass(frozen=True)
class GetPrivacyBudget:
    """The privacy budget at this node of the analyst the hub asks for."""

    organization: str
    actor: Actor | None = None
    requested_by: str = ""
    requested_by_subject: str = ""
    privacy: Policy | None = None


@dataclass(frozen=True)
class QueryPrivacyBudgets:
    """The calling analyst's privacy budget at every node."""

    node_timeout_ms: int = 0
    actor: Actor | None = None


@dataclass(frozen=True)
class QueryStatistics:
    """Every node's figures for a period, each node asked under its own deadline."""

    start_date: str
    end_date: str
    period_given: bool = True
    node_timeout_ms: int = 0  # 0: the hub's default
    actor: Actor | None = None
