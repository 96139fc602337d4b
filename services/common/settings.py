"""Typed settings read from the environment and validated at start.

Every problem is reported at once, naming the variable and how to fix it. One
Settings object per process; nothing here reads the environment at import time.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from typing import Mapping

from services.common.names import ORG_RE

ADDRESS_RE = re.compile(r"^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9_.-]+):\d{1,5}$")

DEFAULT_PORTS = {"membership": 50051, "events": 50052, "referral": 50053, "reporting": 50054, "hub": 50060}


class ConfigError(SystemExit):
    """Raised (and exits with status 2) when the environment is not usable.

    Python prints nothing for a SystemExit with a numeric code, so entry points
    catch it and print it (see exit_on_config_error)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        text = "Brobygger cannot start; fix these settings:\n" + "\n".join(f"  - {p}" for p in problems)
        super().__init__(text)
        self.code = 2


@dataclass(frozen=True)
class Settings:
    service: str
    env: str
    org: str
    database_url: str
    grpc_address: str
    kafka_bootstrap: str
    kafka_security_protocol: str
    kafka_sasl_mechanism: str
    kafka_username: str
    kafka_password: str = field(repr=False)
    kafka_ssl_cafile: str
    oidc_issuer: str
    oidc_audience: str
    service_client_id: str
    service_client_secret: str
    membership_address: str
    events_address: str
    referral_address: str
    reporting_address: str
    hub_address: str
    http_address: str
    gateway_mode: str
    disclosure_min_cell: int
    disclosure_secret: str
    federation_directory: str
    hub_queries_per_minute: int
    hub_query_burst: int
    dp_enabled: bool
    dp_epsilon_per_query: float
    dp_budget_epsilon: float
    dp_visits_per_person: int
    data_dir: str
    log_level: str
    otel_endpoint: str
    # The web app of the gateway (gateway.web).
    web_public_url: str = ""      # the gateway's address as a browser reaches it; "" = from each request
    web_client_id: str = "brobygger-web"
    web_secret_key: str = field(default="", repr=False)  # signs the CSRF tokens
    web_session_dir: str = ""     # server-side sessions; "" = <data_dir>/<org or hub>/web-sessions
    web_session_hours: int = 10
    # The node's membership rules (fee schedule, counted members per funder): a TOML file, or "" for none.
    membership_rules: str = ""
    # membership: the age under which a guardian gives a person's consent (16 in Norway for
    # information-society services; an organisation may set another).
    consent_age: int = 16
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_development(self) -> bool:
        return self.env == "development"


class _Reader:
    def __init__(self, environ: Mapping[str, str]) -> None:
        self.environ = environ
        self.problems: list[str] = []

    def get(self, name: str, default: str | None = None, *, required: bool = False, hint: str = "") -> str:
        value = self.environ.get(name, "").strip()
        if value:
            return value
        if required:
            self.problems.append(f"{name} is not set. {hint}".strip())
            return ""
        return default or ""

    def address(self, name: str, default: str, hint: str = "") -> str:
        value = self.get(name, default)
        if value and not ADDRESS_RE.match(value):
            self.problems.append(f"{name}={value!r} is not host:port (e.g. 127.0.0.1:50051). {hint}".strip())
        return value

    def integer(self, name: str, default: int, minimum: int, maximum: int) -> int:
        raw = self.get(name, str(default))
        try:
            value = int(raw)
        except ValueError:
            self.problems.append(f"{name}={raw!r} is not a whole number; use e.g. {default}.")
            return default
        if not minimum <= value <= maximum:
            self.problems.append(f"{name}={value} is out of range; use a value from {minimum} to {maximum}.")
        return value

    def number(self, name: str, default: float, minimum: float, maximum: float) -> float:
        raw = self.get(name, str(default))
        try:
            value = float(raw)
        except ValueError:
            value = float("nan")
        if value != value or value in (float("inf"), float("-inf")):
            self.problems.append(f"{name}={raw!r} is not a number; use e.g. {default}.")
            return default
        if not minimum <= value <= maximum:
            self.problems.append(f"{name}={raw} is out of range; use a value from {minimum} to {maximum}.")
        return value

    def choice(self, name: str, default: str, choices: tuple[str, ...]) -> str:
        value = self.get(name, default)
        if value not in choices:
            self.problems.append(f"{name}={value!r} is not one of {', '.join(choices)}.")
        return value


