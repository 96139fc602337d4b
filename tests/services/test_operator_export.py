"""The operator's export and erasure status against the node's real services, with the node's own
service credentials from the dev issuer (SQLite and PostgreSQL)."""
from __future__ import annotations

import argparse
import json

import sqlalchemy as sa

from brobygger.membership.v1 import erasure_pb2, erasure_pb2_grpc
from services.common.settings import load
from services.operator import export as operator
from tests.services.test_erasure import _family, coord, node  # noqa: F401


def settings_for(node, issuer):
    env = {"BROBYGGER_ORG": "mir", "BROBYGGER_OIDC_ISSUER": issuer.url,
           **{f"BROBYGGER_{n.upper()}_ADDRESS": s.address for n, s in node.services.items()}}
    return lambda: load("operator", env)


def test_the_operator_exports_a_person_to_a_file_audited_in_their_name(node, coord, issuer, tmp_path, capsys):
    mother, son, *_ = _family(node, coord)
    out = tmp_path / "export.json"
    args = argparse.Namespace(person=son.name.rsplit("/", 1)[1], purpose="letter of 3 December", out=str(out),
                              on_behalf_of="operator-anna")
    assert operator.run_export(args, settings_for(node, issuer)) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["format"] == "brobygger.person-data-export.v1" and doc["person"] == son.name
    membership = next(s for s in doc["services"] if s["service"] == "membership")
    assert next(t for t in membership["tables"] if t["table"] == "persons")["rows"][0]["given_name"] == "Bilal"
    for name in ("membership", "events", "referral", "reporting"):
        app = node.app(name)
        audit = app.tables["audit_log"]
        with app.engine.connect() as conn:
            [line] = conn.execute(sa.select(audit).where(audit.c.action == "person.export")).all()
        assert (line.actor, line.purpose) == ("operator-anna", "letter of 3 December")
        assert line.actor_client == "service-account-node-mir on behalf of operator-anna"
    # A file is never overwritten; an unknown person is an error with the service's reason.
    assert operator.run_export(argparse.Namespace(person="nobody", purpose="x", out="", on_behalf_of=""),
                               settings_for(node, issuer)) == 0  # nothing held: an empty export is an answer
    assert json.loads(capsys.readouterr().out)["services"][0]["tables"][0]["rows"] == []
    bad = operator.run_export(argparse.Namespace(person="p1", purpose="", out="", on_behalf_of=""),
                              settings_for(node, issuer))
    assert bad == 1 and "PURPOSE_REQUIRED" in capsys.readouterr().err


def test_the_operator_follows_the_erasure_log(node, coord, issuer, capsys):
    mother, *_ = _family(node, coord)
    erasure = erasure_pb2_grpc.ErasureServiceStub(node.channels["membership"]).RequestErasure(
        erasure_pb2.RequestErasureRequest(person=mother.name, reason=erasure_pb2.ERASURE_REASON_OBJECTION,
                                          confirm=True), metadata=coord, timeout=10)
    eid = erasure.name.rsplit("/", 1)[1]
    assert operator.run_erasure_status(argparse.Namespace(erasure=eid), settings_for(node, issuer)) == 0
    line = capsys.readouterr().out
    assert erasure.name in line and "STATE_IN_PROGRESS" in line and "waiting for: events, referral, reporting" in line
    assert operator.run_erasure_status(argparse.Namespace(erasure=""), settings_for(node, issuer)) == 0
    assert capsys.readouterr().out.count("organizations/mir/erasures/") == 1
    parser = argparse.ArgumentParser()
    operator.register(parser.add_subparsers(dest="command"))
    assert parser.parse_args(["export", "p1", "--purpose", "x"]).func is operator.run_export


def test_the_operator_resends_a_stuck_erasure_audited_in_their_name_and_not_a_completed_one(node, coord, issuer,
                                                                                             capsys):
    mother, *_ = _family(node, coord)
    erasure = erasure_pb2_grpc.ErasureServiceStub(node.channels["membership"]).RequestErasure(
        erasure_pb2.RequestErasureRequest(person=mother.name, reason=erasure_pb2.ERASURE_REASON_OBJECTION,
                                          confirm=True), metadata=coord, timeout=10)
    eid = erasure.name.rsplit("/", 1)[1]
    node.carry("membership", ["referral", "reporting"])  # events misses it
    for source in ("referral", "reporting"):
        node.carry(source, ["membership"])
    args = argparse.Namespace(erasure=eid, on_behalf_of="operator-anna")
    assert operator.run_erasure_resend(args, settings_for(node, issuer)) == 0
    assert capsys.readouterr().out.strip() == f"{erasure.name}  sent again to: events"
    app = node.app("membership")
    audit = app.tables["audit_log"]
    with app.engine.connect() as conn:
        [line] = conn.execute(sa.select(audit).where(audit.c.action == "person.erase.resend")).all()
    assert (line.actor, line.resource) == ("operator-anna", erasure.name)
    node.carry("membership", ["events", "referral", "reporting"])
    node.carry("events", ["membership", "reporting"])
    assert operator.run_erasure_resend(args, settings_for(node, issuer)) == 1
    assert "FAILED_PRECONDITION ERASURE_COMPLETED" in capsys.readouterr().err
    parser = argparse.ArgumentParser()
    operator.register(parser.add_subparsers(dest="command"))
    assert parser.parse_args(["erasure-resend", eid]).func is operator.run_erasure_resend
