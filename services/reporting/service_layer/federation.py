"""The hub's use cases: ask every node for its statistics in parallel, each
under its own deadline, and say which nodes did not answer. One node failing
never fails the query. The hub keeps no data: its use cases work on the node
clients and the service token given to it, not on a unit of work.

Accountability: every query names who asked. The hub forwards the analyst
(user name and subject, nothing else) to every node, which writes them to its
audit log; the hub itself logs one line per query and one per node's outcome
(analyst by subject, period, organisation, outcome, latency), in the trace of
the query: each node is asked in a span of its own, a child of the hub's
server span, so one trace runs from the analyst's request to every node. Each
analyst may ask at most so many queries a minute (:class:`RateLimiter`)."""
from __future__ import annotations

import concurrent.futures
import logging
import math
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Protocol

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import Status, StatusCode

from services.common import telemetry
from services.common.directory import Node
from services.common.errors import DomainError, FieldViolation, InvalidArgument, ResourceExhausted, Unavailable
from services.common.unit_of_work import Actor
from services.reporting.adapters.nodes import NodeFailed, ReportingNodes
from services.reporting.domain.model import Period, parse_period
from services.reporting.service_layer import commands

log = logging.getLogger(__name__)

DEFAULT_NODE_TIMEOUT_MS = 3000
MAX_NODE_TIMEOUT_MS = 60_000
# Time the hub allows beyond a node's deadline before it stops waiting for that node's thread.
SLACK_S = 1.0

DEADLINE_EXCEEDED, UNAVAILABLE, UNAUTHENTICATED = "DEADLINE_EXCEEDED", "UNAVAILABLE", "UNAUTHENTICATED"

# Each analyst's statistics queries at the hub: this many a minute, and at most this many at once
# (BROBYGGER_HUB_QUERIES_PER_MINUTE and BROBYGGER_HUB_QUERY_BURST set them for a hub process).
QUERIES_PER_MINUTE = 30
QUERY_BURST = 10
# The limiter forgets analysts whose bucket is full again once it tracks more than this many.
MAX_TRACKED_ANALYSTS = 10_000

ANSWERED = "answered"


class Tokens(Protocol):
    """The hub's own service token (services.common.auth.ServiceTokenSource fits)."""

    def token(self) -> str: ...

    def invalidate(self) -> None: ...


@dataclass(frozen=True)
class NodeAnswer:
    org: str
    statistics: Any  # the node's figures as it sent them, or None when it did not answer
    error: str  # why not, e.g. DEADLINE_EXCEEDED or PRIVACY_BUDGET_EXHAUSTED, when statistics is None
    latency_ms: int
    message: str = ""  # the node's explanation of a refusal the analyst can act on (PRIVACY_BUDGET_EXHAUSTED)


@dataclass(frozen=True)
class NodeBudget:
    org: str
    budget: Any  # the analyst's privacy budget at the node as it sent it, or None when it did not answer
    error: str
    latency_ms: int


@dataclass(frozen=True)
class FederatedBudgets:
    answers: list[NodeBudget]  # in directory order

    @property
    def missing(self) -> list[str]:
        return [a.org for a in self.answers if a.budget is None]


@dataclass(frozen=True)
class FederatedReport:
    period: Period
    answers: list[NodeAnswer]  # in directory order

    @property
    def missing(self) -> list[str]:
        """Every node whose figures are missing from this answer."""
        return [a.org for a in self.answers if a.statistics is None]