KAFKA_SECURITY_PROTOCOLS = ("PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL")
KAFKA_SASL_MECHANISMS = ("SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN")


def _kafka_security(r: _Reader) -> dict[str, str]:
    """How the Kafka clients connect: PLAINTEXT (the development broker) or SASL with the node's own user."""
    protocol = r.choice("BROBYGGER_KAFKA_SECURITY_PROTOCOL", "PLAINTEXT", KAFKA_SECURITY_PROTOCOLS)
    names = ("BROBYGGER_KAFKA_SASL_MECHANISM", "BROBYGGER_KAFKA_USERNAME", "BROBYGGER_KAFKA_PASSWORD",
             "BROBYGGER_KAFKA_SSL_CAFILE")
    if not protocol.startswith("SASL_"):
        for name in names if protocol == "PLAINTEXT" else ():
            if r.get(name):
                r.problems.append(
                    f"{name} is set, but BROBYGGER_KAFKA_SECURITY_PROTOCOL={protocol!r} does not use it; "
                    f"set BROBYGGER_KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT (or SASL_SSL), or unset {name}."
                )
        return dict(kafka_security_protocol=protocol, kafka_sasl_mechanism="", kafka_username="",
                    kafka_password="", kafka_ssl_cafile="")
    mechanism = r.choice("BROBYGGER_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512", KAFKA_SASL_MECHANISMS)
    hint = "The node's services authenticate to Kafka as the node's own user (e.g. node-mir), created with its ACLs."
    username = r.get("BROBYGGER_KAFKA_USERNAME", required=True, hint=f"It is required with {protocol}. {hint}")
    password = r.get("BROBYGGER_KAFKA_PASSWORD", required=True, hint=f"It is required with {protocol}. {hint}")
    if mechanism == "PLAIN" and protocol == "SASL_PLAINTEXT":
        r.problems.append(
            "BROBYGGER_KAFKA_SASL_MECHANISM=PLAIN with BROBYGGER_KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT would send the "
            "Kafka password in clear text; use SCRAM-SHA-512, or PLAIN only with SASL_SSL."
        )
    cafile = r.get("BROBYGGER_KAFKA_SSL_CAFILE")
    if cafile and protocol != "SASL_SSL":
        r.problems.append("BROBYGGER_KAFKA_SSL_CAFILE is used with BROBYGGER_KAFKA_SECURITY_PROTOCOL=SASL_SSL only.")
    elif cafile and not os.path.isfile(cafile):
        r.problems.append(f"BROBYGGER_KAFKA_SSL_CAFILE={cafile!r} is not a file; give the PEM file of the CA "
                          "that signed the brokers' certificates.")
    return dict(kafka_security_protocol=protocol, kafka_sasl_mechanism=mechanism, kafka_username=username,
                kafka_password=password, kafka_ssl_cafile=cafile)


def _differential_privacy(r: _Reader) -> dict:
    """Optional differential privacy at a node's reporting service (services.reporting.domain.privacy)."""
    enabled = r.choice("BROBYGGER_DP_ENABLED", "false", ("true", "false")) == "true"
    per_query = r.number("BROBYGGER_DP_EPSILON_PER_QUERY", 1.0, 0.01, 10.0)
    budget = r.number("BROBYGGER_DP_BUDGET_EPSILON", 10.0, 0.01, 1000.0)
    visits = r.integer("BROBYGGER_DP_VISITS_PER_PERSON", 4, 1, 1000)
    if enabled and budget < per_query:
        r.problems.append(
            f"BROBYGGER_DP_BUDGET_EPSILON={budget} is less than BROBYGGER_DP_EPSILON_PER_QUERY={per_query}, so no "
            "analyst could ever be answered; raise the budget or lower the epsilon per query.")
    return dict(dp_enabled=enabled, dp_epsilon_per_query=per_query, dp_budget_epsilon=budget,
                dp_visits_per_person=visits)


