"""The funders, grants and projects routes over fake channels: each REST call becomes the right GrantsService
(or reporting) request, and the answers and refusals come back as JSON and problems."""
from __future__ import annotations

import grpc

from brobygger.events.v1 import grants_pb2
from brobygger.reporting.v1 import reporting_pb2
from tests.gateway.test_gateway_unit import _errors, auth, rich_error

SERVICE = "/brobygger.events.v1.GrantsService/"
ORG = "organizations/mir"


def sent(channels, service="events"):
    [(method, request, _)] = channels[service].calls
    return method.rsplit("/", 1)[1], request


def test_create_a_grant_naming_the_funder_by_id(node, channels):
    channels["events"].on(SERVICE + "CreateGrant", lambda r: grants_pb2.Grant(
        name=f"{ORG}/grants/g1", funder=r.grant.funder, title=r.grant.title, amount_nok=r.grant.amount_nok,
        reporting_duties=r.grant.reporting_duties))
    resp = node.post("/api/v1/grants", headers=auth(**{"Idempotency-Key": "g-1"}), json={
        "funder": "f1", "title": "Driftstilskudd 2026", "amount_nok": 500000, "start_date": "2026-01-01",
        "end_date": "2026-12-31", "reporting_duties": ["Årsrapport innen 1. mars 2027"]})
    assert resp.status_code == 201
    assert resp.get_json()["amount_nok"] == 500000 and resp.get_json()["reporting_duties"] == [
        "Årsrapport innen 1. mars 2027"]
    rpc, request = sent(channels)
    assert (rpc, request.parent, request.grant.funder, request.request_id) == (
        "CreateGrant", ORG, f"{ORG}/funders/f1", "g-1")


def test_a_funder_that_is_none_is_a_conflict_naming_the_field(node, channels):
    def refuse(request):
        raise rich_error(grpc.StatusCode.FAILED_PRECONDITION, "FUNDER_NOT_FOUND", "grant.funder names no funder.",
                         [("grant.funder", "no such funder")])

    channels["events"].on(SERVICE + "CreateGrant", refuse)
    resp = node.post("/api/v1/grants", headers=auth(), json={"funder": "nobody", "title": "x"})
    assert resp.status_code == 409 and resp.get_json()["reason"] == "FUNDER_NOT_FOUND"
    assert [e["field"] for e in resp.get_json()["errors"]] == ["grant.funder"]


def test_create_a_project_and_link_an_activity_by_ids(node, channels):
    channels["events"].on(SERVICE + "CreateProject", lambda r: grants_pb2.Project(
        name=f"{ORG}/projects/p1", title=r.project.title, grants=r.project.grants))
    resp = node.post("/api/v1/projects", headers=auth(), json={"title": "Leksehjelp", "grants": ["g1", "g2"]})
    assert resp.status_code == 201 and resp.get_json()["grants"] == [f"{ORG}/grants/g1", f"{ORG}/grants/g2"]
    channels["events"].calls.clear()
    channels["events"].on(SERVICE + "LinkActivity", lambda r: grants_pb2.Project(
        name=r.project, activities=[r.activity]))
    resp = node.post("/api/v1/projects/p1:linkActivity", headers=auth(**{"Idempotency-Key": "l-1"}),
                     json={"activity": "a1"})
    assert resp.status_code == 200 and resp.get_json()["activities"] == [f"{ORG}/activities/a1"]
    rpc, request = sent(channels)
    assert (rpc, request.project, request.activity, request.request_id) == (
        "LinkActivity", f"{ORG}/projects/p1", f"{ORG}/activities/a1", "l-1")


def test_update_a_project_with_the_mask_the_body_implies(node, channels):
    channels["events"].on(SERVICE + "UpdateProject", lambda r: r.project)
    resp = node.patch("/api/v1/projects/p1", headers=auth(), json={"grants": ["g3"]})
    assert resp.status_code == 200
    rpc, request = sent(channels)
    assert list(request.update_mask.paths) == ["grants"] and list(request.project.grants) == [f"{ORG}/grants/g3"]


def test_projects_of_an_activity_and_grants_of_a_funder_are_filters(node, channels):
    channels["events"].on(SERVICE + "ListProjects", lambda r: grants_pb2.ListProjectsResponse())
    assert node.get("/api/v1/projects?activity=a1", headers=auth()).status_code == 200
    assert sent(channels)[1].activity == f"{ORG}/activities/a1"
    channels["events"].calls.clear()
    channels["events"].on(SERVICE + "ListGrants", lambda r: grants_pb2.ListGrantsResponse())
    assert node.get("/api/v1/grants?funder=f1&page_size=5", headers=auth()).status_code == 200
    assert (sent(channels)[1].funder, sent(channels)[1].page_size) == (f"{ORG}/funders/f1", 5)


def test_figures_of_a_grant_ask_reporting_with_the_grant(node, channels):
    channels["reporting"].on("/brobygger.reporting.v1.ReportingService/GetStatistics", lambda r: reporting_pb2.Statistics(
        organization=r.organization, sessions=reporting_pb2.Cell(value=15)))
    resp = node.get("/api/v1/grants/g1/statistics?start_date=2026-01-01&end_date=2026-12-31", headers=auth())
    assert resp.status_code == 200 and resp.get_json()["sessions"] == {"value": 15}
    rpc, request = sent(channels, "reporting")
    assert (rpc, request.grant, request.project, request.period.start_date) == (
        "GetStatistics", f"{ORG}/grants/g1", "", "2026-01-01")
    assert node.get("/api/v1/projects/p1/statistics", headers=auth()).status_code == 400
    assert set(_errors(node.get("/api/v1/projects/p1/statistics", headers=auth()))) == {"start_date", "end_date"}


LISTS = "/brobygger.events.v1.ActivityListsService/"


def test_a_theme_is_added_with_its_code_and_relabelled(node, channels):
    channels["events"].on(LISTS + "CreateTheme", lambda r: r.theme)
    resp = node.post("/api/v1/themes?theme_id=homework-help", headers=auth(), json={"label": "Leksehjelp"})
    assert resp.status_code == 201
    rpc, request = sent(channels)
    assert (rpc, request.parent, request.theme_id, request.theme.label) == (
        "CreateTheme", ORG, "homework-help", "Leksehjelp")
    channels["events"].calls.clear()
    channels["events"].on(LISTS + "UpdateTargetGroup", lambda r: r.target_group)
    resp = node.patch("/api/v1/targetGroups/mothers-and-children", headers=auth(), json={"label": "Mødre og barn"})
    assert resp.status_code == 200
    rpc, request = sent(channels)
    assert (request.target_group.name, list(request.update_mask.paths)) == (
        f"{ORG}/targetGroups/mothers-and-children", ["label"])
    assert node.post("/api/v1/themes", headers=auth(), json={"label": "x"}).status_code == 400  # no theme_id
