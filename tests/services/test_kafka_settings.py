"""Kafka connection security: read from the environment and validated at start,
then carried by every Kafka client a node builds (outbox relays, the reporting
consumer, topic creation).

No SASL broker runs here: the development broker (Tansu 0.6.0) can require
SCRAM authentication, but with the only storage it is built with (memory) no
user can be created while authentication is required, so nothing could log in.
The clients are therefore checked at the point where they are handed to
kafka-python; the compose tests (tests/deploy) check the broker side.
"""
from __future__ import annotations

import threading

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer

from services.common import kafka as kafka_module
from services.common.consumer import IdempotentConsumer
from services.common.kafka import PLAINTEXT, KafkaSecurity, ensure_topics, make_consumer, make_producer
from services.common.outbox import OutboxRelay
from services.common.settings import ConfigError, load

SASL = {
    "BROBYGGER_ORG": "mir",
    "BROBYGGER_KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
    "BROBYGGER_KAFKA_USERNAME": "node-mir",
    "BROBYGGER_KAFKA_PASSWORD": "kafka-password-of-mir",
}
NODE_MIR = KafkaSecurity("SASL_PLAINTEXT", "SCRAM-SHA-512", "node-mir", "kafka-password-of-mir")


def problems(environ: dict[str, str], service: str = "membership") -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load(service, environ)
    return caught.value.problems


# ---------------------------------------------------------------- settings


def test_the_default_is_plaintext_without_credentials():
    settings = load("membership", {"BROBYGGER_ORG": "mir"})
    assert KafkaSecurity.from_settings(settings) == PLAINTEXT
    assert PLAINTEXT.client_options() == {"security_protocol": "PLAINTEXT"}


def test_sasl_takes_the_nodes_user_and_scram_sha_512_by_default():
    security = KafkaSecurity.from_settings(load("membership", SASL))
    assert security == NODE_MIR
    assert security.client_options() == {
        "security_protocol": "SASL_PLAINTEXT", "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "node-mir", "sasl_plain_password": "kafka-password-of-mir",
    }


def test_sasl_ssl_with_the_brokers_ca(tmp_path):
    ca = tmp_path / "kafka-ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n", encoding="utf-8")
    settings = load("reporting", {**SASL, "BROBYGGER_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
                                  "BROBYGGER_KAFKA_SASL_MECHANISM": "SCRAM-SHA-256",
                                  "BROBYGGER_KAFKA_SSL_CAFILE": str(ca)})
    assert KafkaSecurity.from_settings(settings).client_options() == {
        "security_protocol": "SASL_SSL", "sasl_mechanism": "SCRAM-SHA-256", "sasl_plain_username": "node-mir",
        "sasl_plain_password": "kafka-password-of-mir", "ssl_cafile": str(ca),
    }


def test_sasl_without_credentials_names_both_variables():
    found = problems({"BROBYGGER_ORG": "mir", "BROBYGGER_KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT"})
    assert [p.split(" ", 1)[0] for p in found] == ["BROBYGGER_KAFKA_USERNAME", "BROBYGGER_KAFKA_PASSWORD"]
    assert all("is not set" in p and "required with SASL_PLAINTEXT" in p for p in found)


@pytest.mark.parametrize("changes, expected", [
    ({"BROBYGGER_KAFKA_SECURITY_PROTOCOL": "SASL"},
     "BROBYGGER_KAFKA_SECURITY_PROTOCOL='SASL' is not one of PLAINTEXT, SASL_PLAINTEXT, SASL_SSL"),
    ({"BROBYGGER_KAFKA_SASL_MECHANISM": "GSSAPI"},
     "BROBYGGER_KAFKA_SASL_MECHANISM='GSSAPI' is not one of SCRAM-SHA-512, SCRAM-SHA-256, PLAIN"),
    ({"BROBYGGER_KAFKA_SASL_MECHANISM": "PLAIN"}, "would send the Kafka password in clear text"),
    ({"BROBYGGER_KAFKA_SSL_CAFILE": "/etc/ssl/kafka-ca.pem"},
     "BROBYGGER_KAFKA_SSL_CAFILE is used with BROBYGGER_KAFKA_SECURITY_PROTOCOL=SASL_SSL only"),
    ({"BROBYGGER_KAFKA_SECURITY_PROTOCOL": "SASL_SSL", "BROBYGGER_KAFKA_SSL_CAFILE": "/nonexistent/ca.pem"},
     "BROBYGGER_KAFKA_SSL_CAFILE='/nonexistent/ca.pem' is not a file"),
])
def test_unusable_sasl_settings_are_refused_at_start(changes, expected):
    found = problems({**SASL, **changes})
    assert len(found) == 1 and expected in found[0], found


@pytest.mark.parametrize("variable", ["BROBYGGER_KAFKA_USERNAME", "BROBYGGER_KAFKA_PASSWORD",
                                      "BROBYGGER_KAFKA_SASL_MECHANISM"])
def test_credentials_without_sasl_are_refused_rather_than_ignored(variable):
    found = problems({"BROBYGGER_ORG": "mir", variable: "SCRAM-SHA-512"})
    assert found == [f"{variable} is set, but BROBYGGER_KAFKA_SECURITY_PROTOCOL='PLAINTEXT' does not use it; "
                     f"set BROBYGGER_KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT (or SASL_SSL), or unset {variable}."]


def test_every_problem_is_reported_at_once():
    found = problems({"BROBYGGER_KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT", "BROBYGGER_GRPC_ADDRESS": "nowhere"})
    assert {p.split(" ", 1)[0].split("=", 1)[0] for p in found} == {
        "BROBYGGER_ORG", "BROBYGGER_GRPC_ADDRESS", "BROBYGGER_KAFKA_USERNAME", "BROBYGGER_KAFKA_PASSWORD"}


