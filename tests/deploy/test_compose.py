"""Static checks of the compose deployment.

Covers docker-compose.yml, deploy/Dockerfile, deploy/otel-collector.yaml,
deploy/compose.env.example, deploy/federation.compose.json,
deploy/postgres-init.sql and deploy/kafka-init.sh. Nothing here needs a Docker
engine or the network:

* the compose file is validated against the Compose Specification's JSON
  schema as shipped by check-jsonschema (a dev dependency in pyproject.toml);
* every process compose starts must exist in the tree, and every file it
  mounts must exist;
* every variable compose uses must be documented in the example env file;
* the pieces that refer to each other (realm, federation directory, database
  init, collector pipelines) must agree;
* Kafka authenticates every listener and authorises every request, and the
  ACLs kafka-init grants (the script is run with stand-ins for the Kafka tools)
  let each node's user use its own topics and consumer group and nothing else.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yml"
DOCKERFILE = REPO / "deploy" / "Dockerfile"
ENV_EXAMPLE = REPO / "deploy" / "compose.env.example"
OTEL_CONFIG = REPO / "deploy" / "otel-collector.yaml"
FEDERATION_DIRECTORY = REPO / "deploy" / "federation.compose.json"
POSTGRES_INIT = REPO / "deploy" / "postgres-init.sql"
KEYCLOAK_DIR = REPO / "deploy" / "keycloak"
REALM_FILE = KEYCLOAK_DIR / "brobygger-realm.json"
KAFKA_INIT = REPO / "deploy" / "kafka-init.sh"

INSTALL_HINT = (
    "install the test dependencies with `make test` (or `pip install -e '.[dev]'`): "
    "check-jsonschema, which brings ruamel.yaml"
)

ORGS = ("mir", "mira", "mkr")
NODE_SERVICES = {  # service -> gRPC port
    "membership": 50051,
    "events": 50052,
    "referral": 50053,
    "reporting": 50054,
}
GATEWAY_PORTS = {"hub": 8000, "mir": 8001, "mira": 8002, "mkr": 8003}
OIDC_ISSUER = "http://keycloak:8080/realms/brobygger"
SERVICE_CLIENTS = {"mir": "node-mir", "mira": "node-mira", "mkr": "node-mkr", "hub": "brobygger-hub"}
CLIENT_SECRET_VARS = {
    "mir": "BROBYGGER_NODE_MIR_SECRET",
    "mira": "BROBYGGER_NODE_MIRA_SECRET",
    "mkr": "BROBYGGER_NODE_MKR_SECRET",
    "hub": "BROBYGGER_HUB_SECRET",
}
KAFKA_PASSWORD_VARS = {org: f"BROBYGGER_KAFKA_{org.upper()}_PASSWORD" for org in ORGS}


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def _require(module: str) -> None:
    if importlib.util.find_spec(module) is None:
        pytest.fail(f"Python module {module!r} is missing; {INSTALL_HINT}", pytrace=False)


def _load_yaml(path: Path) -> Any:
    _require("ruamel.yaml")
    from ruamel.yaml import YAML

    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = _load_yaml(COMPOSE_FILE)
    assert isinstance(data, dict) and isinstance(data.get("services"), dict)
    return data


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


def _environment(service: dict[str, Any]) -> dict[str, str | None]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        result: dict[str, str | None] = {}
        for item in env:
            key, sep, value = str(item).partition("=")
            result[key] = value if sep else None
        return result
    return {str(k): (None if v is None else str(v)) for k, v in env.items()}


def _mounted_rule_file(service: dict[str, Any]) -> dict[str, str]:
    """BROBYGGER_MEMBERSHIP_RULES pointing at the file compose mounts there (its source in the repository)."""
    configs = _load_yaml(COMPOSE_FILE)["configs"]
    target = _environment(service).get("BROBYGGER_MEMBERSHIP_RULES")
    for mount in service.get("configs") or []:
        if isinstance(mount, dict) and mount.get("target") == target:
            return {"BROBYGGER_MEMBERSHIP_RULES": str(REPO / configs[mount["source"]]["file"])}
    return {}


def test_each_nodes_membership_and_reporting_read_its_rule_file(services: dict[str, dict[str, Any]]) -> None:
    from services.common import counting

    for org in ORGS:
        for name in (f"{org}-membership", f"{org}-reporting"):
            mounted = _mounted_rule_file(services[name])
            assert mounted, f"{name} is given no rule file"
            path = Path(mounted["BROBYGGER_MEMBERSHIP_RULES"])
            assert path == REPO / "deploy" / "nodes" / org / "membership-rules.toml"
            assert counting.load(path).rule("imdi") is not None
        assert "BROBYGGER_MEMBERSHIP_RULES" not in _environment(services[f"{org}-gateway"])


def _as_argv(command: Any) -> list[str]:
    if command is None:
        return []
    if isinstance(command, str):
        return shlex.split(command)
    return [str(part) for part in command]


def _healthcheck_argv(service: dict[str, Any]) -> list[str]:
    test = (service.get("healthcheck") or {}).get("test")
    if test is None:
        return []
    if isinstance(test, str):
        return shlex.split(test)
    argv = [str(part) for part in test]
    if argv and argv[0] == "CMD-SHELL":
        return shlex.split(" ".join(argv[1:]))
    if argv and argv[0] == "CMD":
        return argv[1:]
    return argv


def _python_modules(argv: list[str]) -> Iterator[str]:
    """Yield X for every 'python -m X' in a command line."""
    for i, word in enumerate(argv[:-2]):
        if re.fullmatch(r"(.*/)?python(3(\.\d+)?)?", word) and argv[i + 1] == "-m":
            yield argv[i + 2]


def _module_exists(module: str) -> bool:
    base = REPO.joinpath(*module.split("."))
    return (base / "__main__.py").is_file() or base.with_suffix(".py").is_file()


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(key)
            yield from _strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)


_INTERPOLATION = re.compile(r"\$(\$|\{(?P<braced>[^}]*)\}|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))")


def _interpolations(text: str) -> Iterator[tuple[str, str]]:
    """Yield (variable, operator-and-rest) for each compose interpolation."""
    for match in _INTERPOLATION.finditer(text):
        if match.group(1) == "$":
            continue  # "$$" is a literal dollar sign
        if match.group("bare"):
            yield match.group("bare"), ""
            continue
        inner = match.group("braced")
        name = re.match(r"[A-Za-z_][A-Za-z0-9_]*", inner)
        assert name, f"malformed interpolation ${{{inner}}}"
        yield name.group(0), inner[name.end():]


def _env_example() -> dict[str, str]:
    values: dict[str, str] = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        assert sep, f"{ENV_EXAMPLE.name}: not KEY=value: {line!r}"
        values[key.strip()] = value.strip()
    return values


def _bind_sources(service: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """Yield (host path, container path) for the bind mounts of a service."""
    for volume in service.get("volumes") or []:
        if isinstance(volume, str):
            parts = volume.split(":")
            if len(parts) >= 2 and parts[0].startswith((".", "/", "~")):
                yield parts[0], parts[1]
        elif volume.get("type") == "bind":
            yield volume["source"], volume["target"]


def _host_path(path: str) -> Path:
    return (REPO / path).resolve()


def _app_services(services: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The services that run the project's own image."""
    return {name: svc for name, svc in services.items() if "build" in svc}


