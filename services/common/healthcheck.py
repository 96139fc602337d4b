"""Exit 0 when a gRPC server at ADDRESS reports SERVING (for container health checks).

    python -m services.common.healthcheck 127.0.0.1:50051 [service]
"""
from __future__ import annotations

import sys

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc


def check(address: str, service: str = "", timeout: float = 2.0) -> str:
    with grpc.insecure_channel(address) as ch:
        resp = health_pb2_grpc.HealthStub(ch).Check(health_pb2.HealthCheckRequest(service=service), timeout=timeout)
        return health_pb2.HealthCheckResponse.ServingStatus.Name(resp.status)


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        state = check(argv[0], argv[1] if len(argv) > 1 else "")
    except grpc.RpcError as exc:
        print(f"{argv[0]}: {exc.code().name}", file=sys.stderr)
        return 1
    print(f"{argv[0]}: {state}")
    return 0 if state == "SERVING" else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
