"""What every operator command needs: the node's settings, and channels to its services with the node's own
service token (client credentials), as the node's services call each other."""
from __future__ import annotations

import contextlib
from typing import Iterator

import grpc

from services.common import grpcclient
from services.common.auth.service_tokens import ServiceTokenSource
from services.common.settings import Settings, load


def settings() -> Settings:
    """The node's settings from the environment (ConfigError, naming the variable, when unusable)."""
    return load("operator")


@contextlib.contextmanager
def channel(s: Settings, address: str, *, timeout: float = 30.0) -> Iterator[grpc.Channel]:
    tokens = ServiceTokenSource(s.oidc_issuer, s.service_client_id, s.service_client_secret)
    ch = grpcclient.channel(address, tokens.token, timeout=timeout)
    try:
        yield ch
    finally:
        ch.close()


def explain(error: grpc.RpcError) -> str:
    """A failed call as the operator reads it: the status, the message and each field violation."""
    problem = grpcclient.decode_error(error)
    lines = [f"{problem.code.name}{' ' + problem.reason if problem.reason else ''}: {problem.message}"]
    lines += [f"  {field}: {description}" for field, description in problem.violations]
    return "\n".join(lines)