def _networks(service: dict[str, Any]) -> set[str]:
    networks = service.get("networks") or ["default"]
    return set(networks if isinstance(networks, list) else networks.keys())


# ---------------------------------------------------------------------------
# (a) The Compose Specification
# ---------------------------------------------------------------------------


def _check_jsonschema(path: Path) -> subprocess.CompletedProcess[str]:
    _require("check_jsonschema")
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec", str(path)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_compose_file_follows_the_compose_specification() -> None:
    result = _check_jsonschema(COMPOSE_FILE)
    assert result.returncode == 0, (
        "docker-compose.yml does not validate against the Compose Specification:\n"
        + result.stdout
        + result.stderr
    )


def test_the_schema_check_rejects_an_invalid_file(tmp_path: Path) -> None:
    broken = tmp_path / "docker-compose.yml"
    broken.write_text("services:\n  web:\n    image: nginx\n    restart_policy: always\n", encoding="utf-8")
    result = _check_jsonschema(broken)
    assert result.returncode != 0, "the compose-spec check accepted an unknown service key"


def test_no_obsolete_version_key(compose: dict[str, Any]) -> None:
    assert "version" not in compose, "the Compose Specification has no 'version:' key"


# ---------------------------------------------------------------------------
# (b) Commands and mounts refer to things that exist
# ---------------------------------------------------------------------------


def test_every_python_module_compose_runs_exists(services: dict[str, dict[str, Any]]) -> None:
    missing: dict[str, list[str]] = {}
    found_any = False
    for name, service in services.items():
        for argv in (
            _as_argv(service.get("entrypoint")) + _as_argv(service.get("command")),
            _healthcheck_argv(service),
        ):
            for module in _python_modules(argv):
                found_any = True
                if not _module_exists(module):
                    missing.setdefault(module, []).append(name)
    assert found_any, "no 'python -m ...' command found in docker-compose.yml"
    assert not missing, "modules started by compose are missing from the tree:\n" + "\n".join(
        f"  python -m {module}  (expected {module.replace('.', '/')}/__main__.py or "
        f"{module.replace('.', '/')}.py; used by {', '.join(sorted(users))})"
        for module, users in sorted(missing.items())
    )


def test_every_mounted_or_referenced_file_exists(compose: dict[str, Any]) -> None:
    missing: list[str] = []
    for name, service in compose["services"].items():
        for source, _target in _bind_sources(service):
            if not _host_path(source).exists():
                missing.append(f"{name}: volume {source}")
        build = service.get("build")
        if isinstance(build, str):
            build = {"context": build}
        if build:
            context = _host_path(build.get("context", "."))
            if not context.is_dir():
                missing.append(f"{name}: build context {build.get('context')}")
            dockerfile = context / build.get("dockerfile", "Dockerfile")
            if not dockerfile.is_file():
                missing.append(f"{name}: dockerfile {dockerfile.relative_to(REPO)}")
        env_files = service.get("env_file") or []
        for env_file in [env_files] if isinstance(env_files, (str, dict)) else env_files:
            path = env_file if isinstance(env_file, str) else env_file.get("path")
            required = True if isinstance(env_file, str) else env_file.get("required", True)
            if required and not _host_path(path).is_file():
                missing.append(f"{name}: env_file {path}")
        for config in service.get("configs") or []:
            source = config if isinstance(config, str) else config["source"]
            if source not in (compose.get("configs") or {}):
                missing.append(f"{name}: config {source!r} is not declared under configs:")
    for name, config in (compose.get("configs") or {}).items():
        if "file" in config and not _host_path(config["file"]).is_file():
            missing.append(f"configs.{name}: file {config['file']}")
    assert not missing, "compose refers to files that do not exist:\n  " + "\n  ".join(missing)


def test_the_devissuer_is_never_started(services: dict[str, dict[str, Any]]) -> None:
    # Compose uses the real Keycloak; the dev issuer is for local runs only.
    for name, service in services.items():
        assert "devissuer" not in json.dumps(service), f"{name} refers to the dev-only token issuer"


# ---------------------------------------------------------------------------
# (c) Variables are documented
# ---------------------------------------------------------------------------


def test_every_brobygger_variable_is_set_inline_or_documented(
    services: dict[str, dict[str, Any]],
) -> None:
    documented = _env_example()
    undocumented = sorted(
        f"{name}: {key}"
        for name, service in services.items()
        for key, value in _environment(service).items()
        if key.startswith("BROBYGGER_") and (value is None or value == "") and key not in documented
    )
    assert not undocumented, (
        "BROBYGGER_* variables neither set inline nor documented in "
        "deploy/compose.env.example:\n  " + "\n  ".join(undocumented)
    )


def test_every_interpolated_variable_is_documented(compose: dict[str, Any]) -> None:
    documented = _env_example()
    used = {var for text in _strings(compose) for var, _ in _interpolations(text)}
    assert used, "docker-compose.yml interpolates no variables"
    assert not used - documented.keys(), (
        "variables used by docker-compose.yml but missing from deploy/compose.env.example: "
        + ", ".join(sorted(used - documented.keys()))
    )


def test_every_documented_variable_is_used_and_explained(compose: dict[str, Any]) -> None:
    used = {var for text in _strings(compose) for var, _ in _interpolations(text)}
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key = line.partition("=")[0].strip()
        assert key in used, f"{key} is documented but docker-compose.yml never uses it"
        assert i > 0 and lines[i - 1].lstrip().startswith("#"), f"{key} has no comment explaining it"


