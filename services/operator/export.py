"""Data-subject requests from the operator's command line (GDPR Art. 15, 17, 20).

    python -m services.operator export PERSON_ID --purpose "the person's letter of 3 December" [--out FILE]
        [--on-behalf-of USER]
    python -m services.operator erasure-status [ERASURE_ID]
    python -m services.operator erasure-resend ERASURE_ID [--on-behalf-of USER]

``export`` writes everything the node holds about a person as one JSON document (the same as the web
app's and the REST API's, format brobygger.person-data-export.v1) to FILE, or to standard output.
``erasure-status`` lists the erasure log, or shows one erasure's progress per service. ``erasure-resend``
resumes an erasure stuck in progress (a service dead-lettered the request, or its consumer was down for
longer than the topic keeps it): membership sends the request again to the services that have not
confirmed; each applies an erasure once, so it is safe to repeat. They call the
node's services over gRPC with the node's service credentials (BROBYGGER_SERVICE_CLIENT_ID / _SECRET,
the addresses in BROBYGGER_{MEMBERSHIP,EVENTS,REFERRAL,REPORTING}_ADDRESS); every service writes the
export (and membership a resend) to its audit log, naming the user given with --on-behalf-of (the operator)
as the actor.
Erasing a person is a coordinator's decision, made in the web app or the REST API, not here.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import sys
import uuid
from typing import Callable, Iterator, Mapping

import grpc
from google.protobuf import json_format

from brobygger.datasubject.v1 import datasubject_pb2
from brobygger.membership.v1 import erasure_pb2, erasure_pb2_grpc
from services.common.audit import ON_BEHALF_OF_HEADER, encode_on_behalf_of
from services.common.datasubject import SERVICES
from services.common.datasubject_client import document_json, gather_export
from services.common.grpcclient import decode_error
from services.common.settings import ConfigError, Settings, load

TIMEOUT = 15.0


def export_person(channels: Mapping[str, grpc.Channel], org: str, person_id: str, purpose: str, *,
                  on_behalf_of: str = "") -> dict:
    """The person's export as the JSON document (a dict), asked of every service of the node."""
    metadata = [(ON_BEHALF_OF_HEADER, encode_on_behalf_of(on_behalf_of))] if on_behalf_of else []
    person = person_id if "/" in person_id else f"organizations/{org}/persons/{person_id}"
    document: datasubject_pb2.PersonDataExport = gather_export(
        channels, person, purpose, exported_by=on_behalf_of, timeout=TIMEOUT, metadata=metadata)
    return document_json(document)


def erasure_status(channel: grpc.Channel, org: str, erasure_id: str = "") -> list[dict]:
    """One erasure (by id) or the newest page of the log, each as a dict."""
    stub = erasure_pb2_grpc.ErasureServiceStub(channel)
    if erasure_id:
        name = erasure_id if "/" in erasure_id else f"organizations/{org}/erasures/{erasure_id}"
        found = [stub.GetErasure(erasure_pb2.GetErasureRequest(name=name), timeout=TIMEOUT)]
    else:
        found = list(stub.ListErasures(erasure_pb2.ListErasuresRequest(parent=f"organizations/{org}", page_size=200),
                                       timeout=TIMEOUT).erasures)
    return [json_format.MessageToDict(e, preserving_proto_field_name=True) for e in found]


def erasure_resend(channel: grpc.Channel, org: str, erasure_id: str, *, on_behalf_of: str = "") -> dict:
    """Send an erasure in progress again to the services that have not confirmed; the erasure as a dict."""
    metadata = [(ON_BEHALF_OF_HEADER, encode_on_behalf_of(on_behalf_of))] if on_behalf_of else []
    name = erasure_id if "/" in erasure_id else f"organizations/{org}/erasures/{erasure_id}"
    erasure = erasure_pb2_grpc.ErasureServiceStub(channel).ResendErasure(
        erasure_pb2.ResendErasureRequest(name=name, request_id=str(uuid.uuid4())), timeout=TIMEOUT,
        metadata=metadata)
    return json_format.MessageToDict(erasure, preserving_proto_field_name=True)


