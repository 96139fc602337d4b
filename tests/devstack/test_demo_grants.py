"""The demo's funders, grants and projects against a recording stand-in for the gateway: no federation."""
from __future__ import annotations

from services.devstack import demo_grants
from services.devstack.demo import PLANS, ApiError


class Recorder:
    def __init__(self, taken: frozenset[str] = frozenset()) -> None:
        self.calls: list[tuple[str, dict]] = []
        self.taken = taken

    def post(self, path, body):
        if path == "/api/v1/funders" and body["display_name"] in self.taken:
            raise ApiError(f"POST {path} -> 409: FUNDER_ALREADY_EXISTS")
        self.calls.append((path, body))
        return {"name": f"organizations/mir/x/{len(self.calls)}"}


ACTIVITIES = {p.title: f"organizations/mir/activities/a{i}" for i, p in enumerate(PLANS["mir"])}


def test_mirs_funders_grants_and_projects_as_the_texts_tell():
    api = Recorder()
    counts = demo_grants.load("mir", api, ACTIVITIES, 2026)
    funders = [b["display_name"] for p, b in api.calls if p == "/api/v1/funders"]
    assert funders == ["IMDi", "Utdanningsetaten", "Bydel Bjerke", "Gjensidigestiftelsen"]
    grants = {b["title"]: b for p, b in api.calls if p == "/api/v1/grants"}
    assert grants["Driftstilskudd 2026"]["amount_nok"] == 500_000 and grants["Driftstilskudd 2026"]["reporting_duties"]
    links = [b["activity"] for p, b in api.calls if p.endswith(":linkActivity")]
    # Homework help in two projects; every activity of MiR in at least one.
    assert links.count(ACTIVITIES["Leksehjelp på Linderud"]) == 2 and set(links) == set(ACTIVITIES.values())
    assert counts == {"funders": 4, "grants": 4, "projects": 4, "project_activities": 6}


def test_every_activity_a_plan_names_is_one_of_the_demo_activities():
    for org, plans in demo_grants._plans(2026).items():
        titles = {p.title for p in PLANS[org]}
        assert all(set(g.activities) <= titles for g in plans), org


def test_a_funder_loaded_before_makes_nothing_again():
    api = Recorder(taken=frozenset({"IMDi"}))
    counts = demo_grants.load("mir", api, ACTIVITIES, 2026)
    assert counts["funders"] == 3 and counts["grants"] == 3
    assert "Driftstilskudd 2026" not in [b.get("title") for _p, b in api.calls]


def test_mira_and_mkr_keep_lists_that_every_theme_and_target_group_of_their_activities_is_on():
    for org in ("mira", "mkr"):
        api = Recorder()
        codes = demo_grants.activity_lists(org, api)
        for plan in PLANS[org]:
            assert plan.theme in codes["theme"] and plan.target_group in codes["target_group"], (org, plan.title)
        made = [p for p, _b in api.calls]
        assert all(p.startswith(("/api/v1/themes?theme_id=", "/api/v1/targetGroups?target_group_id=")) for p in made)
    assert demo_grants.code_of("language café") == "language-cafe" and demo_grants.code_of("girls 13-19") == "girls-13-19"
    assert demo_grants.activity_lists("mir", Recorder()) == {"theme": {}, "target_group": {}}  # MiR: free text