def test_secrets_are_required_and_the_example_holds_only_placeholders(
    compose: dict[str, Any],
) -> None:
    secret = re.compile(r"(PASSWORD|SECRET)$")
    for text in _strings(compose):
        for var, rest in _interpolations(text):
            if secret.search(var):
                assert rest.startswith((":?", "?")), (
                    f"${{{var}}} must be required (${{{var}:?...}}) so compose refuses to run without it"
                )
    for key, value in _env_example().items():
        if secret.search(key):
            assert value.startswith("change-me"), f"{key} in the example must be a change-me placeholder"


def test_no_service_receives_the_whole_env_file(services: dict[str, dict[str, Any]]) -> None:
    # One env_file for everything would hand every node's secrets to every
    # container; secrets are interpolated per service instead.
    for name, service in services.items():
        assert "env_file" not in service, f"{name} loads a whole env file"


# ---------------------------------------------------------------------------
# (d) Keycloak and its realm
# ---------------------------------------------------------------------------


def test_keycloak_imports_the_realm_from_deploy_keycloak(services: dict[str, dict[str, Any]]) -> None:
    keycloak = services["keycloak"]
    imports = [
        (source, target)
        for source, target in _bind_sources(keycloak)
        if target.startswith("/opt/keycloak/data/import/")
    ]
    assert imports, "keycloak mounts nothing into /opt/keycloak/data/import/"
    for source, _target in imports:
        path = _host_path(source)
        assert path.parent == KEYCLOAK_DIR.resolve(), f"realm {source} is not in deploy/keycloak/"
    assert any(_host_path(source) == REALM_FILE.resolve() for source, _ in imports)
    assert REALM_FILE.is_file(), "deploy/keycloak/brobygger-realm.json does not exist"
    realm = json.loads(REALM_FILE.read_text(encoding="utf-8"))
    assert realm.get("realm") == OIDC_ISSUER.rsplit("/", 1)[1], "realm name must match BROBYGGER_OIDC_ISSUER"


def test_the_realm_knows_the_service_clients_compose_uses(services: dict[str, dict[str, Any]]) -> None:
    assert REALM_FILE.is_file(), "deploy/keycloak/brobygger-realm.json does not exist"
    text = REALM_FILE.read_text(encoding="utf-8")
    realm = json.loads(text)
    client_ids = {client.get("clientId") for client in realm.get("clients", [])}
    used = {
        _environment(service).get("BROBYGGER_SERVICE_CLIENT_ID")
        for service in _app_services(services).values()
    } - {None}
    assert used <= client_ids, f"clients missing from the realm: {sorted(used - client_ids)}"
    # Environment placeholders in the realm (upper case; lower-case ones are
    # Keycloak's own message keys) are filled from Keycloak's environment.
    keycloak_env = _environment(services["keycloak"])
    placeholders = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)(?::[^}]*)?\}", text))
    assert placeholders <= keycloak_env.keys(), (
        f"realm placeholders keycloak does not receive: {sorted(placeholders - keycloak_env.keys())}"
    )


def test_the_web_client_may_return_to_every_published_gateway(services: dict[str, dict[str, Any]]) -> None:
    """A browser on the Docker host reaches each gateway at the port compose publishes; the realm's web
    client must list it as a redirect URI (by name and by address), and nothing else on the host."""
    realm = json.loads(REALM_FILE.read_text(encoding="utf-8"))
    web = next(c for c in realm["clients"] if c["clientId"] == "brobygger-web")
    published = set()
    for name, service in _app_services(services).items():
        if _environment(service).get("BROBYGGER_HTTP_ADDRESS") is None:
            continue
        for mapping in service.get("ports") or []:
            host_port = str(mapping).split(":")[-2]
            published |= {f"http://localhost:{host_port}/*", f"http://127.0.0.1:{host_port}/*"}
    assert len(published) == 2 * len(GATEWAY_PORTS)
    assert set(web["redirectUris"]) == published
    assert web["attributes"]["post.logout.redirect.uris"] == "+"  # "+": the redirect URIs
    assert web["attributes"]["pkce.code.challenge.method"] == "S256"


def test_keycloak_runs_in_production_mode(services: dict[str, dict[str, Any]]) -> None:
    keycloak = services["keycloak"]
    assert re.fullmatch(r"quay\.io/keycloak/keycloak:26\.[\d.]+(-\d+)?", keycloak["image"])
    argv = _as_argv(keycloak.get("command"))
    assert argv[:1] == ["start"] and "--import-realm" in argv, "keycloak must run 'start --import-realm'"
    assert "start-dev" not in argv
    env = _environment(keycloak)
    assert env["KC_DB"] == "postgres"
    assert env["KC_HEALTH_ENABLED"] == "true"
    assert env["KC_HOSTNAME"] == OIDC_ISSUER.split("/realms/")[0], "tokens must carry the issuer services expect"
    for var in CLIENT_SECRET_VARS.values():
        assert var in env, f"keycloak needs {var} for the realm import"
    assert "healthcheck" in keycloak


# ---------------------------------------------------------------------------
# The rest of the topology
# ---------------------------------------------------------------------------


def test_infrastructure_images(services: dict[str, dict[str, Any]]) -> None:
    assert services["postgres"]["image"] == "postgres:16"
    assert re.fullmatch(r"apache/kafka:3\.9\.\d+", services["kafka"]["image"])
    assert re.fullmatch(r"otel/opentelemetry-collector-contrib:\d+\.\d+\.\d+", services["otel-collector"]["image"])
    assert re.fullmatch(r"jaegertracing/all-in-one:\d+\.\d+\.\d+", services["jaeger"]["image"])
    for name, service in services.items():
        image = service.get("image", "")
        assert "build" in service or re.search(r":[^/]+$", image), f"{name}: image {image!r} has no tag"
        assert not image.endswith(":latest"), f"{name}: pin the image instead of :latest"


def test_kafka_is_a_single_kraft_node(services: dict[str, dict[str, Any]]) -> None:
    kafka = services["kafka"]
    env = _environment(kafka)
    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    assert "CLIENTS://kafka:9092" in env["KAFKA_ADVERTISED_LISTENERS"].split(",")
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"].startswith(env["KAFKA_NODE_ID"] + "@")
    assert "healthcheck" in kafka
    for service in _app_services(services).values():
        bootstrap = _environment(service).get("BROBYGGER_KAFKA_BOOTSTRAP")
        assert bootstrap in (None, "kafka:9092")