@contextlib.contextmanager
def node_channels(settings: Settings) -> Iterator[dict[str, grpc.Channel]]:
    """Channels to the node's services, carrying the node's service token."""
    from services.common import grpcclient
    from services.common.auth import ServiceTokenSource

    tokens = ServiceTokenSource(settings.oidc_issuer, settings.service_client_id, settings.service_client_secret)
    addresses = {"membership": settings.membership_address, "events": settings.events_address,
                 "referral": settings.referral_address, "reporting": settings.reporting_address}
    channels = {name: grpcclient.channel(addresses[name], tokens.token, TIMEOUT) for name in SERVICES}
    try:
        yield channels
    finally:
        for ch in channels.values():
            ch.close()


def _fail(error: grpc.RpcError) -> int:
    problem = decode_error(error)
    print(f"error: {problem.code.name} {problem.reason}: {problem.message}", file=sys.stderr)
    for field, description in problem.violations:
        print(f"  {field}: {description}", file=sys.stderr)
    return 1


def _settings() -> Settings:
    return load("operator")


def run_export(args: argparse.Namespace, settings: Callable[[], Settings] = _settings) -> int:
    s = settings()
    with node_channels(s) as channels:
        try:
            document = export_person(channels, s.org, args.person, args.purpose, on_behalf_of=args.on_behalf_of)
        except grpc.RpcError as exc:
            return _fail(exc)
    text = json.dumps(document, ensure_ascii=False, indent=2)
    if args.out:
        with open(args.out, "x", encoding="utf-8") as f:  # never overwrite another person's export
            f.write(text + "\n")
        print(f"wrote {args.out}", file=sys.stderr)
    else:
        print(text)
    return 0


def run_erasure_status(args: argparse.Namespace, settings: Callable[[], Settings] = _settings) -> int:
    s = settings()
    with node_channels(s) as channels:
        try:
            found = erasure_status(channels["membership"], s.org, args.erasure)
        except grpc.RpcError as exc:
            return _fail(exc)
    for e in found:
        pending = [p["service"] for p in e.get("services", []) if not p.get("complete_time")]
        print(f"{e['name']}  {e.get('state', '')}  {e.get('reason', '')}  requested {e.get('create_time', '')}"
              + (f"  waiting for: {', '.join(pending)}" if pending else ""))
    return 0


def run_erasure_resend(args: argparse.Namespace, settings: Callable[[], Settings] = _settings) -> int:
    s = settings()
    with node_channels(s) as channels:
        try:
            e = erasure_resend(channels["membership"], s.org, args.erasure, on_behalf_of=args.on_behalf_of)
        except grpc.RpcError as exc:
            return _fail(exc)
    pending = [p["service"] for p in e.get("services", []) if not p.get("complete_time")]
    print(f"{e['name']}  sent again to: {', '.join(pending)}")
    print("follow it with: erasure-status " + e["name"].rsplit("/", 1)[-1], file=sys.stderr)
    return 0


def register(subparsers) -> None:
    """Add the export, erasure-status and erasure-resend commands to the operator's command line."""
    p = subparsers.add_parser("export", help="write everything the node holds about a person as JSON (Art. 15, 20)",
                              description=__doc__.split("\n\n")[1],
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("person", help="the person's id (or organizations/{org}/persons/{id})")
    p.add_argument("--purpose", required=True, help="why the data is exported; written to every audit log")
    p.add_argument("--out", help="file to write (must not exist); standard output when left out")
    p.add_argument("--on-behalf-of", default="", help="the operator's user name, named in the audit logs")
    p.set_defaults(func=run_export)
    s = subparsers.add_parser("erasure-status", help="the erasure log, or one erasure's progress per service")
    s.add_argument("erasure", nargs="?", default="", help="an erasure's id; the whole log when left out")
    s.set_defaults(func=run_erasure_status)
    r = subparsers.add_parser("erasure-resend", help="send an erasure stuck in progress again to the services that "
                                                     "have not confirmed")
    r.add_argument("erasure", help="the erasure's id (or organizations/{org}/erasures/{id})")
    r.add_argument("--on-behalf-of", default="", help="the operator's user name, named in membership's audit log")
    r.set_defaults(func=run_erasure_resend)


def main(argv: list[str] | None = None) -> int:
    """This module's commands on their own (the operator's command line discovers register())."""
    parser = argparse.ArgumentParser(prog="python -m services.operator.export")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ConfigError as exc:
        print("\n".join(exc.problems), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
