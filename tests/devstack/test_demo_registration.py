"""The demo's registrations, loaded into a recording stand-in for a gateway: courses get places, a household
registers together, someone drops out, and no-shows are marked after the last session."""
from __future__ import annotations

import datetime as dt

from services.devstack import demo
from tests.devstack.test_demo_recurrence import Gateway


def test_mira_and_mir_have_courses_with_places_a_household_and_no_shows():
    for org, title in (("mira", "Ta ordet"), ("mir", "Svømming")):
        api = Gateway()  # expands the repeating activities into sessions, as the events service does
        counts = demo.load(org, api, until=dt.date(demo.YEAR, 12, 31))
        capacities = [b for _m, path, b in api.sent if "update_mask=capacity" in path]
        assert capacities and all(b["capacity"] > 0 for b in capacities)
        course = [path for _m, path, b in api.sent if path.endswith("/registrations") and "/sessions/" not in path]
        assert len(course) >= 10 and counts["registrations"] >= len(course)
        assert [p for _m, p, _b in api.sent if p.endswith(":markNoShows")]
        households = [p for _m, p, _b in api.sent if ":registerHousehold?purpose=" in p]
        assert bool(households) == (org == "mir"), title