def _broker_properties(env: dict[str, str | None]) -> dict[str, str]:
    """The server.properties the apache/kafka image writes from its KAFKA_* variables: the prefix
    dropped, lower case, "_" -> ".", "___" -> "-", "__" -> "_" (KafkaDockerWrapper)."""
    excluded = {"KAFKA_VERSION", "KAFKA_HEAP_OPT", "KAFKA_LOG4J_OPTS", "KAFKA_OPTS", "KAFKA_JMX_OPTS",
                "KAFKA_JVM_PERFORMANCE_OPTS", "KAFKA_GC_LOG_OPTS", "KAFKA_LOG4J_ROOT_LOGLEVEL",
                "KAFKA_LOG4J_LOGGERS", "KAFKA_TOOLS_LOG4J_LOGLEVEL", "KAFKA_JMX_HOSTNAME"}
    props = {}
    for key, value in env.items():
        if key.startswith("KAFKA_") and key not in excluded and value is not None:
            name = key.replace("KAFKA_", "").lower().replace("_", ".").replace("...", "-").replace("..", "_")
            props[name] = value
    return props


def _listeners(value: str) -> dict[str, str]:
    """'NAME://host:port,...' -> {NAME: 'host:port'}."""
    return dict(item.split("://", 1) for item in value.split(","))


def _jaas_users(jaas: str) -> tuple[str, set[str]]:
    """A PlainLoginModule JAAS line -> (its own username, the usernames it accepts)."""
    assert jaas.startswith("org.apache.kafka.common.security.plain.PlainLoginModule required "), jaas
    assert jaas.endswith(";"), f"a JAAS entry ends with ';': {jaas}"
    options = dict(re.findall(r'(\w+)="([^"]*)"', jaas))
    for key, value in options.items():
        if key == "password" or key.startswith("user_"):
            assert value.startswith("${") and ":?" in value, f"{key} must come from a required variable, not {value!r}"
    return options["username"], {key[len("user_"):] for key in options if key.startswith("user_")}


def test_kafka_listeners_are_authenticated(services: dict[str, dict[str, Any]]) -> None:
    env = _environment(services["kafka"])
    props = _broker_properties(env)
    protocols = dict(item.split(":") for item in props["listener.security.protocol.map"].split(","))
    listeners = _listeners(props["listeners"])
    assert set(listeners) == set(protocols) == {"CLIENTS", "BROKER", "CONTROLLER"}
    assert all(protocol.startswith("SASL_") for protocol in protocols.values()), protocols
    # The nodes' services: SCRAM, on the port they are given as bootstrap.
    assert listeners["CLIENTS"] == ":9092" and _listeners(props["advertised.listeners"])["CLIENTS"] == "kafka:9092"
    assert props["listener.name.clients.sasl.enabled.mechanisms"] == "SCRAM-SHA-512"
    assert props["listener.name.clients.scram-sha-512.sasl.jaas.config"] == (
        "org.apache.kafka.common.security.scram.ScramLoginModule required;")
    # The broker's own traffic, inter-broker and to the controller, authenticates too.
    assert props["inter.broker.listener.name"] == "BROKER"
    assert props["controller.listener.names"] == "CONTROLLER"
    assert props["sasl.mechanism.inter.broker.protocol"] == props["sasl.mechanism.controller.protocol"] == "PLAIN"
    assert props["listener.name.broker.sasl.enabled.mechanisms"] == "PLAIN"
    assert props["listener.name.controller.sasl.enabled.mechanisms"] == "PLAIN"
    assert _jaas_users(props["listener.name.broker.plain.sasl.jaas.config"]) == ("broker", {"broker", "admin"})
    assert _jaas_users(props["listener.name.controller.plain.sasl.jaas.config"]) == ("broker", {"broker"})
    # The image demands a JAAS file (KAFKA_OPTS) when an advertised listener is named SASL_*; the
    # listeners are named for their use and configured per listener instead.
    assert "SASL_" not in env["KAFKA_ADVERTISED_LISTENERS"]
    # Its healthcheck authenticates as the broker on the BROKER listener, with a password that is
    # no broker setting.
    check = " ".join(_healthcheck_argv(services["kafka"]))
    assert "--bootstrap-server 127.0.0.1:9094" in check and "--command-config" in check
    assert "sasl.mechanism=PLAIN" in check and 'username="broker"' in check
    variable = re.search(r"\$\$(\w+)", str(services["kafka"]["healthcheck"]["test"])).group(1)
    assert not variable.startswith("KAFKA_")
    assert env[variable] == "${KAFKA_BROKER_PASSWORD:?set it in deploy/compose.env}"


def test_kafka_authorises_every_request(services: dict[str, dict[str, Any]]) -> None:
    props = _broker_properties(_environment(services["kafka"]))
    assert props["authorizer.class.name"] == "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
    assert props.get("allow.everyone.if.no.acl.found", "false") == "false"
    assert set(props["super.users"].split(";")) == {"User:broker", "User:admin"}


def test_the_kafka_init_job_runs_once_before_every_node_service(
    services: dict[str, dict[str, Any]], compose: dict[str, Any]
) -> None:
    job = services["kafka-init"]
    assert job["image"] == services["kafka"]["image"], "kafka-init uses the broker's own tools"
    assert job["restart"] == "no"
    assert job["depends_on"] == {"kafka": {"condition": "service_healthy"}}
    assert _networks(job) & _networks(services["kafka"])
    argv = _as_argv(job["entrypoint"]) + _as_argv(job["command"])
    targets = {c["target"]: c["source"] for c in job["configs"]}
    assert argv[:2] == ["/bin/bash", "/opt/brobygger/kafka-init.sh"]
    assert compose["configs"][targets[argv[1]]]["file"] == "./deploy/kafka-init.sh"
    assert argv[2:] == list(ORGS), "kafka-init must create every node's user"
    script = KAFKA_INIT.read_text(encoding="utf-8")
    assert "kafka-configs.sh" in script and "kafka-acls.sh" in script
    env = _environment(job)
    assert _listeners(_environment(services["kafka"])["KAFKA_ADVERTISED_LISTENERS"])["BROKER"] == (
        env["KAFKA_INIT_BOOTSTRAP"])
    for org in ORGS:
        for kind in NODE_SERVICES:
            dependency = services[f"{org}-{kind}"]["depends_on"]["kafka-init"]
            assert dependency["condition"] == "service_completed_successfully", f"{org}-{kind}"


