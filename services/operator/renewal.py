"""``renewal``: the yearly renewal of membership years, from the node operator's command line.

    python -m services.operator renewal preview --from-year 2026
    python -m services.operator renewal apply --from-year 2026 [--yes] [--request-id UUID] [--json]

Both call the node's membership service (BROBYGGER_MEMBERSHIP_ADDRESS) over gRPC with the node's service
credentials (BROBYGGER_SERVICE_CLIENT_ID and _SECRET at BROBYGGER_OIDC_ISSUER), exactly as the coordinators'
renewal page does with theirs: the membership service decides who carries over, audits the read with the
purpose given, and records the next year for each member who carries over in one transaction.

``apply`` shows the preview and asks for ``yes`` on a terminal (``--yes`` skips the question; without a
terminal it is required). It prints the request id it sends: running ``apply`` again with ``--request-id``
of a run that was cut off answers that run's result, and applying again without it creates nothing twice.
Exit status: 0 done, 1 the service refused or could not be reached, 2 wrong use or settings.
"""
from __future__ import annotations

import argparse
import sys
import uuid
from typing import Callable, TextIO

import grpc
from google.protobuf import json_format

from brobygger.membership.v1 import membership_pb2, membership_pb2_grpc
from services.common.grpcclient import channel, decode_error

DEFAULT_PURPOSE = "yearly renewal of memberships"
APPLY_TIMEOUT = 120.0
OUTCOME = {membership_pb2.RENEWAL_OUTCOME_RENEW: "renew", membership_pb2.RENEWAL_OUTCOME_KEEP: "keep",
           membership_pb2.RENEWAL_OUTCOME_LAPSE: "lapse"}
REASON = {
    membership_pb2.RENEWAL_REASON_PAID: "paid",
    membership_pb2.RENEWAL_REASON_WAIVED: "fee waived (next year invoiced)",
    membership_pb2.RENEWAL_REASON_ALREADY_RECORDED: "next year already recorded",
    membership_pb2.RENEWAL_REASON_UNPAID: "did not pay",
    membership_pb2.RENEWAL_REASON_CANCELLED: "membership cancelled",
}


def register(subparsers) -> argparse.ArgumentParser:
    """Add the ``renewal`` command (with ``preview`` and ``apply``) to the operator's command line."""
    parser = subparsers.add_parser(
        "renewal", help="preview or apply the renewal of a year's members into the next",
        description="Carry the members of a year into the next: who carries over at what fee, who does not and "
                    "why. The node's membership service decides and records; this command asks it.")
    actions = parser.add_subparsers(dest="action", metavar="action", required=True)
    for name, text in (("preview", "show what renewing would do; changes nothing"),
                       ("apply", "renew: record the next year, unpaid, for each member who carries over")):
        p = actions.add_parser(name, help=text, description=text)
        p.add_argument("--from-year", type=int, required=True, help="the year members carry over from, e.g. 2026")
        p.add_argument("--purpose", default=DEFAULT_PURPOSE,
                       help=f"why the members are read, written to the audit log (default: {DEFAULT_PURPOSE!r})")
        p.add_argument("--json", action="store_true", help="print the answer as JSON (the REST API's form)")
        if name == "apply":
            p.add_argument("--yes", action="store_true", help="apply without asking")
            p.add_argument("--request-id", default="",
                           help="the id of a run to retry (printed by every apply); default: a new one")
    parser.set_defaults(func=run)
    return parser


def _stub_from_settings() -> tuple[membership_pb2_grpc.MembershipServiceStub, str]:
    """The membership service of the node the environment names, with the node's service token."""
    from services.common.auth import ServiceTokenSource
    from services.common.settings import load

    settings = load("operator")
    tokens = ServiceTokenSource(settings.oidc_issuer, settings.service_client_id, settings.service_client_secret)
    return membership_pb2_grpc.MembershipServiceStub(channel(settings.membership_address, tokens.token)), settings.org