class RateLimiter:
    """A token bucket per analyst, keyed by the subject of their token, in the hub process's memory:
    a bucket holds up to ``burst`` queries and refills at ``per_minute`` a minute. Brobygger's own
    small rule, written here (a few lines, no store shared between hub processes: each hub process
    counts its own queries). Thread-safe."""

    def __init__(self, per_minute: int = QUERIES_PER_MINUTE, burst: int = QUERY_BURST, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if per_minute < 1 or burst < 1:
            raise ValueError("per_minute and burst must be at least 1")
        self.per_minute, self.burst = per_minute, burst
        self._per_second = per_minute / 60.0
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (queries left, when counted)
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """Take one query from key's bucket: 0.0 when it may go ahead now, else the seconds until it may."""
        now = self._clock()
        with self._lock:
            left, at = self._buckets.get(key, (float(self.burst), now))
            left = min(float(self.burst), left + (now - at) * self._per_second)
            if left >= 1.0:
                self._buckets[key] = (left - 1.0, now)
                if len(self._buckets) > MAX_TRACKED_ANALYSTS:
                    self._forget_full(now)
                return 0.0
            self._buckets[key] = (left, now)
            return (1.0 - left) / self._per_second

    def _forget_full(self, now: float) -> None:
        """Drop the buckets that have refilled: forgetting them changes nothing."""
        for key, (left, at) in list(self._buckets.items()):
            if left + (now - at) * self._per_second >= self.burst:
                del self._buckets[key]


def rate_limited(limiter: RateLimiter, wait_s: float) -> ResourceExhausted:
    seconds = max(1, math.ceil(wait_s))
    return ResourceExhausted(
        f"Too many statistics queries: the hub answers each analyst at most {limiter.per_minute} queries a "
        f"minute, {limiter.burst} at most at once. Try again in {seconds} second{'s' if seconds != 1 else ''}.",
        reason="RATE_LIMITED",
        retry_delay_s=wait_s,
        metadata={"queries_per_minute": str(limiter.per_minute), "burst": str(limiter.burst),
                  "retry_after_seconds": str(seconds)},
    )


def analyst_id(actor: Actor | None) -> str:
    """How the hub's log names an analyst: the subject of their token, an opaque id the identity provider
    resolves to the person (their user name goes to the nodes' audit logs, never to a log line)."""
    return (actor.subject if actor is not None else "") or "unknown"


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
                 max_workers: int | None = None, slack_s: float = SLACK_S,
                 limiter: RateLimiter | None = None) -> None:
        self.nodes = list(nodes)
        self.clients = clients
        self.tokens = tokens
        self.slack_s = slack_s
        self.limiter = limiter or RateLimiter()
        self._tracer = telemetry.tracer(__name__)
        self._pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=max_workers or max(4, min(64, 4 * len(self.nodes))), thread_name_prefix="hub-fanout")

    def list_nodes(self) -> list[Node]:
        return list(self.nodes)

    def query(self, cmd: commands.QueryStatistics) -> FederatedReport:
        """Every node's answer for the period, in directory order. The analyst who asked (cmd.actor) is
        named to every node, and the query and each node's outcome are logged."""
        received = time.monotonic()
        analyst, period = analyst_id(cmd.actor), None
        try:
            period = parse_period(cmd.start_date, cmd.end_date, given=cmd.period_given)
            timeout = node_timeout_ms(cmd.node_timeout_ms) / 1000
            wait = self.limiter.take(analyst)
            if wait > 0:
                raise rate_limited(self.limiter, wait)
            self._check_token()
        except DomainError as exc:
            _log_query(analyst, period, exc.reason, received)
            raise
        answers = self._fan_out(
            "ask node", timeout, lambda org: self.clients.get_statistics(org, period, timeout, cmd.actor))
        report = FederatedReport(period, answers)
        for a in answers:
            _log_node(analyst, period, a)
        _log_query(analyst, period, ANSWERED, received, report)
        return report

    def privacy_budgets(self, cmd: commands.QueryPrivacyBudgets) -> FederatedBudgets:
        """The calling analyst's privacy budget at every node, in directory order (the analyst is named to every
        node, which audits the read); logged like a query."""
        received = time.monotonic()
        analyst = analyst_id(cmd.actor)
        try:
            timeout = node_timeout_ms(cmd.node_timeout_ms) / 1000
            self._check_token()
        except DomainError as exc:
            _log_budgets(analyst, exc.reason, received)
            raise
        answers = self._fan_out(
            "ask node for budget", timeout, lambda org: self.clients.get_privacy_budget(org, timeout, cmd.actor))
        report = FederatedBudgets([NodeBudget(a.org, a.statistics, a.error, a.latency_ms) for a in answers])
        _log_budgets(analyst, ANSWERED, received, report)
        return report

    def _fan_out(self, span_name: str, timeout: float, ask: Callable[[str], Any]) -> list[NodeAnswer]:
        """ask(org) for every node at once, each in a span of its own under the caller's, in directory order;
        a node that does not answer within timeout (and the slack) is DEADLINE_EXCEEDED."""
        # The fan-out threads continue the caller's trace: each node is asked in a child span of this one.
        parent = otel_context.get_current()
        started = time.monotonic()
        futures = [(n.org, self._pool.submit(self._ask, parent, span_name, n.org, ask)) for n in self.nodes]
        answers = []
        for org, future in futures:
            left = max(0.0, started + timeout + self.slack_s - time.monotonic())
            try:
                answers.append(future.result(timeout=left))
            except concurrent.futures.TimeoutError:  # the client did not keep its deadline: stop waiting
                answers.append(NodeAnswer(org, None, DEADLINE_EXCEEDED, int((time.monotonic() - started) * 1000)))
        if any(a.error == UNAUTHENTICATED for a in answers):
            self.tokens.invalidate()  # a node refused the token: fetch a fresh one next time
        return answers

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

    def _ask(self, parent: otel_context.Context, span_name: str, org: str, ask: Callable[[str], Any]) -> NodeAnswer:
        started = time.monotonic()
        attached = otel_context.attach(parent)
        message = ""
        try:
            with self._tracer.start_as_current_span(
                span_name, kind=trace.SpanKind.INTERNAL, attributes={"brobygger.organization": org},
            ) as span:
                try:
                    result, error = ask(org), ""
                except NodeFailed as exc:
                    result, error, message = None, exc.code, exc.message
                except Exception as exc:  # e.g. the service token expired and could not be renewed mid-query
                    log.warning("node %s: %s before the call", org, type(exc).__name__)
                    result, error = None, UNAVAILABLE
                span.set_attribute("brobygger.node.outcome", error or ANSWERED)
                if error:
                    span.set_status(Status(StatusCode.ERROR, error))
        finally:
            otel_context.detach(attached)
        return NodeAnswer(org, result, error, int((time.monotonic() - started) * 1000), message)

    def close(self) -> None:
        """Stop the fan-out threads and close every node's channel (at the hub's shutdown)."""
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.clients.close()
        log.info("federation clients closed")


