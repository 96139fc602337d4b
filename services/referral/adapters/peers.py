"""Calls to the referral service of another federation node, with this node's
service token and a deadline on every call."""
from __future__ import annotations

import threading
from typing import Callable

import grpc

from brobygger.referral.v1 import referral_pb2_grpc
from services.common import grpcclient
from services.referral.adapters import wire
from services.referral.domain.model import Delivery, Handover

PEER_TIMEOUT = 5.0


class PeerError(Exception):
    """A call to another node failed. `code` is short and holds no data, e.g. 'UNAVAILABLE' or
    'PERMISSION_DENIED/SOURCE_MISMATCH'."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class PeerClient:
    """One channel per peer address, dropped after a transport failure so the
    next attempt connects afresh instead of waiting out gRPC's reconnect backoff."""

    def __init__(self, token_provider: Callable[[], str], timeout: float = PEER_TIMEOUT) -> None:
        self.token_provider = token_provider
        self.timeout = timeout
        self._lock = threading.Lock()
        self._channels: dict[str, grpc.Channel] = {}

    def _stub(self, address: str) -> referral_pb2_grpc.ReferralServiceStub:
        with self._lock:
            ch = self._channels.get(address)
            if ch is None:
                ch = self._channels[address] = grpcclient.channel(address, self.token_provider, self.timeout)
            return referral_pb2_grpc.ReferralServiceStub(ch)

    def _drop(self, address: str) -> None:
        with self._lock:
            ch = self._channels.pop(address, None)
        if ch is not None:
            ch.close()

    def _call(self, address: str, method: str, request):
        from services.common.auth import AuthError

        try:
            return getattr(self._stub(address), method)(request, timeout=self.timeout)
        except AuthError as exc:  # this node could not get its own service token
            raise PeerError(f"TOKEN/{exc.reason}") from None
        except grpc.RpcError as exc:
            problem = grpcclient.decode_error(exc)
            if problem.code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
                self._drop(address)
            code = problem.code.name if problem.code else "UNKNOWN"
            raise PeerError(f"{code}/{problem.reason}" if problem.reason else code) from None

    def deliver(self, address: str, d: Delivery) -> str:
        """Make the call d owes at the node at address; the name the referral has there ('' for a report)."""
        if isinstance(d.call, Handover):
            return self._call(address, "ReceiveReferral", wire.request(d)).name
        self._call(address, "ReceiveReferralUpdate", wire.request(d))
        return ""

    def close(self) -> None:
        with self._lock:
            channels, self._channels = list(self._channels.values()), {}
        for ch in channels:
            ch.close()
