"""Funders, grants and projects in the real events service: a real gRPC server on SQLite and PostgreSQL, the
real broker and real signed tokens. The rules are tested on fakes in tests/service_layer/test_grants.py."""
from __future__ import annotations

import grpc
import pytest
from cloudevents.v1.kafka import KafkaMessage, from_binary
from google.protobuf import field_mask_pb2

from brobygger.events.v1 import grants_facts_pb2, grants_pb2, grants_pb2_grpc
from tests.services.kafka_read import read_topic
from tests.services.test_events import (  # noqa: F401  (fixtures)
    ORG, coord, create_activity, failure, membership, node, stub, volunteer,
)


@pytest.fixture
def grants(node):
    with grpc.insecure_channel(node.address) as ch:
        yield grants_pb2_grpc.GrantsServiceStub(ch)


def funder(grants, md, display_name="Bydel Bjerke", request_id=""):
    return grants.CreateFunder(grants_pb2.CreateFunderRequest(
        parent=ORG, funder=grants_pb2.Funder(display_name=display_name), request_id=request_id),
        metadata=md, timeout=10)


def grant(grants, md, funder_name, title="Folkehelse 2026", amount=120_000, start="2026-01-01", end="2026-12-31"):
    return grants.CreateGrant(grants_pb2.CreateGrantRequest(parent=ORG, grant=grants_pb2.Grant(
        funder=funder_name, title=title, amount_nok=amount, start_date=start, end_date=end,
        purpose="Yoga og zumba for kvinner", reporting_duties=["Sluttrapport innen 1. mars 2027"])),
        metadata=md, timeout=10)


def project(grants, md, title, *grant_names):
    return grants.CreateProject(grants_pb2.CreateProjectRequest(parent=ORG, project=grants_pb2.Project(
        title=title, grants=list(grant_names))), metadata=md, timeout=10)


def test_funders_grants_and_projects_round_trip_with_their_facts(grants, stub, coord, broker):
    bjerke = funder(grants, coord, request_id="f-1")
    assert funder(grants, coord, request_id="f-1") == bjerke  # a retry
    imdi = funder(grants, coord, "IMDi")
    assert [f.display_name for f in grants.ListFunders(grants_pb2.ListFundersRequest(parent=ORG), metadata=coord,
                                                        timeout=10).funders] == ["Bydel Bjerke", "IMDi"]
    health = grant(grants, coord, bjerke.name)
    operating = grant(grants, coord, imdi.name, title="Driftstilskudd 2026", amount=500_000)
    assert health.reporting_duties == ["Sluttrapport innen 1. mars 2027"] and operating.amount_nok == 500_000
    of_bjerke = grants.ListGrants(grants_pb2.ListGrantsRequest(parent=ORG, funder=bjerke.name), metadata=coord,
                                  timeout=10)
    assert [g.name for g in of_bjerke.grants] == [health.name]

    yoga = create_activity(stub, coord, title="Yoga og zumba")
    p = project(grants, coord, "Trening for kvinner", health.name, operating.name)
    linked = grants.LinkActivity(grants_pb2.LinkActivityRequest(project=p.name, activity=yoga.name),
                                 metadata=coord, timeout=10)
    assert list(linked.activities) == [yoga.name] and list(linked.grants) == [health.name, operating.name]
    again = grants.LinkActivity(grants_pb2.LinkActivityRequest(project=p.name, activity=yoga.name),
                                metadata=coord, timeout=10)
    assert list(again.activities) == [yoga.name]
    of_activity = grants.ListProjects(grants_pb2.ListProjectsRequest(parent=ORG, activity=yoga.name),
                                      metadata=coord, timeout=10)
    assert [x.name for x in of_activity.projects] == [p.name]
    assert [x.name for x in grants.ListProjects(grants_pb2.ListProjectsRequest(parent=ORG, grant=operating.name),
                                                metadata=coord, timeout=10).projects] == [p.name]

    fixed = grants.UpdateGrant(grants_pb2.UpdateGrantRequest(
        grant=grants_pb2.Grant(name=health.name, amount_nok=150_000),
        update_mask=field_mask_pb2.FieldMask(paths=["amount_nok"])), metadata=coord, timeout=10)
    assert fixed.amount_nok == 150_000 and fixed.title == health.title and fixed.HasField("update_time")
    only_health = grants.UpdateProject(grants_pb2.UpdateProjectRequest(
        project=grants_pb2.Project(name=p.name, grants=[health.name]),
        update_mask=field_mask_pb2.FieldMask(paths=["grants"])), metadata=coord, timeout=10)
    assert list(only_health.grants) == [health.name] and list(only_health.activities) == [yoga.name]
    off = grants.UnlinkActivity(grants_pb2.UnlinkActivityRequest(project=p.name, activity=yoga.name),
                                metadata=coord, timeout=10)
    assert list(off.activities) == []

    wanted = {"no.brobygger.events.project_grants_changed.v1", "no.brobygger.events.activity_project_linked.v1",
              "no.brobygger.events.activity_project_unlinked.v1"}
    keys = {p.name.rsplit("/", 1)[1].encode(), yoga.name.rsplit("/", 1)[1].encode()}
    ours = lambda recs: [r for r in recs if r.key in keys and dict(r.headers).get("ce_type", b"").decode() in wanted]  # noqa: E731
    records = ours(read_topic(broker.bootstrap, "mir.events", until=lambda recs: len(ours(recs)) >= 4))
    events = [from_binary(KafkaMessage(headers=dict(r.headers), key=r.key, value=r.value),
                          data_unmarshaller=lambda data: data) for r in records]
    kinds = [(r.key, e["type"].rsplit(".", 2)[1]) for r, e in zip(records, events)]
    pkey, akey = p.name.rsplit("/", 1)[1].encode(), yoga.name.rsplit("/", 1)[1].encode()
    # Each key's facts in the order they were committed (one partition each).
    assert [k for key, k in kinds if key == pkey] == ["project_grants_changed", "project_grants_changed"]
    assert [k for key, k in kinds if key == akey] == ["activity_project_linked", "activity_project_unlinked"]
    first = grants_facts_pb2.ProjectGrantsChanged.FromString(
        next(e for (key, _), e in zip(kinds, events) if key == pkey).get_data())
    assert list(first.grant_ids) == [health.name.rsplit("/", 1)[1], operating.name.rsplit("/", 1)[1]]
    assert list(first.funder_ids) == [bjerke.name.rsplit("/", 1)[1], imdi.name.rsplit("/", 1)[1]]
    assert b"500000" not in b"".join(r.value for r in records) and b"Trening" not in b"".join(r.value for r in records)