def test_each_node_gets_its_own_kafka_credentials(services: dict[str, dict[str, Any]]) -> None:
    holders: dict[str, set[str]] = {var: set() for var in KAFKA_PASSWORD_VARS.values()}
    holders["KAFKA_ADMIN_PASSWORD"] = set()
    for name, service in services.items():
        for text in _strings(service.get("environment") or {}):
            for var, _ in _interpolations(text):
                if var in holders:
                    holders[var].add(name)
    for org in ORGS:
        for kind in NODE_SERVICES:
            env = _environment(services[f"{org}-{kind}"])
            assert env["BROBYGGER_KAFKA_BOOTSTRAP"] == "kafka:9092"
            assert env["BROBYGGER_KAFKA_SECURITY_PROTOCOL"] == "SASL_PLAINTEXT"
            assert env["BROBYGGER_KAFKA_SASL_MECHANISM"] == "SCRAM-SHA-512"
            assert env["BROBYGGER_KAFKA_USERNAME"] == f"node-{org}"
            assert env["BROBYGGER_KAFKA_PASSWORD"] == f"${{{KAFKA_PASSWORD_VARS[org]}:?set it in deploy/compose.env}}"
        # Only the node's own services (and the job that creates the user) know its password.
        assert holders[KAFKA_PASSWORD_VARS[org]] == {f"{org}-{kind}" for kind in NODE_SERVICES} | {"kafka-init"}
    assert holders["KAFKA_ADMIN_PASSWORD"] == {"kafka", "kafka-init"}
    for name in ("hub-reporting", "hub-gateway", *(f"{org}-gateway" for org in ORGS)):
        assert not any(key.startswith("BROBYGGER_KAFKA_") for key in _environment(services[name])), (
            f"{name} does not use Kafka and gets no Kafka settings")


class _Acls:
    """ACL bindings as kafka-acls.sh --add would create them, and the question the broker asks."""

    IMPLIES = {"Describe": {"Describe", "Read", "Write", "Delete", "Alter"}}

    def __init__(self) -> None:
        self.bindings: list[tuple[str, str, str, str, frozenset[str]]] = []  # principal, type, pattern, name, ops

    def add(self, args: list[str]) -> None:
        assert "--add" in args and "--deny-principal" not in args, args
        values: dict[str, list[str]] = {}
        for flag, value in zip(args, args[1:]):
            if flag.startswith("--") and not value.startswith("--"):
                values.setdefault(flag, []).append(value)
        (principal,) = values["--allow-principal"]
        (pattern,) = values.get("--resource-pattern-type", ["literal"])
        ops = frozenset(values["--operation"])
        for kind in ("topic", "group"):
            for name in values.get(f"--{kind}", []):
                assert name != "*", f"{principal} is granted every {kind}"
                self.bindings.append((principal, kind, pattern, name, ops))
        assert not {"--cluster", "--transactional-id"} & set(args), args

    def allows(self, principal: str, op: str, kind: str, name: str) -> bool:
        for p, k, pattern, prefix, ops in self.bindings:
            matches = name == prefix if pattern == "literal" else name.startswith(prefix)
            if p == principal and k == kind and matches and (op in ops or ops & self.IMPLIES.get(op, set())):
                return True
        return False


def _run_kafka_init(
    services: dict[str, dict[str, Any]], tmp_path: Path, env_overrides: dict[str, str] | None = None
) -> tuple[subprocess.CompletedProcess[str], list[dict[str, Any]]]:
    """Run deploy/kafka-init.sh as compose would, with stand-ins for the Kafka tools that record their
    arguments and the files they are given."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls.jsonl"
    stand_in = f"""#!{sys.executable}
import json, os, sys
args = sys.argv[1:]
files = {{flag: open(value, encoding="utf-8").read() for flag, value in zip(args, args[1:])
          if flag in ("--command-config", "--add-config-file")}}
with open({str(calls)!r}, "a", encoding="utf-8") as out:
    out.write(json.dumps({{"tool": os.path.basename(sys.argv[0]), "args": args, "files": files}}) + "\\n")
