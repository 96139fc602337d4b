"""A whole local federation as child processes: the broker, the dev issuer,
every organisation's node (four services and a gateway) and the hub.

`make run` uses it with fixed ports; the federation tests with free ones.
"""
from __future__ import annotations

import concurrent.futures
import json
import os
import pathlib
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field

from services.devstack.procs import Broker, free_port, log_directory, open_log, stop_process, wait_for_port

REPO = pathlib.Path(__file__).resolve().parents[2]
REALM_FILE = REPO / "deploy" / "keycloak" / "brobygger-realm.json"
SERVICES = ("membership", "events", "referral", "reporting")

ORGANISATIONS = {
    "mir": "Multikulturelt Initiativ og Ressursnettverk (MiR)",
    "mira": "MiRA-Senteret – ressurssenter for minoritetskvinner og -jenter",
    "mkr": "Minhaj Konfliktråd (MKR)",
}


@dataclass
class NodePorts:
    membership: int
    events: int
    referral: int
    reporting: int
    gateway: int

    def grpc(self, service: str) -> int:
        return getattr(self, service)


@dataclass
class Layout:
    broker: int
    issuer: int
    hub_grpc: int
    hub_gateway: int
    nodes: dict[str, NodePorts]

    @classmethod
    def fixed(cls, orgs: list[str]) -> "Layout":
        """The documented ports of `make run`."""
        nodes = {}
        for i, org in enumerate(orgs):
            base = 50100 + 10 * (i + 1)
            nodes[org] = NodePorts(base + 1, base + 2, base + 3, base + 4, 8001 + i)
        return cls(broker=9092, issuer=8180, hub_grpc=50160, hub_gateway=8000, nodes=nodes)

    @classmethod
    def free(cls, orgs: list[str]) -> "Layout":
        return cls(broker=free_port(), issuer=free_port(), hub_grpc=free_port(), hub_gateway=free_port(),
                   nodes={org: NodePorts(*(free_port() for _ in range(5))) for org in orgs})


