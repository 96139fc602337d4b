"""The hub's use cases: ask every node for its statistics in parallel, each
under its own deadline, and say which nodes did not answer. One node failing
never fails the query."""
from __future__ import annotations

import concurrent.futures
import logging
import time
from dataclasses import dataclass

import grpc

from brobygger.reporting.v1 import reporting_pb2
from brobygger.type.v1 import types_pb2
from services.common.directory import Node
from services.common.errors import FieldViolation, InvalidArgument, Unavailable
from services.common.names import ORGANIZATION
from services.reporting.domain.model import Period

log = logging.getLogger(__name__)

DEFAULT_NODE_TIMEOUT_MS = 3000
MAX_NODE_TIMEOUT_MS = 60_000
# Time the hub allows beyond a node's gRPC deadline before it stops waiting for that node's thread.
_SLACK_S = 1.0


@dataclass(frozen=True)
class NodeAnswer:
    org: str
    statistics: reporting_pb2.Statistics | None
    error: str  # the gRPC status code name when statistics is None
    latency_ms: int


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

    def __init__(self, nodes: list[Node], clients, tokens, *, max_workers: int | None = None) -> None:
        self.nodes = list(nodes)
        self.clients = clients
        self.tokens = tokens
        self._pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=max_workers or max(4, min(64, 4 * len(self.nodes))), thread_name_prefix="hub-fanout")

    def _ask(self, org: str, request: reporting_pb2.GetStatisticsRequest, timeout: float) -> NodeAnswer:
        started = time.monotonic()
        try:
            stats = self.clients.get_statistics(org, request, timeout)
            error = ""
        except grpc.RpcError as exc:
            stats, error = None, exc.code().name if exc.code() is not None else "UNKNOWN"
        except Exception as exc:  # e.g. the service token expired and could not be renewed mid-query
            log.warning("node %s: %s before the call", org, type(exc).__name__)
            stats, error = None, "UNAVAILABLE"
        return NodeAnswer(org, stats, error, int((time.monotonic() - started) * 1000))

    def query(self, period: Period, timeout_ms: int) -> list[NodeAnswer]:
        """Every node's answer, in directory order."""
        try:
            self.tokens.token()  # one clear error when the hub itself cannot authenticate
        except Exception as exc:
            log.error("no service token for the hub: %s", getattr(exc, "reason", type(exc).__name__))
            raise Unavailable(
                "The hub cannot get its service token from the identity provider, so it cannot ask the nodes; "
                "the operator should check the issuer and the hub's client secret.",
                reason="SERVICE_TOKEN_UNAVAILABLE",
            ) from None
        timeout = timeout_ms / 1000
        started = time.monotonic()
        futures = []
        for node in self.nodes:
            request = reporting_pb2.GetStatisticsRequest(
                organization=ORGANIZATION.format(org=node.org),
                period=types_pb2.DateRange(start_date=period.start.isoformat(), end_date=period.end.isoformat()),
            )
            futures.append((node.org, self._pool.submit(self._ask, node.org, request, timeout)))
        answers = []
        for org, future in futures:
            left = max(0.0, started + timeout + _SLACK_S - time.monotonic())
            try:
                answers.append(future.result(timeout=left))
            except concurrent.futures.TimeoutError:
                answers.append(NodeAnswer(org, None, grpc.StatusCode.DEADLINE_EXCEEDED.name,
                                          int((time.monotonic() - started) * 1000)))
        if any(a.error == grpc.StatusCode.UNAUTHENTICATED.name for a in answers):
            self.tokens.invalidate()  # a node refused the token: fetch a fresh one next time
        log.info("federated query %s: %d of %d nodes answered%s", period.iso(),
                 sum(a.statistics is not None for a in answers), len(answers),
                 "".join(f"; {a.org} {a.error}" for a in answers if a.statistics is None))
        return answers

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.clients.close()
