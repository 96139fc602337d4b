"""The hub's side of the federation: the directory file, and the nodes' reporting
services, each on its own gRPC channel created once at start and reused."""
from __future__ import annotations

import abc
from typing import Any, Callable

import grpc

from brobygger.reporting.v1 import reporting_pb2, reporting_pb2_grpc
from brobygger.type.v1 import types_pb2
from services.common.directory import DirectoryError, Node, read_directory
from services.common.grpcclient import channel, decode_error
from services.common.names import ORGANIZATION
from services.common.unit_of_work import Actor
from services.reporting.domain.model import Period

# The hub asks every node it lists, and shows each by name.
REQUIRED = ("name", "reporting")


def load_directory(path: str) -> list[Node]:
    """Read and validate the directory file once, at start; DirectoryError names the file and what is wrong."""
    return read_directory(path, required=REQUIRED, non_empty=True)


# Refusals an analyst can act on: the node's reason is passed on instead of the status code, with its message
# (which names no person: services.common.errors).
EXPLAINED_REFUSALS = frozenset({"PRIVACY_BUDGET_EXHAUSTED"})


class NodeFailed(Exception):
    """A node did not answer; ``code`` says why, e.g. 'DEADLINE_EXCEEDED', 'UNAVAILABLE', 'UNAUTHENTICATED', or
    a refusal's reason such as 'PRIVACY_BUDGET_EXHAUSTED', whose ``message`` is the node's explanation."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.message = message


def node_failed(exc: grpc.RpcError) -> NodeFailed:
    problem = decode_error(exc)
    if problem.reason in EXPLAINED_REFUSALS:
        return NodeFailed(problem.reason, problem.message)
    return NodeFailed(exc.code().name if exc.code() is not None else "UNKNOWN")


class ReportingNodes(abc.ABC):
    """The nodes' reporting services, as the hub asks them."""

    @abc.abstractmethod
    def get_statistics(self, org: str, period: Period, timeout: float, requested_by: Actor | None = None) -> Any:
        """The node's statistics as it sent them, for the hub to pass on untouched; NodeFailed when the node
        does not answer within timeout seconds or refuses. requested_by: the analyst the hub asks for,
        named to the node by user name and subject only."""

    @abc.abstractmethod
    def get_privacy_budget(self, org: str, timeout: float, requested_by: Actor | None = None) -> Any:
        """The analyst's privacy budget at the node, as it sent it; NodeFailed as for get_statistics."""

    @abc.abstractmethod
    def close(self) -> None: ...


def requested_by_proto(actor: Actor) -> reporting_pb2.RequestedBy:
    """Who asked, as the hub names them to a node: user name and subject, no other claim of the token."""
    return reporting_pb2.RequestedBy(username=actor.username or "", subject=actor.subject or "")


class GrpcReportingNodes(ReportingNodes):
    """ReportingService stubs of every node, each on its own long-lived channel."""

    def __init__(self, nodes: list[Node], token_provider: Callable[[], str]) -> None:
        self._channels = {n.org: channel(n.reporting, token_provider) for n in nodes}
        self._stubs = {org: reporting_pb2_grpc.ReportingServiceStub(ch) for org, ch in self._channels.items()}

    def get_statistics(self, org: str, period: Period, timeout: float,
                       requested_by: Actor | None = None) -> reporting_pb2.Statistics:
        request = reporting_pb2.GetStatisticsRequest(
            organization=ORGANIZATION.format(org=org),
            period=types_pb2.DateRange(start_date=period.start.isoformat(), end_date=period.end.isoformat()),
        )
        if requested_by is not None:
            request.requested_by.CopyFrom(requested_by_proto(requested_by))
        try:
            return self._stubs[org].GetStatistics(request, timeout=timeout)
        except grpc.RpcError as exc:
            raise node_failed(exc) from None

    def get_privacy_budget(self, org: str, timeout: float,
                           requested_by: Actor | None = None) -> reporting_pb2.PrivacyBudget:
        request = reporting_pb2.GetPrivacyBudgetRequest(organization=ORGANIZATION.format(org=org))
        if requested_by is not None:
            request.requested_by.CopyFrom(requested_by_proto(requested_by))
        try:
            return self._stubs[org].GetPrivacyBudget(request, timeout=timeout)
        except grpc.RpcError as exc:
            raise node_failed(exc) from None

    def close(self) -> None:
        for ch in self._channels.values():
            ch.close()


__all__ = ["DirectoryError", "GrpcReportingNodes", "NodeFailed", "ReportingNodes", "load_directory"]