def load(service: str, environ: Mapping[str, str] | None = None, *, needs_org: bool = True) -> Settings:
    """Read and validate the settings of one process (service is e.g. 'membership', 'gateway', 'hub')."""
    r = _Reader(os.environ if environ is None else environ)
    env = r.choice("BROBYGGER_ENV", "development", ("development", "production"))
    org = r.get("BROBYGGER_ORG", required=needs_org, hint="Set it to the organisation this node serves, e.g. mir.")
    if org and not ORG_RE.match(org):
        r.problems.append(f"BROBYGGER_ORG={org!r} must be a short lower-case id such as mir, mira or mkr.")
    data_dir = r.get("BROBYGGER_DATA_DIR", "var")
    default_db = f"sqlite:///{data_dir}/{org or 'hub'}/{service}.db"
    database_url = r.get("BROBYGGER_DATABASE_URL", default_db)
    if database_url and not re.match(r"^(sqlite|postgresql)(\+\w+)?://", database_url):
        r.problems.append(
            "BROBYGGER_DATABASE_URL must start with sqlite:/// or postgresql+psycopg:// "
            f"(got a URL with scheme {database_url.split(':', 1)[0]!r})."
        )
    issuer = r.get("BROBYGGER_OIDC_ISSUER", "http://127.0.0.1:8180/realms/brobygger")
    if issuer and not re.match(r"^https?://[^/]+/realms/[^/]+$", issuer):
        r.problems.append(
            f"BROBYGGER_OIDC_ISSUER={issuer!r} must be a Keycloak realm URL such as https://id.example.org/realms/brobygger."
        )
    allow_http = r.choice("BROBYGGER_OIDC_ALLOW_HTTP", "false", ("true", "false")) == "true"
    if (env == "production" and issuer.startswith("http://") and not allow_http
            and "127.0.0.1" not in issuer and "localhost" not in issuer):
        r.problems.append(
            "BROBYGGER_OIDC_ISSUER must use https in production (tokens travel over it); on a private network "
            "you may set BROBYGGER_OIDC_ALLOW_HTTP=true to accept http."
        )
    settings = Settings(
        service=service,
        env=env,
        org=org,
        database_url=database_url,
        grpc_address=r.address("BROBYGGER_GRPC_ADDRESS", f"127.0.0.1:{DEFAULT_PORTS.get(service, 0)}"),
        kafka_bootstrap=r.get("BROBYGGER_KAFKA_BOOTSTRAP", "127.0.0.1:9092"),
        **_kafka_security(r),
        oidc_issuer=issuer,
        oidc_audience=r.get("BROBYGGER_OIDC_AUDIENCE", "brobygger-api"),
        service_client_id=r.get("BROBYGGER_SERVICE_CLIENT_ID", f"node-{org}" if org else "brobygger-hub"),
        service_client_secret=r.get(
            "BROBYGGER_SERVICE_CLIENT_SECRET",
            "",
            required=env == "production" and service != "gateway",
            hint="It is the secret of the node's service client in Keycloak.",
        ),
        membership_address=r.address("BROBYGGER_MEMBERSHIP_ADDRESS", "127.0.0.1:50051"),
        events_address=r.address("BROBYGGER_EVENTS_ADDRESS", "127.0.0.1:50052"),
        referral_address=r.address("BROBYGGER_REFERRAL_ADDRESS", "127.0.0.1:50053"),
        reporting_address=r.address("BROBYGGER_REPORTING_ADDRESS", "127.0.0.1:50054"),
        hub_address=r.address("BROBYGGER_HUB_ADDRESS", "127.0.0.1:50060"),
        http_address=r.address("BROBYGGER_HTTP_ADDRESS", "127.0.0.1:8080"),
        gateway_mode=r.choice("BROBYGGER_GATEWAY_MODE", "node", ("node", "hub")),
        disclosure_min_cell=r.integer("BROBYGGER_DISCLOSURE_MIN_CELL", 5, 2, 100),
        disclosure_secret=r.get(
            "BROBYGGER_DISCLOSURE_SECRET", "", required=env == "production" and service == "reporting",
            hint="It keys the node's statistical perturbation: at least 32 random characters, kept for the node's "
                 "lifetime (a new one lets an analyst average old and new answers).",
        ),
        federation_directory=r.get("BROBYGGER_FEDERATION_DIRECTORY", ""),
        hub_queries_per_minute=r.integer("BROBYGGER_HUB_QUERIES_PER_MINUTE", 30, 1, 6000),
        hub_query_burst=r.integer("BROBYGGER_HUB_QUERY_BURST", 10, 1, 1000),
        **_differential_privacy(r),
        data_dir=data_dir,
        log_level=r.choice("BROBYGGER_LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR")),
        otel_endpoint=r.get("OTEL_EXPORTER_OTLP_ENDPOINT", ""),
        web_public_url=r.get("BROBYGGER_PUBLIC_URL", "").rstrip("/"),
        web_client_id=r.get("BROBYGGER_WEB_CLIENT_ID", "brobygger-web"),
        web_secret_key=r.get(
            "BROBYGGER_WEB_SECRET_KEY", "", required=env == "production" and service == "gateway",
            hint="It signs the web app's form tokens: at least 32 random characters (e.g. `openssl rand -hex 32`).",
        ),
        web_session_dir=r.get("BROBYGGER_WEB_SESSION_DIR", ""),
        web_session_hours=r.integer("BROBYGGER_WEB_SESSION_HOURS", 10, 1, 24 * 14),
        membership_rules=r.get("BROBYGGER_MEMBERSHIP_RULES", ""),
        consent_age=r.integer("BROBYGGER_CONSENT_AGE", 16, 13, 18),
    )
    if settings.env == "development" and not settings.service_client_secret:
        # The dev issuer's fallback secret; never used in production. Imported only here, where it is needed.
        from services.common.auth.devsecrets import dev_client_secret

        settings = replace(settings, service_client_secret=dev_client_secret(settings.service_client_id))
    if settings.disclosure_secret and len(settings.disclosure_secret) < 32:
        r.problems.append("BROBYGGER_DISCLOSURE_SECRET must be at least 32 characters (e.g. `openssl rand -hex 32`).")
    if settings.web_public_url and not re.match(r"^https?://[^/?#]+(/[^?#]*)?$", settings.web_public_url):
        r.problems.append(f"BROBYGGER_PUBLIC_URL={settings.web_public_url!r} must be the gateway's address as a "
                          "browser reaches it, such as https://mir.brobygger.example.org.")
    if settings.web_secret_key and len(settings.web_secret_key) < 32:
        r.problems.append("BROBYGGER_WEB_SECRET_KEY must be at least 32 characters (e.g. `openssl rand -hex 32`).")
    if settings.env == "development" and not settings.web_secret_key:
        settings = replace(settings, web_secret_key=f"development-only-web-secret-of-{settings.org or 'hub'}-gateway")
    if settings.env == "development" and not settings.disclosure_secret:
        settings = replace(settings, disclosure_secret=f"development-only-disclosure-secret-of-{settings.org or 'hub'}")
    if r.problems:
        raise ConfigError(r.problems)
    return settings


def membership_rules(settings: Settings):
    """The node's membership rules (services.common.counting) from BROBYGGER_MEMBERSHIP_RULES, validated;
    ConfigError naming the file, the rule and the field of every problem (or that the file cannot be read).
    Read by the services that use them when they are built, not by every process that loads settings."""
    from services.common import counting

    if not settings.membership_rules:
        return counting.NO_RULES
    try:
        return counting.load(settings.membership_rules)
    except counting.RulesError as exc:
        raise ConfigError([f"BROBYGGER_MEMBERSHIP_RULES: {p}" for p in exc.problems]) from None


def exit_on_config_error(main):
    """Wrap an entry point so that a ConfigError is printed before exiting with 2."""
    import functools
    import sys

    @functools.wraps(main)
    def wrapper(*args, **kwargs):
        try:
            return main(*args, **kwargs)
        except ConfigError as exc:
            print(exc.args[0] if exc.args else exc, file=sys.stderr)
            return 2

    return wrapper