"""
    for tool in ("kafka-configs.sh", "kafka-acls.sh"):
        (bin_dir / tool).write_text(stand_in, encoding="utf-8")
        (bin_dir / tool).chmod(0o755)
    job = services["kafka-init"]
    example = _env_example()
    environ = {key: _interpolate(value, example) for key, value in _environment(job).items() if value is not None}
    environ.update({"PATH": "/usr/bin:/bin", "KAFKA_BIN": str(bin_dir), "TMPDIR": str(tmp_path)})
    environ.update(env_overrides or {})
    argv = _as_argv(job["entrypoint"]) + _as_argv(job["command"])
    result = subprocess.run(["bash", str(KAFKA_INIT), *argv[2:]], env=environ, capture_output=True, text=True,
                            timeout=60)
    recorded = [json.loads(line) for line in calls.read_text(encoding="utf-8").splitlines()] if calls.exists() else []
    return result, recorded


def test_kafka_init_confines_each_node_to_its_own_topics_and_group(
    services: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    result, calls = _run_kafka_init(services, tmp_path)
    assert result.returncode == 0, result.stderr
    example = _env_example()
    passwords = {org: example[KAFKA_PASSWORD_VARS[org]] for org in ORGS}
    secrets = [*passwords.values(), example["KAFKA_ADMIN_PASSWORD"]]
    assert not any(secret in result.stdout + result.stderr for secret in secrets), "a password reached the log"
    acls = _Acls()
    users: dict[str, str] = {}
    for call in calls:
        args = call["args"]
        assert not any(secret in arg for arg in args for secret in secrets), "a password is on a command line"
        assert args[:2] == ["--bootstrap-server", "kafka:9094"]
        admin = call["files"]["--command-config"]
        assert "security.protocol=SASL_PLAINTEXT" in admin and "sasl.mechanism=PLAIN" in admin
        assert f'username="admin" password="{example["KAFKA_ADMIN_PASSWORD"]}";' in admin
        if call["tool"] == "kafka-configs.sh":
            assert args[args.index("--entity-type") + 1] == "users" and "--alter" in args
            users[args[args.index("--entity-name") + 1]] = call["files"]["--add-config-file"].strip()
        else:
            acls.add(args)
    assert users == {f"node-{org}": f"SCRAM-SHA-512=iterations=8192,password={passwords[org]}" for org in ORGS}

    # What the code of each node actually uses: the reporting consumer's group and topics, and the
    # topic of every fact the node's services publish.
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from services.common.settings import load
    from services.reporting.bootstrap import build

    import importlib

    uses = {}
    groups: dict[str, list[str]] = {}
    for org in ORGS:
        for service in ("reporting", "membership", "events", "referral"):
            compose_service = services[f"{org}-{service}"]
            environ = {key: _interpolate(value, example) for key, value in _environment(compose_service).items()
                       if value is not None}
            environ["BROBYGGER_DATABASE_URL"] = f"sqlite:///{tmp_path}/{org}-{service}.db"
            environ.pop("BROBYGGER_FEDERATION_DIRECTORY", None)
            environ.update(_mounted_rule_file(compose_service))
            app = (build if service == "reporting" else importlib.import_module(
                f"services.{service}.bootstrap").build)(load(service, environ))
            try:
                (consumer,) = app.workers["consume"]
                if service == "reporting":
                    uses[org] = (consumer.security.username, consumer.group_id, list(consumer.topics))
                assert consumer.security.username == f"node-{org}"
                groups.setdefault(org, []).append(consumer.group_id)
            finally:
                app.close()
    for org, names in groups.items():
        for group in names:
            assert acls.allows(f"User:node-{org}", "Read", "group", group), f"node-{org} may not use group {group}"
    for org, (user, group, topics) in uses.items():
        principal = f"User:{user}"
        assert user == f"node-{org}" and topics
        for topic in topics:
            for op in ("Write", "Create", "Describe", "Read"):
                assert acls.allows(principal, op, "topic", topic), f"{user} may not {op} {topic}"
        assert acls.allows(principal, "Read", "group", group)
        for other, (_, other_group, other_topics) in uses.items():
            if other != org:
                for topic in other_topics:
                    for op in ("Write", "Create", "Describe", "Read", "Delete", "Alter"):
                        assert not acls.allows(principal, op, "topic", topic), f"{user} may {op} {topic}"
                assert not acls.allows(principal, "Read", "group", other_group)
        for topic in ("__consumer_offsets", "audit", f"x{org}.membership"):
            assert not acls.allows(principal, "Read", "topic", topic)
        for op in ("Delete", "Alter"):
            assert not acls.allows(principal, op, "topic", topics[0]), f"{user} may {op} its own topics"
    assert {b[0] for b in acls.bindings} == {f"User:node-{org}" for org in ORGS}


def test_kafka_init_changes_nothing_when_a_password_is_missing(
    services: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    result, calls = _run_kafka_init(services, tmp_path, {KAFKA_PASSWORD_VARS["mkr"]: ""})
    assert result.returncode != 0
    assert KAFKA_PASSWORD_VARS["mkr"] in result.stderr
    assert calls == [], "kafka-init must check every organisation before it changes anything"


def test_every_node_runs_its_four_services_and_a_gateway(services: dict[str, dict[str, Any]]) -> None:
    for org in ORGS:
        for kind, port in NODE_SERVICES.items():
            name = f"{org}-{kind}"
            service = services[name]
            env = _environment(service)
            assert _as_argv(service["command"]) == ["python", "-m", f"services.{kind}", "run"], name
            assert env["BROBYGGER_ORG"] == org, name
            assert env["BROBYGGER_GRPC_ADDRESS"] == f"0.0.0.0:{port}", name
            assert env["BROBYGGER_SERVICE_CLIENT_ID"] == SERVICE_CLIENTS[org], name
            assert env["BROBYGGER_SERVICE_CLIENT_SECRET"].startswith(f"${{{CLIENT_SECRET_VARS[org]}:?"), name
            assert env["OTEL_SERVICE_NAME"] == name
            database = re.fullmatch(
                r"postgresql\+psycopg://(?P<user>\w+):\$\{[^}]+\}@postgres:5432/(?P<db>\w+)",
                env["BROBYGGER_DATABASE_URL"],
            )
            assert database and database["user"] == org and database["db"] == f"{org}_{kind}", name
            for other, other_port in NODE_SERVICES.items():
                assert env[f"BROBYGGER_{other.upper()}_ADDRESS"] == f"{org}-{other}:{other_port}", name
            assert _healthcheck_argv(service) == [
                "python", "-m", "services.common.healthcheck", f"127.0.0.1:{port}"
            ], name
            # "run" migrates the database first, so it only needs PostgreSQL up.
            for dependency in ("postgres", "kafka", "keycloak"):
                assert service["depends_on"][dependency]["condition"] == "service_healthy", name

        gateway = services[f"{org}-gateway"]
        env = _environment(gateway)
        assert _as_argv(gateway["command"]) == ["python", "-m", "gateway"]
        assert env["BROBYGGER_GATEWAY_MODE"] == "node"
        assert env["BROBYGGER_ORG"] == org
        assert env["BROBYGGER_HTTP_ADDRESS"] == "0.0.0.0:8080"
        assert gateway["ports"] == [f"{GATEWAY_PORTS[org]}:8080"]
        assert "/healthz" in " ".join(_healthcheck_argv(gateway))
        for kind in NODE_SERVICES:
            assert gateway["depends_on"][f"{org}-{kind}"]["condition"] == "service_healthy"


def test_the_hub(services: dict[str, dict[str, Any]]) -> None:
    reporting = services["hub-reporting"]
    env = _environment(reporting)
    assert _as_argv(reporting["command"]) == ["python", "-m", "services.reporting", "hub"]
    assert "BROBYGGER_ORG" not in env
    assert env["BROBYGGER_SERVICE_CLIENT_ID"] == SERVICE_CLIENTS["hub"]
    assert env["BROBYGGER_FEDERATION_DIRECTORY"] == "/etc/brobygger/federation.json"
    port = env["BROBYGGER_GRPC_ADDRESS"].rsplit(":", 1)[1]
    assert _healthcheck_argv(reporting) == ["python", "-m", "services.common.healthcheck", f"127.0.0.1:{port}"]

    gateway = services["hub-gateway"]
    env = _environment(gateway)
    assert _as_argv(gateway["command"]) == ["python", "-m", "gateway"]
    assert "BROBYGGER_ORG" not in env
    assert env["BROBYGGER_GATEWAY_MODE"] == "hub"
    assert env["BROBYGGER_HUB_ADDRESS"] == f"hub-reporting:{port}"
    assert gateway["ports"] == [f"{GATEWAY_PORTS['hub']}:8080"]
    assert gateway["depends_on"]["hub-reporting"]["condition"] == "service_healthy"


def test_every_app_process_is_configured_for_production(services: dict[str, dict[str, Any]]) -> None:
    apps = _app_services(services)
    assert len(apps) == len(ORGS) * (len(NODE_SERVICES) + 1) + 2
    for name, service in apps.items():
        env = _environment(service)
        assert env["BROBYGGER_ENV"] == "production", name
        assert env["BROBYGGER_OIDC_ISSUER"] == OIDC_ISSUER, name
        assert env["BROBYGGER_OIDC_AUDIENCE"] == "brobygger-api", name
        assert env["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://otel-collector:4317", name
        assert env.get("OTEL_SERVICE_NAME"), name
        assert service["build"] == {"context": ".", "dockerfile": "deploy/Dockerfile"}, name
        if env.get("BROBYGGER_FEDERATION_DIRECTORY"):
            targets = [c["target"] for c in service.get("configs", []) if isinstance(c, dict)]
            assert env["BROBYGGER_FEDERATION_DIRECTORY"] in targets, f"{name}: directory not mounted"


def test_depends_on_is_consistent(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        depends_on = service.get("depends_on") or {}
        if isinstance(depends_on, list):
            depends_on = {target: {"condition": "service_started"} for target in depends_on}
        for target, spec in depends_on.items():
            assert target in services, f"{name} depends on unknown service {target}"
            condition = spec.get("condition", "service_started")
            if condition == "service_healthy":
                assert "healthcheck" in services[target], f"{name} waits for {target}, which has no healthcheck"
            elif condition == "service_completed_successfully":
                assert services[target].get("restart") == "no", f"{target} must be a one-shot (restart: 'no')"
            else:
                assert condition == "service_started", f"{name}: unknown condition {condition}"


def test_host_ports_do_not_clash(services: dict[str, dict[str, Any]]) -> None:
    published: dict[str, str] = {}
    for name, service in services.items():
        for port in service.get("ports") or []:
            host = str(port).rsplit(":", 1)[0]
            assert host not in published, f"{name} and {published.get(host)} both publish {host}"
            published[host] = name


def test_the_federation_directory_matches_compose(services: dict[str, dict[str, Any]]) -> None:
    directory = json.loads(FEDERATION_DIRECTORY.read_text(encoding="utf-8"))
    assert set(directory) == {"nodes"}
    nodes = directory["nodes"]
    assert [node["org"] for node in nodes] == list(ORGS)
    for node in nodes:
        assert set(node) == {"org", "name", "reporting", "referral"}, node
        assert node["name"].strip(), node
        for kind in ("reporting", "referral"):
            host, _, port = node[kind].partition(":")
            assert host == f"{node['org']}-{kind}", node
            env = _environment(services[host])
            assert env["BROBYGGER_GRPC_ADDRESS"] == f"0.0.0.0:{port}", f"{host} does not listen on {port}"
    # Whoever calls the addresses in the directory must be able to reach them; a node's gateway
    # reads only the names (for its pages) and calls no other node.
    readers = [
        name
        for name, service in _app_services(services).items()
        if _environment(service).get("BROBYGGER_FEDERATION_DIRECTORY")
    ]
    assert "hub-reporting" in readers and all(f"{org}-referral" in readers for org in ORGS)
    assert all(f"{org}-gateway" in readers for org in ORGS)
    for reader in (r for r in readers if not r.endswith("-gateway")):
        for node in nodes:
            kinds = ("reporting",) if reader == "hub-reporting" else ("referral",)
            for kind in kinds:
                target = node[kind].partition(":")[0]
                assert _networks(services[reader]) & _networks(services[target]), (
                    f"{reader} cannot reach {target}"
                )


def test_networks_keep_nodes_and_hub_apart(services: dict[str, dict[str, Any]]) -> None:
    hub = _networks(services["hub-reporting"]) | _networks(services["hub-gateway"])
    assert not hub & _networks(services["kafka"]), "the hub must not reach the nodes' Kafka"
    assert not hub & _networks(services["postgres"]), "the hub must not reach the nodes' databases"
    for org in ORGS:
        private = _networks(services[f"{org}-membership"]) | _networks(services[f"{org}-events"])
        assert not private & hub, f"the hub can reach {org}'s private services"
        for other in ORGS:
            if other != org:
                assert not private & _networks(services[f"{other}-gateway"])


def test_postgres_init_creates_every_database_compose_uses(services: dict[str, dict[str, Any]]) -> None:
    sql = POSTGRES_INIT.read_text(encoding="utf-8")
    created = dict(re.findall(r"CREATE DATABASE (\w+) OWNER (\w+);", sql))
    roles = set(re.findall(r"CREATE ROLE (\w+) LOGIN PASSWORD :'(\w+)';", sql))
    role_names = {role for role, _ in roles}
    for name, service in services.items():
        url = _environment(service).get("BROBYGGER_DATABASE_URL")
        if url:
            match = re.fullmatch(r"postgresql\+psycopg://(\w+):[^@]+@postgres:5432/(\w+)", url)
            assert match, f"{name}: unexpected database URL {url}"
            user, database = match.groups()
            assert created.get(database) == user, f"{name}: database {database} owned by {user} is not created"
            assert user in role_names
    keycloak = _environment(services["keycloak"])
    assert created.get(keycloak["KC_DB_URL_DATABASE"]) == keycloak["KC_DB_USERNAME"]
    # Each password the script reads must reach the postgres container.
    postgres_env = _environment(services["postgres"])
    for variable in re.findall(r"^\\getenv \w+ (\w+)$", sql, flags=re.M):
        assert variable in postgres_env, f"postgres does not receive {variable}"
    mounted = [c["target"] for c in services["postgres"].get("configs", [])]
    assert any(target.startswith("/docker-entrypoint-initdb.d/") for target in mounted)


def test_dockerfile_builds_a_non_root_image_of_the_project() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    instructions = [
        line.strip()
        for line in re.sub(r"\\\n", " ", text).splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    froms = [line for line in instructions if line.upper().startswith("FROM ")]
    assert froms and froms[-1].split()[1] == "python:3.11-slim"
    users = [line.split()[1] for line in instructions if line.upper().startswith("USER ")]
    assert users and users[-1].split(":")[0] not in ("root", "0"), "the image must not run as root"
    assert any(re.search(r"\bpip install\b.*\s/src\b", line) for line in instructions), (
        "the project must be installed with pip from pyproject.toml"
    )


def _interpolate(text: str, values: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        if match.group(1) == "$":
            return "$"
        if match.group("bare"):
            return values.get(match.group("bare"), "")
        inner = match.group("braced")
        name = re.match(r"[A-Za-z_][A-Za-z0-9_]*", inner).group(0)
        rest = inner[len(name):]
        if name in values:
            return values[name]
        if rest.startswith((":-", "-")):
            return rest.split("-", 1)[1]
        raise AssertionError(f"${{{inner}}} has no value in deploy/compose.env.example")

    return _INTERPOLATION.sub(replace, text)


def _process_kind(service: dict[str, Any]) -> str:
    """The name a process gives services.common.settings.load."""
    argv = _as_argv(service.get("command"))
    module = next(_python_modules(argv))
    if module == "gateway":
        return "gateway"
    if argv[-1] == "hub":
        return "hub"
    return module.rsplit(".", 1)[1]


def test_every_process_accepts_its_environment(services: dict[str, dict[str, Any]]) -> None:
    """Each container's environment, filled from the example env file, passes
    the same validation the process runs when it starts."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from services.common.settings import load

    example = _env_example()
    problems: dict[str, list[str]] = {}
    for name, service in _app_services(services).items():
        environ = {
            key: _interpolate(value, example)
            for key, value in _environment(service).items()
            if value is not None
        }
        try:
            load(_process_kind(service), environ, needs_org="BROBYGGER_ORG" in environ)
        except SystemExit as exc:
            problems[name] = list(getattr(exc, "problems", [str(exc)]))
    assert not problems, "these containers would refuse to start:\n" + "\n".join(
        f"  {name}: {'; '.join(found)}" for name, found in sorted(problems.items())
    )


