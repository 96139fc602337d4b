"""Hub mode: the federation's statistics API over the hub's FederationService.

Only federation analysts may use it; the token is verified here and again by the
hub's gRPC service, which names the analyst to every node, logs every query and
limits how often each analyst may ask (429 with Retry-After beyond that).
Answers hold aggregates only: per node a status ("ok", "refused" when the
analyst's privacy budget there is spent, or "unavailable"), its figures as cells
({"value": 12}, or {"value": null, "suppressed": "primary"|"secondary"}), and the
organisations that did not answer. A node with differential privacy on adds
noise instead (statistics.privacy); the analyst reads their budget at every node
at /federation/privacy-budget.
"""
from __future__ import annotations

from typing import Mapping

import grpc

from brobygger.reporting.v1 import reporting_pb2, reporting_pb2_grpc
from gateway.api import API_PREFIX, Api, Call, Operation, Param
from gateway.problems import Problem
from gateway.rest import PERIOD, PERIOD_ALIASES, period_of

ANALYST_ROLE = "analyst"

SERVICES = {
    "hub": reporting_pb2.DESCRIPTOR.services_by_name["FederationService"].full_name,
}

# Extra seconds the gateway waits beyond the per-node deadline, for the hub to merge and answer.
HUB_MARGIN_SECONDS = 2.0
MAX_NODE_TIMEOUT_MS = 60_000


def analyst(principal) -> None:
    """Who may use the hub's API: federation analysts."""
    if not principal.has_role(ANALYST_ROLE):
        raise Problem(
            403, "ROLE_REQUIRED",
            "Only federation analysts may query the hub; ask your administrator for the analyst role.")


def register(api: Api, channels: Mapping[str, grpc.Channel]) -> None:
    federation = reporting_pb2_grpc.FederationServiceStub(channels["hub"])

    @api.route(Operation(
        "GET", f"{API_PREFIX}/federation/statistics", "queryFederatedStatistics",
        "Figures of every organisation for a period", "federation", "federation hub",
        reporting_pb2.FederatedStatistics, not_found=False, field_aliases=PERIOD_ALIASES,
        query=PERIOD + (Param("node_timeout_ms", "How long to wait for each node, in milliseconds; 0 or absent "
                                                 "means the hub's default.", kind="integer",
                              maximum=MAX_NODE_TIMEOUT_MS),),
        description="Each node answers under its own disclosure control. Every node appears with status ok "
                    "(with statistics), refused (error PRIVACY_BUDGET_EXHAUSTED: the analyst's privacy budget at "
                    "that node is spent; error_message says how much and who can raise it) or unavailable (with "
                    "error); missing_organizations lists every node without figures. A node with differential "
                    "privacy on sets statistics.privacy: its cells are then noisy counts (never suppressed), "
                    "within privacy.margin_95 of the count in 95 of 100 cells, and each new answer spends "
                    "privacy.epsilon of the analyst's budget there; the same question asked again of unchanged "
                    "records gets the same answer at no cost. A cell is {\"value\": 12} or {\"value\": null, \"suppressed\": "
                    "\"primary\"|\"secondary\"}: a suppressed figure is not 0. Needs the analyst role. Each "
                    "query is logged at the hub and in every node's audit log with the analyst who asked. An "
                    "analyst asking too often gets 429 (reason RATE_LIMITED) with Retry-After: the seconds to wait.",
    ))
    def query_statistics(c: Call):
        node_timeout_ms = c.query["node_timeout_ms"]
        deadline = max(api.timeout, node_timeout_ms / 1000 + HUB_MARGIN_SECONDS)
        return federation.QueryStatistics(
            reporting_pb2.QueryStatisticsRequest(period=period_of(c), node_timeout_ms=node_timeout_ms),
            timeout=deadline)

    @api.route(Operation(
        "GET", f"{API_PREFIX}/federation/privacy-budget", "getFederatedPrivacyBudget",
        "The analyst's privacy budget at every organisation", "federation", "federation hub",
        reporting_pb2.FederatedPrivacyBudgets, not_found=False,
        query=(Param("node_timeout_ms", "How long to wait for each node, in milliseconds; 0 or absent means the "
                                        "hub's default.", kind="integer", maximum=MAX_NODE_TIMEOUT_MS),),
        description="Per node: enabled (whether it adds differential-privacy noise; when false it keeps no budget "
                    "and the epsilons are 0), epsilon_spent, epsilon_limit, epsilon_remaining and "
                    "epsilon_per_query (what each new answer costs). Needs the analyst role; each node writes the "
                    "read to its audit log.",
    ))
    def privacy_budget(c: Call):
        node_timeout_ms = c.query["node_timeout_ms"]
        deadline = max(api.timeout, node_timeout_ms / 1000 + HUB_MARGIN_SECONDS)
        return federation.QueryPrivacyBudgets(
            reporting_pb2.QueryPrivacyBudgetsRequest(node_timeout_ms=node_timeout_ms), timeout=deadline)

    @api.route(Operation(
        "GET", f"{API_PREFIX}/federation/nodes", "listFederationNodes", "The organisations of the federation",
        "federation", "federation hub", reporting_pb2.ListNodesResponse, not_found=False,
        description="Needs the analyst role.",
    ))
    def list_nodes(c: Call):
        return federation.ListNodes(reporting_pb2.ListNodesRequest(), timeout=api.timeout)