def test_refusals_name_the_field_and_volunteers_are_not_let_in(grants, stub, coord, volunteer):
    bjerke = funder(grants, coord)
    same = failure(lambda: funder(grants, coord, " bydel  BJERKE "))
    assert (same.code, same.reason) == (grpc.StatusCode.ALREADY_EXISTS, "FUNDER_ALREADY_EXISTS")
    bad = failure(lambda: grant(grants, coord, bjerke.name, title="", amount=-1, start="2026-12-31",
                                end="2026-01-01"))
    assert bad.code == grpc.StatusCode.INVALID_ARGUMENT
    assert {f for f, _ in bad.violations} == {"grant.title", "grant.amount_nok", "grant.end_date"}
    nobody = failure(lambda: grant(grants, coord, f"{ORG}/funders/nobody"))
    assert (nobody.code, nobody.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "FUNDER_NOT_FOUND")
    no_grant = failure(lambda: project(grants, coord, "Leksehjelp", f"{ORG}/grants/nothing"))
    assert (no_grant.code, no_grant.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "GRANT_NOT_FOUND")
    assert [f for f, _ in no_grant.violations] == ["project.grants[0]"]
    none = failure(lambda: project(grants, coord, "Leksehjelp"))
    assert [f for f, _ in none.violations] == ["project.grants"]
    p = project(grants, coord, "Leksehjelp", grant(grants, coord, bjerke.name).name)
    gone = failure(lambda: grants.LinkActivity(grants_pb2.LinkActivityRequest(
        project=p.name, activity=f"{ORG}/activities/none"), metadata=coord, timeout=10))
    assert (gone.code, gone.reason) == (grpc.StatusCode.NOT_FOUND, "ACTIVITY_NOT_FOUND")
    other_org = failure(lambda: grants.GetProject(grants_pb2.GetProjectRequest(name="organizations/mira/projects/x"),
                                                  metadata=coord, timeout=10))
    assert (other_org.code, other_org.reason) == (grpc.StatusCode.NOT_FOUND, "WRONG_ORGANIZATION")
    denied = failure(lambda: grants.ListFunders(grants_pb2.ListFundersRequest(parent=ORG), metadata=volunteer,
                                                timeout=10))
    assert denied.code == grpc.StatusCode.PERMISSION_DENIED


def test_concurrent_links_to_one_project_are_all_kept(grants, stub, coord):
    """Linking rewrites the project's activities: the project's row is locked, so no link is lost."""
    import concurrent.futures

    bjerke = funder(grants, coord)
    p = project(grants, coord, "Mange aktiviteter", grant(grants, coord, bjerke.name).name)
    activities = [create_activity(stub, coord, title=f"Aktivitet {i}").name for i in range(6)]

    def link_one(activity):
        return grants.LinkActivity(grants_pb2.LinkActivityRequest(project=p.name, activity=activity),
                                   metadata=coord, timeout=20)

    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(link_one, activities))
    held = grants.GetProject(grants_pb2.GetProjectRequest(name=p.name), metadata=coord, timeout=10)
    assert sorted(held.activities) == sorted(activities)
