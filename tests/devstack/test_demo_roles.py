"""The demo's chapters, groups and roles, loaded into a recording stand-in for a gateway: plain Python, no
federation (the browser tier loads the same data into a real one)."""
from __future__ import annotations

import datetime as dt
import itertools

import pytest

from services.devstack import demo


class Recorder(demo.Api):
    """Answers every POST as the gateway would name what it made, and keeps what was sent."""

    def __init__(self) -> None:
        super().__init__("http://gateway.invalid", "token")
        self.sent: list[tuple[str, dict]] = []
        self.ids = itertools.count()

    def call(self, method: str, path: str, body: dict | None = None) -> dict:
        self.sent.append((path, body or {}))
        if path == "/api/v1/groups":
            return {"name": f"organizations/x/groups/{body['group_id']}"}
        return {"name": f"organizations/x/things/id{next(self.ids)}"}


@pytest.mark.parametrize("org", ["mir", "mira", "mkr"])
def test_chapters_exist_before_anyone_names_them_and_roles_have_periods(org):
    api = Recorder()
    counts = demo.load(org, api, until=dt.date(demo.YEAR, 12, 31))
    groups = {body["group_id"]: body["group"]["kind"] for path, body in api.sent if path == "/api/v1/groups"}
    first_person = next(i for i, (path, _b) in enumerate(api.sent) if path == "/api/v1/persons")
    assert all(i < first_person for i, (path, _b) in enumerate(api.sent) if path == "/api/v1/groups")
    chapters = {body["chapter"] for path, body in api.sent if path == "/api/v1/persons" and body.get("chapter")}
    assert all(groups[c] == "GROUP_KIND_CHAPTER" for c in chapters)
    roles = [body for path, body in api.sent if path.endswith("/roleAssignments")]
    assert len(roles) == counts["role_assignments"] > 0
    for body in roles:
        assert body["role"].startswith("ROLE_") and dt.date.fromisoformat(body["start_date"]) <= dt.date.today()
        assert "end_date" not in body or body["end_date"] >= body["start_date"]
        assert body.get("group", "") in ("", *groups)
    members = [path for path, _b in api.sent if path.startswith("/api/v1/groups/") and path.endswith("/members")]
    assert len(members) == counts["group_members"] > 0


def test_mir_has_its_chapters_the_youth_wing_on_the_board_and_volunteers():
    api = Recorder()
    demo.load("mir", api, until=dt.date(demo.YEAR, 12, 31))
    groups = {body["group_id"]: body["group"] for path, body in api.sent if path == "/api/v1/groups"}
    assert groups["linderud"] == {"kind": "GROUP_KIND_CHAPTER", "display_name": "MiR Linderud"}
    assert groups["mir-ung"]["kind"] == "GROUP_KIND_GROUP"
    roles = [b for path, b in api.sent if path.endswith("/roleAssignments")]
    assert [b for b in roles if b["role"] == "ROLE_BOARD_MEMBER" and b.get("group") == "mir-ung"]
    assert {"ROLE_BOARD_MEMBER", "ROLE_COORDINATOR", "ROLE_VOLUNTEER", "ROLE_PAID_ASSISTANT"} <= {b["role"] for b in roles}
