"""The operator's ``renewal`` command: against the real membership service with the node's real service token
(the environment as the operator sets it), and its refusals on a stub."""
from __future__ import annotations

import argparse
import io

import grpc
import pytest

from brobygger.membership.v1 import membership_pb2
from services.operator import renewal as cli
from tests.services.test_renewal import THIS, members, node, stub, years  # noqa: F401
from tests.services.test_membership import coord  # noqa: F401


def test_preview_then_apply_with_the_nodes_service_credentials(node, issuer, stub, coord, members, monkeypatch,
                                                               capsys):
    for name, v in {"BROBYGGER_ENV": "development", "BROBYGGER_ORG": "mir", "BROBYGGER_MEMBERSHIP_ADDRESS": node.address,
                    "BROBYGGER_OIDC_ISSUER": issuer.url}.items():
        monkeypatch.setenv(name, v)
    assert cli.main(["preview", "--from-year", str(THIS - 1)]) == 0
    shown = capsys.readouterr().out
    assert f"Preview of the renewal from {THIS - 1} into {THIS}: 2 carry over, 1 already renewed, 2 do not" in shown
    assert "lapse  Chen Zhou" in shown and "did not pay" in shown and "membership cancelled" in shown
    assert THIS not in years(stub, coord, members["paid"])

    assert cli.main(["apply", "--from-year", str(THIS - 1), "--yes", "--request-id",
                     "0b0c4b9e-3f8e-4d1c-a0f3-3d3b7f9a2c11"]) == 0
    applied = capsys.readouterr().out
    assert f"Renewed from {THIS - 1} into {THIS}: 2 carry over" in applied and "organizations/mir/renewals/" in applied
    assert years(stub, coord, members["paid"])[THIS] == (membership_pb2.PAYMENT_STATE_UNPAID, 200)
    # the same run again answers its result; a new run renews nobody twice
    assert cli.main(["apply", "--from-year", str(THIS - 1), "--yes", "--request-id",
                     "0b0c4b9e-3f8e-4d1c-a0f3-3d3b7f9a2c11", "--json"]) == 0
    assert '"renew_count": 2' in capsys.readouterr().out
    assert cli.main(["apply", "--from-year", str(THIS - 1), "--yes"]) == 0
    assert "Nobody carries over: nothing to apply." in capsys.readouterr().out


def test_a_refusal_names_the_option(node, issuer, monkeypatch, capsys):
    for name, v in {"BROBYGGER_ENV": "development", "BROBYGGER_ORG": "mir", "BROBYGGER_MEMBERSHIP_ADDRESS": node.address,
                    "BROBYGGER_OIDC_ISSUER": issuer.url}.items():
        monkeypatch.setenv(name, v)
    assert cli.main(["preview", "--from-year", "1999"]) == 1
    err = capsys.readouterr().err
    assert "INVALID_ARGUMENT" in err and "--from-year: a year from 2000" in err


class Stub:
    """Answers PreviewRenewal with one member who carries over; records ApplyRenewal."""

    def __init__(self) -> None:
        self.applied: list = []

    def PreviewRenewal(self, request, timeout=None):
        return membership_pb2.Renewal(from_year=request.from_year, to_year=request.from_year + 1, renew_count=1,
                                      entries=[membership_pb2.RenewalEntry(
                                          person="organizations/mir/persons/p1", display_name="Amina Hussain",
                                          outcome=membership_pb2.RENEWAL_OUTCOME_RENEW,
                                          reason=membership_pb2.RENEWAL_REASON_PAID, to_fee_nok=200)])

    def ApplyRenewal(self, request, timeout=None):
        self.applied.append(request)
        return membership_pb2.Renewal(name="organizations/mir/renewals/r1", from_year=request.from_year,
                                      to_year=request.from_year + 1, applied=True, renew_count=1)


def args(*argv):
    top = argparse.ArgumentParser()
    cli.register(top.add_subparsers(dest="command"))
    return top.parse_args(["renewal", *argv])


@pytest.mark.parametrize("interactive, answer, status, applied", [
    (False, None, 2, 0),   # no terminal to confirm on, and no --yes
    (True, "no", 0, 0),
    (True, "yes", 0, 1),
])
def test_apply_asks_first(interactive, answer, status, applied):
    stub, out, err = Stub(), io.StringIO(), io.StringIO()
    got = cli.run(args("apply", "--from-year", "2026"), stub=stub, org="mir", out=out, err=err,
                  ask=lambda _q: answer, interactive=interactive)
    assert got == status and len(stub.applied) == applied
    assert "renew  Amina Hussain    200 NOK  paid  (p1)" in out.getvalue()
    if applied:
        assert stub.applied[0].request_id and stub.applied[0].purpose == cli.DEFAULT_PURPOSE
    if status == 2:
        assert "give --yes" in err.getvalue()


def test_an_unreachable_service_is_reported():
    class Down(Stub):
        def PreviewRenewal(self, request, timeout=None):
            raise grpc.insecure_channel("127.0.0.1:1").unary_unary("/x/y")(b"", timeout=0.5)

    err = io.StringIO()
    assert cli.run(args("preview", "--from-year", "2026"), stub=Down(), org="mir", out=io.StringIO(), err=err) == 1
    assert "could not be reached" in err.getvalue() and "BROBYGGER_MEMBERSHIP_ADDRESS" in err.getvalue()