# ---------------------------------------------------------------------------
# OpenTelemetry collector
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def otel() -> dict[str, Any]:
    return _load_yaml(OTEL_CONFIG)


def test_collector_pipelines_are_wired(otel: dict[str, Any], services: dict[str, dict[str, Any]]) -> None:
    protocols = otel["receivers"]["otlp"]["protocols"]
    assert protocols["grpc"]["endpoint"].endswith(":4317")
    assert protocols["http"]["endpoint"].endswith(":4318")
    pipelines = otel["service"]["pipelines"]
    for signal, pipeline in pipelines.items():
        for section in ("receivers", "processors", "exporters"):
            for component in pipeline.get(section, []):
                assert component in otel[section], f"{signal}: {component} is not defined under {section}"
        processors = pipeline["processors"]
        assert "batch" in processors and "attributes/pii" in processors and "redaction/pii" in processors
        assert processors.index("attributes/pii") < processors.index("batch")
    traces = pipelines["traces"]
    jaeger = [e for e in traces["exporters"] if e.split("/")[0] in ("otlp", "otlp_grpc")]
    assert jaeger and otel["exporters"][jaeger[0]]["endpoint"] == "jaeger:4317"
    assert _environment(services["jaeger"]).get("COLLECTOR_OTLP_ENABLED") == "true"
    assert "127.0.0.1:16686:16686" in services["jaeger"]["ports"]


