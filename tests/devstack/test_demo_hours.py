"""The demo's volunteer hours against a recording stand-in for the gateway: plain Python, no federation."""
from __future__ import annotations

import random

from services.devstack.demo import VOLUNTEERING, volunteer_hours, volunteers_among


class Recorder:
    """Answers the REST calls the demo makes, and keeps them."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict]] = []

    def call(self, method, path, body=None):
        self.calls.append((method, path, body or {}))
        return {"name": f"{path}/e{len(self.calls)}"}

    def post(self, path, body):
        return self.call("POST", path, body)


PEOPLE = [(f"g{i}", "Khan", False, "veiledergruppen" if i < 6 else "") for i in range(10)] + [
    ("c1", "Khan", True, "linderud")]


def test_volunteers_are_grown_ups_of_their_chapter_first():
    assert volunteers_among(PEOPLE, "veiledergruppen", 8) == [f"g{i}" for i in range(8)]
    assert "c1" not in volunteers_among(PEOPLE, "linderud", 20)


def test_miras_guides_log_hours_at_the_language_cafe_and_the_course_with_one_correction():
    api = Recorder()
    held = {"Språkkafé": [("cafe", f"s{i}") for i in range(10)], "Ta ordet – kurs for jenter": [("kurs", "k1")]}
    logged = volunteer_hours("mira", api, random.Random(1), PEOPLE, held)
    posts = [b for m, p, b in api.calls if m == "POST"]
    assert logged == len(posts) and logged >= 10 * 2 + 1
    assert len({b["person"] for b in posts}) >= 5  # enough guides for the figures to be shown
    assert all(90 <= b["duration_minutes"] <= 150 and b["task"] for b in posts)
    assert all(b["session"].startswith("organizations/mira/activities/") for b in posts)
    [patch] = [(p, b) for m, p, b in api.calls if m == "PATCH"]
    assert patch[0].endswith("?update_mask=duration_minutes") and patch[1] == {"duration_minutes": 180}
    assert VOLUNTEERING["mkr"] == [] and volunteer_hours("mkr", Recorder(), random.Random(1), PEOPLE, held) == 0
