"""The renewal and counted-members routes over fake channels: each REST call becomes the right membership
request, and answers and refusals come back as JSON and problems."""
from __future__ import annotations

import grpc

from brobygger.membership.v1 import membership_pb2
from tests.gateway.test_gateway_unit import MEMBERSHIP, _errors, auth, rich_error


def sent(channels):
    [(method, request, _)] = channels["membership"].calls
    return method.rsplit("/", 1)[1], request


def renewal(applied=False):
    return membership_pb2.Renewal(
        name="organizations/mir/renewals/r1" if applied else "", from_year=2026, to_year=2027, applied=applied,
        renew_count=1, lapse_count=1, entries=[
            membership_pb2.RenewalEntry(person="organizations/mir/persons/p1", display_name="Amina Hussain",
                                        outcome=membership_pb2.RENEWAL_OUTCOME_RENEW,
                                        reason=membership_pb2.RENEWAL_REASON_PAID, to_fee_nok=200,
                                        fee_source=membership_pb2.FEE_SOURCE_SCHEDULE),
            membership_pb2.RenewalEntry(person="organizations/mir/persons/p2", display_name="Bilal Ahmed",
                                        outcome=membership_pb2.RENEWAL_OUTCOME_LAPSE,
                                        reason=membership_pb2.RENEWAL_REASON_UNPAID)])


def test_preview_needs_year_and_purpose_and_answers_the_plan(node, channels):
    channels["membership"].on(MEMBERSHIP + "PreviewRenewal", lambda r: renewal())
    assert set(_errors(node.get("/api/v1/renewals:preview", headers=auth()))) == {"from_year", "purpose"}
    assert channels["membership"].calls == []
    resp = node.get("/api/v1/renewals:preview?from_year=2026&purpose=yearly+renewal", headers=auth())
    assert resp.status_code == 200
    body = resp.get_json()
    assert [e["outcome"] for e in body["entries"]] == ["RENEWAL_OUTCOME_RENEW", "RENEWAL_OUTCOME_LAPSE"]
    assert body["entries"][1]["reason"] == "RENEWAL_REASON_UNPAID"
    rpc, request = sent(channels)
    assert (rpc, request.parent, request.from_year, request.purpose) == (
        "PreviewRenewal", "organizations/mir", 2026, "yearly renewal")


def test_apply_passes_the_idempotency_key(node, channels):
    channels["membership"].on(MEMBERSHIP + "ApplyRenewal", lambda r: renewal(applied=True))
    resp = node.post("/api/v1/renewals:apply", json={"from_year": 2026, "purpose": "yearly renewal"},
                     headers=auth(**{"Idempotency-Key": "ren-1"}))
    assert resp.status_code == 200 and resp.get_json()["applied"] is True
    rpc, request = sent(channels)
    assert (rpc, request.parent, request.from_year, request.purpose, request.request_id) == (
        "ApplyRenewal", "organizations/mir", 2026, "yearly renewal", "ren-1")


def test_a_refused_year_is_a_problem_naming_the_field(node, channels):
    def refuse(request):
        raise rich_error(grpc.StatusCode.INVALID_ARGUMENT, "INVALID_FIELDS", "from_year must be ...",
                         [("from_year", "a year from 2000 to 2026")])

    channels["membership"].on(MEMBERSHIP + "ApplyRenewal", refuse)
    resp = node.post("/api/v1/renewals:apply", json={"from_year": 2030, "purpose": "x"}, headers=auth())
    assert resp.status_code == 400 and "from_year" in _errors(resp)


def test_counted_members(node, channels):
    channels["membership"].on(MEMBERSHIP + "ExplainCountedMembers", lambda r: membership_pb2.ExplainCountedMembersResponse(
        rules_source="membership-rules.toml", explanations=[membership_pb2.CountedMembersExplanation(
            rule=membership_pb2.CountingRule(id="imdi", funder="IMDi", title="Paying members", threshold=20),
            year=2026, basis_year=2026, counted_count=21, not_counted_count=1, meets_threshold=True,
            not_counted_by_reason=[membership_pb2.CountingReasonCount(
                reason=membership_pb2.COUNTING_REASON_UNPAID, count=1)])]))
    assert set(_errors(node.get("/api/v1/counted-members", headers=auth()))) == {"year", "purpose"}
    resp = node.get("/api/v1/counted-members?year=2026&rule=imdi&purpose=grant", headers=auth())
    assert resp.status_code == 200
    [x] = resp.get_json()["explanations"]
    assert (x["counted_count"], x["meets_threshold"], x["not_counted_by_reason"][0]["reason"]) == (
        21, True, "COUNTING_REASON_UNPAID")
    rpc, request = sent(channels)
    assert (rpc, request.year, request.rule_id, request.purpose) == ("ExplainCountedMembers", 2026, "imdi", "grant")


def test_an_unknown_rule_is_404(node, channels):
    def refuse(request):
        raise rich_error(grpc.StatusCode.NOT_FOUND, "COUNTING_RULE_NOT_FOUND", "The node has no counting rule", [])

    channels["membership"].on(MEMBERSHIP + "ExplainCountedMembers", refuse)
    resp = node.get("/api/v1/counted-members?year=2026&rule=bufdir&purpose=grant", headers=auth())
    assert resp.status_code == 404 and resp.get_json()["reason"] == "COUNTING_RULE_NOT_FOUND"