# ---------------------------------------------------------------------------- the hub's log of queries
# One line per query and one per node's outcome, as key=value pairs (and the same fields as the record's
# attributes, for a structured log handler). The hub keeps no database: its log is its record.


def _period_text(period: Period | None) -> str:
    return period.iso() if period is not None else "-"


def _log_node(analyst: str, period: Period, a: NodeAnswer) -> None:
    outcome = ANSWERED if a.statistics is not None else a.error
    log.info("statistics query node analyst=%s period=%s organization=%s outcome=%s latency_ms=%d",
             analyst, period.iso(), a.org, outcome, a.latency_ms,
             extra={"analyst": analyst, "period": period.iso(), "organization": a.org, "outcome": outcome,
                    "latency_ms": a.latency_ms})


def _log_query(analyst: str, period: Period | None, outcome: str, started: float,
               report: FederatedReport | None = None) -> None:
    latency_ms = int((time.monotonic() - started) * 1000)
    nodes = len(report.answers) if report is not None else 0
    answered = nodes - len(report.missing) if report is not None else 0
    missing = ",".join(report.missing) if report is not None and report.missing else "-"
    log.info("statistics query analyst=%s period=%s outcome=%s answered=%d nodes=%d missing=%s latency_ms=%d",
             analyst, _period_text(period), outcome, answered, nodes, missing, latency_ms,
             extra={"analyst": analyst, "period": _period_text(period), "outcome": outcome, "answered": answered,
                    "nodes": nodes, "missing": missing, "latency_ms": latency_ms})


def _log_budgets(analyst: str, outcome: str, started: float, report: FederatedBudgets | None = None) -> None:
    latency_ms = int((time.monotonic() - started) * 1000)
    nodes = len(report.answers) if report is not None else 0
    missing = ",".join(report.missing) if report is not None and report.missing else "-"
    log.info("privacy budget query analyst=%s outcome=%s nodes=%d missing=%s latency_ms=%d",
             analyst, outcome, nodes, missing, latency_ms,
             extra={"analyst": analyst, "outcome": outcome, "nodes": nodes, "missing": missing,
                    "latency_ms": latency_ms})