def test_the_password_is_in_no_representation():
    settings = load("membership", SASL)
    for text in (repr(settings), str(settings), repr(KafkaSecurity.from_settings(settings))):
        assert "kafka-password-of-mir" not in text
    assert "kafka-password-of-mir" not in " ".join(problems({**SASL, "BROBYGGER_KAFKA_SASL_MECHANISM": "PLAIN"}))


def test_the_gateway_and_the_hub_need_no_kafka_settings():
    for service, environ in (("gateway", {"BROBYGGER_ORG": "mir"}), ("hub", {})):
        settings = load(service, {**environ, "BROBYGGER_ENV": "production", "BROBYGGER_OIDC_ALLOW_HTTP": "true",
                                  "BROBYGGER_SERVICE_CLIENT_SECRET": "s", "BROBYGGER_WEB_SECRET_KEY": "w" * 32},
                        needs_org=bool(environ))
        assert KafkaSecurity.from_settings(settings) == PLAINTEXT


# ---------------------------------------------------------------- the clients


@pytest.mark.parametrize("client", [KafkaProducer, KafkaConsumer, KafkaAdminClient])
def test_kafka_python_knows_every_option(client, tmp_path):
    security = KafkaSecurity("SASL_SSL", "SCRAM-SHA-512", "node-mir", "pw", ssl_cafile=str(tmp_path / "ca.pem"))
    assert set(security.client_options()) <= set(client.DEFAULT_CONFIG)


class Recorder:
    """Stands in for a kafka-python client class: records the configuration it was given."""

    def __init__(self, calls: list, **methods) -> None:
        self.calls = calls
        self.methods = methods

    def __call__(self, **config):
        self.calls.append(config)
        client = type("Client", (), {})()
        for name, result in self.methods.items():
            setattr(client, name, lambda *a, _result=result, **k: _result)
        return client


def test_producer_consumer_and_admin_client_carry_the_security(monkeypatch):
    calls: dict[str, list] = {"producer": [], "consumer": [], "admin": []}
    monkeypatch.setattr(kafka_module, "KafkaProducer", Recorder(calls["producer"]))
    monkeypatch.setattr(kafka_module, "KafkaConsumer", Recorder(calls["consumer"]))
    monkeypatch.setattr(kafka_module, "KafkaAdminClient",
                        Recorder(calls["admin"], list_topics=["mir.membership"], close=None))
    make_producer("kafka:9092", "mir-membership-relay", NODE_MIR)
    make_consumer("kafka:9092", "mir.reporting", "mir-reporting", NODE_MIR)
    ensure_topics("kafka:9092", ["mir.membership"], security=NODE_MIR)
    for kind, made in calls.items():
        (config,) = made
        assert config["bootstrap_servers"] == ["kafka:9092"], kind
        assert {k: config[k] for k in NODE_MIR.client_options()} == NODE_MIR.client_options(), kind
    # The producer keeps its delivery guarantees whatever the security.
    assert (calls["producer"][0]["acks"], calls["producer"][0]["enable_idempotence"]) == ("all", True)


def test_the_outbox_relay_connects_with_its_security(monkeypatch):
    seen = []
    monkeypatch.setattr(kafka_module, "ensure_topics", lambda bootstrap, topics, **kw: seen.append(("topics", kw)))
    monkeypatch.setattr(kafka_module, "make_producer",
                        lambda bootstrap, client_id, security: seen.append(("producer", security)) or object())
    OutboxRelay(None, None, "kafka:9092", name="mir-membership", security=NODE_MIR)._ensure({"mir.membership"})
    assert seen == [("topics", {"security": NODE_MIR}), ("producer", NODE_MIR)]
    seen.clear()
    OutboxRelay(None, None, "127.0.0.1:9092", name="dev-membership")._ensure({"dev.membership"})
    assert seen == [("topics", {"security": PLAINTEXT}), ("producer", PLAINTEXT)]


def test_the_consumer_connects_with_its_security(monkeypatch):
    seen = []
    stop = threading.Event()

    class FakeConsumer:
        def subscribe(self, topics):
            seen.append(("subscribe", topics))
            stop.set()

        def close(self, autocommit=True):
            seen.append(("close", autocommit))

    monkeypatch.setattr(kafka_module, "ensure_topics", lambda bootstrap, topics, **kw: seen.append(("topics", kw)))
    monkeypatch.setattr(kafka_module, "make_consumer",
                        lambda bootstrap, group, client_id, security: seen.append(("consumer", group, security))
                        or FakeConsumer())
    consumer = IdempotentConsumer(None, "kafka:9092", consumer_name="mir-reporting", group_id="mir.reporting",
                                  topics=["mir.membership"], handler=None, security=NODE_MIR)
    consumer.run(stop)
    assert seen == [("topics", {"security": NODE_MIR}), ("consumer", "mir.reporting", NODE_MIR),
                    ("subscribe", ["mir.membership"]), ("close", False)]


# ---------------------------------------------------------------- the composition roots


@pytest.mark.parametrize("service", ["membership", "events", "referral", "reporting"])
def test_every_node_service_gives_its_kafka_workers_the_nodes_user(service, tmp_path):
    import importlib

    build = importlib.import_module(f"services.{service}.bootstrap").build
    settings = load(service, {**SASL, "BROBYGGER_DATABASE_URL": f"sqlite:///{tmp_path}/{service}.db"})
    app = build(settings)
    try:
        workers = app.workers["consume" if service == "reporting" else "relay"]
        assert workers and all(w.security == NODE_MIR for w in workers)
    finally:
        app.close()