def test_collector_patterns_are_valid_for_go(otel: dict[str, Any]) -> None:
    # The collector compiles these with Go's RE2: no lookaround, no backreferences.
    patterns = [a["pattern"] for a in otel["processors"]["attributes/pii"]["actions"] if "pattern" in a]
    patterns += otel["processors"]["redaction/pii"]["blocked_values"]
    for pattern in patterns:
        re.compile(pattern)
        assert not re.search(r"\(\?<?[=!]|\\[1-9]", pattern), f"RE2 cannot compile {pattern!r}"


def _deleted_by_collector(otel: dict[str, Any], key: str) -> bool:
    for action in otel["processors"]["attributes/pii"]["actions"]:
        if action["action"] == "delete":
            if action.get("key") == key or ("pattern" in action and re.search(action["pattern"], key)):
                return True
    return False


@pytest.mark.parametrize(
    "key",
    [
        "name", "full_name", "member.name", "user.name", "firstName", "fornavn", "etternavn",
        "email", "user.email", "e-post", "phone", "phone_number", "telefon", "mobilnummer",
        "date_of_birth", "birthdate", "fodselsdato", "fødselsnummer", "personnummer",
        "address", "home_address", "postnummer", "gender", "religion", "enduser.id",
        "client.address", "user_agent.original", "password", "access_token",
    ],
)
def test_collector_deletes_personal_attributes(otel: dict[str, Any], key: str) -> None:
    assert _deleted_by_collector(otel, key), f"attribute {key!r} would reach Jaeger"


@pytest.mark.parametrize(
    "key",
    [
        "rpc.system", "rpc.service", "rpc.method", "rpc.grpc.status_code", "http.route",
        "http.request.method", "http.response.status_code", "server.address", "server.port",
        "db.system", "db.operation", "messaging.system", "brobygger.org", "brobygger.cell_count",
    ],
)
def test_collector_keeps_technical_attributes(otel: dict[str, Any], key: str) -> None:
    assert not _deleted_by_collector(otel, key), f"attribute {key!r} is deleted needlessly"


@pytest.mark.parametrize(
    "value, masked",
    [
        ("kari.nordmann@example.no", True),
        ("01019012345", True),
        ("010190 12345", True),
        ("+47 912 34 567", True),
        ("0047 22 33 44 55", True),
        ("91234567", True),
        ("912 34 567", True),
        ("/brobygger.membership.v1.Membership/GetMember", False),
        ("SELECT 1", False),
        ("mir-reporting:50054", False),
    ],
)
def test_collector_masks_personal_values(otel: dict[str, Any], value: str, masked: bool) -> None:
    patterns = otel["processors"]["redaction/pii"]["blocked_values"]
    assert otel["processors"]["redaction/pii"]["allow_all_keys"] is True
    assert any(re.search(pattern, value) for pattern in patterns) is masked