@dataclass
class Stack:
    data_dir: pathlib.Path
    orgs: list[str]
    layout: Layout
    disclosure_min_cell: int = 5
    env_overrides: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.data_dir = pathlib.Path(self.data_dir).resolve()
        self.log_dir = self.data_dir / "logs"
        self.procs: dict[str, subprocess.Popen] = {}
        self.broker: Broker | None = None

    # ---------- addresses

    @property
    def issuer_base(self) -> str:
        return f"http://127.0.0.1:{self.layout.issuer}"

    @property
    def issuer_url(self) -> str:
        return f"{self.issuer_base}/realms/brobygger"

    def gateway_url(self, org: str | None = None) -> str:
        port = self.layout.hub_gateway if org is None else self.layout.nodes[org].gateway
        return f"http://127.0.0.1:{port}"

    def redirect_uris(self) -> list[str]:
        """The web client's redirect URIs for the gateways this stack starts (the dev issuer registers them)."""
        return [f"{self.gateway_url(org)}/*" for org in [*self.orgs, None]]

    def grpc_address(self, org: str, service: str) -> str:
        return f"127.0.0.1:{self.layout.nodes[org].grpc(service)}"

    @property
    def directory_path(self) -> pathlib.Path:
        return self.data_dir / "federation.json"

    # ---------- processes

    def _env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("BROBYGGER_")}
        env.update({
            "BROBYGGER_ENV": "development",
            "BROBYGGER_KAFKA_BOOTSTRAP": f"127.0.0.1:{self.layout.broker}",
            "BROBYGGER_OIDC_ISSUER": self.issuer_url,
            "BROBYGGER_FEDERATION_DIRECTORY": str(self.directory_path),
            "BROBYGGER_DISCLOSURE_MIN_CELL": str(self.disclosure_min_cell),
            "PYTHONUNBUFFERED": "1",
        })
        env.update(self.env_overrides)
        env.update(extra)
        return env

    def issuer_env(self) -> dict[str, str]:
        return self._env(BROBYGGER_DEV_REDIRECT_URIS=",".join(self.redirect_uris()))

    def node_env(self, org: str, service: str) -> dict[str, str]:
        # The node's fee schedule and counting rules, for the services that read them.
        rule_file = REPO / "deploy" / "nodes" / org / "membership-rules.toml"
        rules = ({"BROBYGGER_MEMBERSHIP_RULES": str(rule_file)}
                 if service in ("membership", "reporting") and rule_file.is_file() else {})
        p = self.layout.nodes[org]
        return self._env(
            BROBYGGER_ORG=org,
            BROBYGGER_DATABASE_URL=f"sqlite:///{self.data_dir}/{org}/{service}.db",
            BROBYGGER_GRPC_ADDRESS=f"127.0.0.1:{p.grpc(service) if service != 'gateway' else 0}",
            BROBYGGER_MEMBERSHIP_ADDRESS=f"127.0.0.1:{p.membership}",
            BROBYGGER_EVENTS_ADDRESS=f"127.0.0.1:{p.events}",
            BROBYGGER_REFERRAL_ADDRESS=f"127.0.0.1:{p.referral}",
            BROBYGGER_REPORTING_ADDRESS=f"127.0.0.1:{p.reporting}",
            BROBYGGER_HTTP_ADDRESS=f"127.0.0.1:{p.gateway}",
            BROBYGGER_GATEWAY_MODE="node",
            OTEL_SERVICE_NAME=f"{org}-{service}",
            **rules,
        )

    def _spawn(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen:
        log_directory(self.log_dir)
        log = open_log(self.log_dir / f"{name}.log")
        proc = subprocess.Popen(argv, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        log.close()
        self.procs[name] = proc
        return proc

    def start_service(self, org: str, service: str, command: str = "run") -> subprocess.Popen:
        name = f"{org}-{service}" if command == "run" else f"{org}-{service}-{command}"
        return self._spawn(name, [sys.executable, "-m", f"services.{service}", command],
                           self.node_env(org, service))

    def start_gateway(self, org: str) -> subprocess.Popen:
        return self._spawn(f"{org}-gateway", [sys.executable, "-m", "gateway"], self.node_env(org, "gateway"))

    def stop(self, name: str, timeout: float = 10) -> None:
        proc = self.procs.pop(name, None)
        if proc is not None:
            stop_process(proc, timeout)

    def write_directory(self) -> None:
        nodes = [
            {"org": org, "name": ORGANISATIONS.get(org, org),
             "reporting": self.grpc_address(org, "reporting"), "referral": self.grpc_address(org, "referral")}
            for org in self.orgs
        ]
        self.directory_path.parent.mkdir(parents=True, exist_ok=True)
        self.directory_path.write_text(json.dumps({"nodes": nodes}, indent=2, ensure_ascii=False))

    def start(self, timeout: float = 90) -> "Stack":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.write_directory()
        log_directory(self.log_dir)
        self.broker = Broker(self.layout.broker, log_path=str(self.log_dir / "broker.log"))
        self.broker.start()
        issuer = self._spawn("issuer", [
            sys.executable, "-m", "services.devissuer", "--realm-file", str(REALM_FILE), "--host", "127.0.0.1",
            "--port", str(self.layout.issuer), "--key-file", str(self.data_dir / "issuer-key.pem"),
        ], self.issuer_env())
        for org in self.orgs:
            for service in SERVICES:
                self.start_service(org, service)
        hub_env = self._env(
            BROBYGGER_GRPC_ADDRESS=f"127.0.0.1:{self.layout.hub_grpc}",
            BROBYGGER_SERVICE_CLIENT_ID="brobygger-hub",
            BROBYGGER_DATABASE_URL=f"sqlite:///{self.data_dir}/hub/hub.db",
            OTEL_SERVICE_NAME="hub-federation",
        )
        self._spawn("hub-federation", [sys.executable, "-m", "services.reporting", "hub"], hub_env)
        wait_for_port("127.0.0.1", self.layout.issuer, timeout, issuer, "the dev issuer")
        for org in self.orgs:
            self.start_gateway(org)
        self._spawn("hub-gateway", [sys.executable, "-m", "gateway"], self._env(
            BROBYGGER_GATEWAY_MODE="hub", BROBYGGER_HUB_ADDRESS=f"127.0.0.1:{self.layout.hub_grpc}",
            BROBYGGER_HTTP_ADDRESS=f"127.0.0.1:{self.layout.hub_gateway}", OTEL_SERVICE_NAME="hub-gateway"))
        self.wait_healthy(timeout)
        return self

    def wait_healthy(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        urls = [self.gateway_url(org) + "/healthz" for org in self.orgs] + [self.gateway_url() + "/healthz"]
        pending = list(urls)
        while pending and time.monotonic() < deadline:
            for name, proc in self.procs.items():
                if proc.poll() is not None:
                    tail = (self.log_dir / f"{name}.log").read_text(errors="replace")[-2000:]
                    raise RuntimeError(f"{name} exited with status {proc.returncode}; its log ends:\n{tail}")
            pending = [u for u in pending if not _healthy(u)]
            if pending:
                time.sleep(0.25)
        if pending:
            raise TimeoutError(f"not healthy after {timeout:.0f}s: {', '.join(pending)}; see logs in {self.log_dir}")

    def close(self) -> None:
        names = list(self.procs)
        gateways = [n for n in names if n.endswith("gateway")]
        rest = [n for n in names if n not in gateways and n != "issuer"]
        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(self.stop, gateways))
            list(pool.map(self.stop, rest))
        self.stop("issuer")
        if self.broker is not None:
            self.broker.stop()

    # ---------- tokens

    def token(self, username: str, password: str = "dev") -> str:
        from keycloak import KeycloakOpenID

        oid = KeycloakOpenID(server_url=self.issuer_base + "/", realm_name="brobygger", client_id="brobygger-web")
        return oid.token(username, password)["access_token"]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return resp.status == 200
    except Exception:
        return False
