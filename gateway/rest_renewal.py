"""REST routes of renewal and counted members (membership), registered by gateway.rest.register."""
from __future__ import annotations

from typing import Any

from brobygger.membership.v1 import membership_pb2
from gateway.api import API_PREFIX, Api, Body, Call, Operation, Param
from gateway.rest import Text, purpose

RENEWAL_PURPOSE = purpose("the members of the year", "yearly renewal of memberships")
COUNTED_PURPOSE = purpose("the members counted", "grant application to IMDi")
FROM_YEAR = Param("from_year", "The year members carry over from, e.g. 2026 (renewing it creates 2027).",
                  kind="integer", required=True, minimum=2000, maximum=9999)
YEAR = Param("year", "The reporting year, e.g. 2026 (a rule's basis year may be earlier).", kind="integer",
             required=True, minimum=2000, maximum=9999)
RULE = Text("rule", "Optional: only this counting rule of the node's rule file, e.g. imdi or frifond.", max_length=41)
# Renewing a large register is one transaction; give it more time than a single read.
APPLY_TIMEOUT = 60.0


def register_renewal(api: Api, membership: Any, parent: str, timeout: float) -> None:
    @api.route(Operation(
        "GET", f"{API_PREFIX}/renewals:preview", "previewRenewal",
        "What renewing a year's members into the next would do", "membership", "membership",
        membership_pb2.Renewal, query=(FROM_YEAR, RENEWAL_PURPOSE), not_found=False,
        description="Every member of from_year with outcome RENEWAL_OUTCOME_RENEW (carries over, unpaid, at "
                    "to_fee_nok), RENEWAL_OUTCOME_KEEP (already has the next year) or RENEWAL_OUTCOME_LAPSE "
                    "(does not carry over), and the reason. Changes nothing; the read is audited with its "
                    "purpose. Coordinators only.",
    ))
    def preview_renewal(c: Call):
        return membership.PreviewRenewal(membership_pb2.PreviewRenewalRequest(
            parent=parent, from_year=c.query["from_year"], purpose=c.query["purpose"]), timeout=timeout)

    @api.route(Operation(
        "POST", f"{API_PREFIX}/renewals:apply", "applyRenewal", "Renew a year's members into the next",
        "membership", "membership", membership_pb2.Renewal,
        body=Body(membership_pb2.ApplyRenewalRequest, exclude=frozenset({"parent", "request_id"})),
        idempotent=True, not_found=False,
        description="Body {\"from_year\": 2026, \"purpose\": \"yearly renewal\"}. Records the next year unpaid for "
                    "every member who carries over, in one transaction, and answers what it did. Applying again "
                    "creates nothing twice (those renewed are then RENEWAL_OUTCOME_KEEP); retrying with the same "
                    "Idempotency-Key answers the first result. Coordinators only.",
    ))
    def apply_renewal(c: Call):
        request = membership_pb2.ApplyRenewalRequest()
        request.CopyFrom(c.body)
        request.parent, request.request_id = parent, c.request_id
        return membership.ApplyRenewal(request, timeout=max(timeout, APPLY_TIMEOUT))

    @api.route(Operation(
        "GET", f"{API_PREFIX}/counted-members", "explainCountedMembers",
        "Who counts for each funder's rule, and why not", "membership", "membership",
        membership_pb2.ExplainCountedMembersResponse, query=(YEAR, RULE, COUNTED_PURPOSE),
        description="The node's counting rules (its rule file, see the README) applied to the register for a "
                    "reporting year: per rule the count, whether it meets the rule's threshold, how many do not "
                    "count by reason, and every member of the basis year with the reasons. The read is audited "
                    "with its purpose. Coordinators only; 404 COUNTING_RULE_NOT_FOUND for a rule the node does "
                    "not have.",
    ))
    def explain_counted_members(c: Call):
        return membership.ExplainCountedMembers(membership_pb2.ExplainCountedMembersRequest(
            parent=parent, year=c.query["year"], rule_id=c.query["rule"], purpose=c.query["purpose"]),
            timeout=timeout)
