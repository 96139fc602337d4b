"""Funders, grants and projects on in-memory fakes: creation, retries, corrections, links and their facts."""
from __future__ import annotations

import pytest

from brobygger.events.v1 import grants_facts_pb2 as facts
from services.common.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from services.events.domain.grants import Funder, Grant, Project
from services.events.service_layer import grants
from tests.service_layer.grants_fakes import FakeGrantsUnitOfWork
from tests.service_layer.test_events import COORDINATOR, create_activity, staged, store  # noqa: F401


@pytest.fixture
def uow(store):  # noqa: F811
    return lambda: FakeGrantsUnitOfWork(store)


def funder(uow, name="Bydel Bjerke", request_id="") -> Funder:
    return grants.create_funder(grants.CreateFunder(Funder("", name), COORDINATOR, request_id), uow())


def grant(uow, funder_id, title="Folkehelse 2026", amount=120_000, start="2026-01-01", end="2026-12-31",
          request_id="") -> Grant:
    g = Grant("", funder_id, title, amount, start, end, purpose="Yoga og zumba",
              reporting_duties=("Sluttrapport innen 1. mars",))
    return grants.create_grant(grants.CreateGrant(g, f"organizations/mir/funders/{funder_id}", COORDINATOR,
                                                  request_id), uow())


def project(uow, title, *grant_ids, request_id="") -> Project:
    return grants.create_project(grants.CreateProject(Project("", title, tuple(grant_ids)), tuple(grant_ids),
                                                      COORDINATOR, request_id), uow())


def link(uow, p, activity_id, on=True, request_id=""):
    return grants.link_activity(grants.LinkActivity(p.id, "organizations/mir/projects/x", activity_id,
                                                    "organizations/mir/activities/y", on, COORDINATOR,
                                                    request_id), uow())


def test_a_retry_makes_one_funder_and_a_second_of_the_same_name_is_refused(uow, store):
    first = funder(uow, request_id="r-1")
    assert funder(uow, request_id="r-1") == first
    with pytest.raises(AlreadyExists) as err:
        funder(uow, "  bydel BJERKE")
    assert err.value.reason == "FUNDER_ALREADY_EXISTS"
    assert [f.id for f in grants.list_funders(0, "", uow())[0]] == [first.id]


def test_a_grant_needs_a_funder_of_the_node_and_a_real_period(uow):
    with pytest.raises(FailedPrecondition) as err:
        grant(uow, "nobody")
    assert err.value.reason == "FUNDER_NOT_FOUND"
    f = funder(uow)
    with pytest.raises(InvalidArgument) as bad:
        grant(uow, f.id, amount=100_000_001, start="2026-02-30", end="2026-01-01")
    assert {v.field for v in bad.value.violations} == {"grant.amount_nok", "grant.start_date"}
    made = grant(uow, f.id)
    assert grants.get_grant(made.id, "g", uow()).reporting_duties == ("Sluttrapport innen 1. mars",)


def test_grants_list_newest_period_first_and_page_by_funder(uow):
    a, b = funder(uow, "IMDi"), funder(uow, "Utdanningsetaten")
    old = grant(uow, a.id, "Drift 2025", start="2025-01-01", end="2025-12-31")
    new = grant(uow, a.id, "Drift 2026")
    other = grant(uow, b.id, "Leksehjelp 2026", start="2026-08-01", end="2027-06-30")
    page, token = grants.list_grants(grants.ListGrants(None, 2), uow())
    assert [g.id for g in page] == [other.id, new.id] and token
    rest, end = grants.list_grants(grants.ListGrants(None, 2, token), uow())
    assert [g.id for g in rest] == [old.id] and not end
    assert [g.id for g in grants.list_grants(grants.ListGrants(a.id), uow())[0]] == [new.id, old.id]
    with pytest.raises(InvalidArgument):  # a token of another filter
        grants.list_grants(grants.ListGrants(b.id, 2, token), uow())


def test_a_project_names_existing_grants_and_stages_their_ids_and_funders(uow, store):
    f = funder(uow)
    g = grant(uow, f.id)
    with pytest.raises(FailedPrecondition) as err:
        project(uow, "Trening", g.id, "missing")
    assert err.value.reason == "GRANT_NOT_FOUND" and [v.field for v in err.value.violations] == ["project.grants[1]"]
    with pytest.raises(InvalidArgument):
        project(uow, "Trening", g.id, g.id)
    p = project(uow, "Trening for kvinner", g.id, request_id="p-1")
    assert project(uow, "Trening for kvinner", g.id, request_id="p-1") == p
    [fact] = staged(store, facts.ProjectGrantsChanged)
    assert fact.key == p.id and fact.message == facts.ProjectGrantsChanged(project_id=p.id, grant_ids=[g.id],
                                                                           funder_ids=[f.id])


def test_linking_an_activity_twice_stages_one_fact_and_unlinking_takes_it_off(uow, store):
    g = grant(uow, funder(uow).id)
    p = project(uow, "Leksehjelp", g.id)
    a = create_activity(uow)
    assert link(uow, p, a.id).activity_ids == (a.id,)
    assert link(uow, p, a.id).activity_ids == (a.id,)
    [fact] = staged(store, facts.ActivityProjectLinked)
    assert fact.key == a.id and fact.message == facts.ActivityProjectLinked(activity_id=a.id, project_id=p.id)
    assert [x.id for x in grants.list_projects(grants.ListProjects(activity_id=a.id), uow())[0]] == [p.id]
    assert link(uow, p, a.id, on=False).activity_ids == ()
    assert link(uow, p, a.id, on=False).activity_ids == ()
    assert len(staged(store, facts.ActivityProjectUnlinked)) == 1
    with pytest.raises(NotFound) as err:
        link(uow, p, "no-such-activity")
    assert err.value.reason == "ACTIVITY_NOT_FOUND"


def test_updates_change_the_masked_fields_only_and_a_new_set_of_grants_is_a_fact(uow, store):
    f = funder(uow)
    g1, g2 = grant(uow, f.id), grant(uow, f.id, "Drift")
    p = project(uow, "Leksehjelp", g1.id)
    same = grants.update_project(grants.UpdateProject(p.id, "p", Project("", "ignored", (g1.id,)), ("grant_ids",)),
                                 uow())
    assert same == p and len(staged(store, facts.ProjectGrantsChanged)) == 1  # nothing changed
    both = grants.update_project(grants.UpdateProject(p.id, "p", Project("", "", (g1.id, g2.id)), ("grant_ids",),
                                                      (g1.id, g2.id)), uow())
    assert both.title == "Leksehjelp" and both.grant_ids == (g1.id, g2.id) and both.update_time is not None
    assert staged(store, facts.ProjectGrantsChanged)[-1].message.grant_ids == [g1.id, g2.id]
    fixed = grants.update_grant(grants.UpdateGrant(g1.id, "g", Grant("", "", "", 150_000, "", ""), ("amount_nok",)),
                                uow())
    assert (fixed.amount_nok, fixed.title, fixed.start_date) == (150_000, "Folkehelse 2026", "2026-01-01")
    with pytest.raises(InvalidArgument) as err:
        grants.update_grant(grants.UpdateGrant(g1.id, "g", g1, ("funder_id",)), uow())
    assert err.value.reason == "INVALID_UPDATE_MASK"
    other = funder(uow, "IMDi")
    with pytest.raises(AlreadyExists):
        grants.update_funder(grants.UpdateFunder(other.id, "f", Funder("", "Bydel Bjerke"), ("display_name",)),
                             uow())
