"""The hub's side of the federation: the directory file, and one gRPC channel
per node's reporting service, created once at start and reused."""
from __future__ import annotations

from brobygger.reporting.v1 import reporting_pb2, reporting_pb2_grpc
from services.common.directory import DirectoryError, Node, read_directory
from services.common.grpcclient import channel

# The hub asks every node it lists, and shows each by name.
REQUIRED = ("name", "reporting")


def load_directory(path: str) -> list[Node]:
    """Read and validate the directory file once, at start; DirectoryError names the file and what is wrong."""
    return read_directory(path, required=REQUIRED, non_empty=True)


class NodeClients:
    """ReportingService stubs of every node, each on its own long-lived channel."""

    def __init__(self, nodes: list[Node], token_provider) -> None:
        self._channels = {n.org: channel(n.reporting, token_provider) for n in nodes}
        self._stubs = {org: reporting_pb2_grpc.ReportingServiceStub(ch) for org, ch in self._channels.items()}

    def get_statistics(self, org: str, request: reporting_pb2.GetStatisticsRequest,
                       timeout: float) -> reporting_pb2.Statistics:
        """Raises grpc.RpcError when the node does not answer in time or refuses."""
        return self._stubs[org].GetStatistics(request, timeout=timeout)

    def close(self) -> None:
        for ch in self._channels.values():
            ch.close()


__all__ = ["DirectoryError", "NodeClients", "load_directory"]