def write_renewal(r: membership_pb2.Renewal, out: TextIO) -> None:
    """The renewal as a table: one line per member, those who do not carry over marked."""
    title = "Renewed" if r.applied else "Preview of the renewal"
    out.write(f"{title} from {r.from_year} into {r.to_year}: {r.renew_count} carry over, {r.keep_count} already "
              f"renewed, {r.lapse_count} do not carry over\n")
    width = max((len(e.display_name) for e in r.entries), default=4)
    for e in r.entries:
        fee = f"{e.to_fee_nok} NOK" if e.outcome != membership_pb2.RENEWAL_OUTCOME_LAPSE else "-"
        out.write(f"  {OUTCOME.get(e.outcome, '?'):<5}  {e.display_name:<{width}}  {fee:>9}  "
                  f"{REASON.get(e.reason, '?')}  ({e.person.rsplit('/', 1)[-1]})\n")
    if r.applied:
        out.write(f"{r.name}\n")


def _problem(exc: grpc.RpcError, err: TextIO) -> int:
    p = decode_error(exc)
    if p.code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
        err.write(f"The membership service could not be reached ({p.code.name}); check "
                  "BROBYGGER_MEMBERSHIP_ADDRESS and that the service runs, then run the command again.\n")
        return 1
    err.write(f"The membership service refused ({p.code.name}{', ' + p.reason if p.reason else ''}): {p.message}\n")
    for field, text in p.violations:
        err.write(f"  --{field.replace('_', '-')}: {text}\n")
    return 1


def run(args: argparse.Namespace, *, stub=None, org: str = "", out: TextIO | None = None, err: TextIO | None = None,
        ask: Callable[[str], str] | None = None, interactive: bool | None = None) -> int:
    """The command, with what it talks to replaceable (tests pass a stub of a real or fake service)."""
    out, err = out or sys.stdout, err or sys.stderr
    if stub is None:
        stub, org = _stub_from_settings()
    parent = f"organizations/{org}"
    try:
        plan = stub.PreviewRenewal(membership_pb2.PreviewRenewalRequest(
            parent=parent, from_year=args.from_year, purpose=args.purpose), timeout=30)
        if args.action == "preview" or (args.action == "apply" and not args.yes):
            if args.json and args.action == "preview":
                out.write(json_format.MessageToJson(plan, preserving_proto_field_name=True) + "\n")
                return 0
            write_renewal(plan, out)
        if args.action == "preview":
            return 0
        if not plan.renew_count and not args.request_id:
            out.write("Nobody carries over: nothing to apply.\n")
            return 0
        if not args.yes:
            if not (sys.stdin.isatty() if interactive is None else interactive):
                err.write("Not applied: give --yes to apply without a terminal to confirm on.\n")
                return 2
            answer = (ask or input)(f"Record {plan.renew_count} membership years of {plan.to_year} as not paid? "
                                    "Type yes to apply: ")
            if answer.strip().lower() != "yes":
                out.write("Not applied.\n")
                return 0
        request_id = args.request_id or str(uuid.uuid4())
        out.write(f"request id {request_id} (give it as --request-id to retry this run)\n")
        done = stub.ApplyRenewal(membership_pb2.ApplyRenewalRequest(
            parent=parent, from_year=args.from_year, purpose=args.purpose, request_id=request_id),
            timeout=APPLY_TIMEOUT)
    except grpc.RpcError as exc:
        return _problem(exc, err)
    if args.json:
        out.write(json_format.MessageToJson(done, preserving_proto_field_name=True) + "\n")
    else:
        write_renewal(done, out)
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m services.operator.renewal preview|apply ...``: this command alone."""
    from services.common.settings import exit_on_config_error

    top = argparse.ArgumentParser(prog="python -m services.operator.renewal")
    sub = top.add_subparsers(dest="command", required=True)
    register(sub)
    args = top.parse_args(["renewal", *(sys.argv[1:] if argv is None else argv)])
    return exit_on_config_error(lambda: int(args.func(args) or 0))()


if __name__ == "__main__":
    sys.exit(main())
