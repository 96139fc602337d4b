"""The hub's use cases: ask every node for its statistics in parallel, each
under its own deadline, and say which nodes did not answer. One node failing
never fails the query. The hub keeps no data: its use cases work on the node
clients and the service token given to it, not on a unit of work."""
from __future__ import annotations

import concurrent.futures
import logging
import time
from dataclasses import dataclass
from typing import Any, Protocol

from services.common.directory import Node
from services.common.errors import FieldViolation, InvalidArgument, Unavailable
from services.reporting.adapters.nodes import NodeFailed, ReportingNodes
from services.reporting.domain.model import Period, parse_period
from services.reporting.service_layer import commands

log = logging.getLogger(__name__)

DEFAULT_NODE_TIMEOUT_MS = 3000
MAX_NODE_TIMEOUT_MS = 60_000
# Time the hub allows beyond a node's deadline before it stops waiting for that node's thread.
SLACK_S = 1.0

DEADLINE_EXCEEDED, UNAVAILABLE, UNAUTHENTICATED = "DEADLINE_EXCEEDED", "UNAVAILABLE", "UNAUTHENTICATED"


class Tokens(Protocol):
    """The hub's own service token (services.common.auth.ServiceTokenSource fits)."""

    def token(self) -> str: ...

    def invalidate(self) -> None: ...


@dataclass(frozen=True)
class NodeAnswer:
    org: str
    statistics: Any  # the node's figures as it sent them, or None when it did not answer
    error: str  # why not, e.g. DEADLINE_EXCEEDED, when statistics is None
    latency_ms: int


@dataclass(frozen=True)
class FederatedReport:
    period: Period
    answers: list[NodeAnswer]  # in directory order

    @property
    def missing(self) -> list[str]:
        """Every node whose figures are missing from this answer."""
        return [a.org for a in self.answers if a.statistics is None]


def node_timeout_ms(requested: int) -> int:
    if requested < 0 or requested > MAX_NODE_TIMEOUT_MS:
        raise InvalidArgument(
            f"node_timeout_ms must be from 1 to {MAX_NODE_TIMEOUT_MS}, or 0 for the hub's default "
            f"of {DEFAULT_NODE_TIMEOUT_MS} ms.",
            reason="INVALID_FIELDS",
            violations=[FieldViolation("node_timeout_ms", f"0 (default) or 1..{MAX_NODE_TIMEOUT_MS}")],
        )
    return requested or DEFAULT_NODE_TIMEOUT_MS


class Federation:
    """Fans a statistics query out to the nodes of the directory."""

    def __init__(self, nodes: list[Node], clients: ReportingNodes, tokens: Tokens, *,
                 max_workers: int | None = None, slack_s: float = SLACK_S) -> None:
        self.nodes = list(nodes)
        self.clients = clients
        self.tokens = tokens
        self.slack_s = slack_s
        self._pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=max_workers or max(4, min(64, 4 * len(self.nodes))), thread_name_prefix="hub-fanout")

    def list_nodes(self) -> list[Node]:
        return list(self.nodes)

    def query(self, cmd: commands.QueryStatistics) -> FederatedReport:
        """Every node's answer for the period, in directory order."""
        period = parse_period(cmd.start_date, cmd.end_date, given=cmd.period_given)
        timeout = node_timeout_ms(cmd.node_timeout_ms) / 1000
        self._check_token()
        started = time.monotonic()
        futures = [(n.org, self._pool.submit(self._ask, n.org, period, timeout)) for n in self.nodes]
        answers = []
        for org, future in futures:
            left = max(0.0, started + timeout + self.slack_s - time.monotonic())
            try:
                answers.append(future.result(timeout=left))
            except concurrent.futures.TimeoutError:  # the client did not keep its deadline: stop waiting
                answers.append(NodeAnswer(org, None, DEADLINE_EXCEEDED, int((time.monotonic() - started) * 1000)))
        if any(a.error == UNAUTHENTICATED for a in answers):
            self.tokens.invalidate()  # a node refused the token: fetch a fresh one next time
        report = FederatedReport(period, answers)
        log.info("federated query %s: %d of %d nodes answered%s", period.iso(), len(answers) - len(report.missing),
                 len(answers), "".join(f"; {a.org} {a.error}" for a in answers if a.statistics is None))
        return report

    def _check_token(self) -> None:
        """One clear error when the hub itself cannot authenticate, instead of every node failing."""
        try:
            self.tokens.token()
        except Exception as exc:
            log.error("no service token for the hub: %s", getattr(exc, "reason", type(exc).__name__))
            raise Unavailable(
                "The hub cannot get its service token from the identity provider, so it cannot ask the nodes; "
                "the operator should check the issuer and the hub's client secret.",
                reason="SERVICE_TOKEN_UNAVAILABLE",
            ) from None

    def _ask(self, org: str, period: Period, timeout: float) -> NodeAnswer:
        started = time.monotonic()
        try:
            stats, error = self.clients.get_statistics(org, period, timeout), ""
        except NodeFailed as exc:
            stats, error = None, exc.code
        except Exception as exc:  # e.g. the service token expired and could not be renewed mid-query
            log.warning("node %s: %s before the call", org, type(exc).__name__)
            stats, error = None, UNAVAILABLE
        return NodeAnswer(org, stats, error, int((time.monotonic() - started) * 1000))

    def close(self) -> None:
        """Stop the fan-out threads and close every node's channel (at the hub's shutdown)."""
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.clients.close()
        log.info("federation clients closed")
