"""The demo's repeating activities, loaded into a stand-in for a gateway that expands their rules as the events
service does: made through their recurrence, attendance only at the sessions up to the day of loading."""
from __future__ import annotations

import datetime as dt
import itertools

import pytest

from services.devstack import demo
from services.events.domain.recurrence import Recurrence, slots


class Gateway(demo.Api):
    """Answers the demo's calls; a recurrence is expanded into sessions with the domain's rules."""

    def __init__(self) -> None:
        super().__init__("http://gateway.invalid", "token")
        self.sent: list[tuple[str, str, dict]] = []
        self.ids = itertools.count()
        self.rules: dict[str, dict] = {}

    def call(self, method: str, path: str, body: dict | None = None) -> dict:
        self.sent.append((method, path, body or {}))
        if path == "/api/v1/groups":
            return {"name": f"organizations/x/groups/{body['group_id']}"}
        if method == "PUT" and path.endswith("/recurrence"):
            self.rules[path] = body
            return {"scheduled_count": len(self._dates(body))}
        if path.endswith("/recurrence/occurrences"):
            activity = path.removesuffix("/recurrence/occurrences").removeprefix("/api/v1/")
            body = self.rules[path.removesuffix("/occurrences")]
            return {"occurrences": [{"session": {"name": f"organizations/x/{activity}/sessions/r{n}", "date": d}}
                                    for n, d in enumerate(self._dates(body))]}
        return {"name": f"organizations/x/things/id{next(self.ids)}"}

    @staticmethod
    def _dates(body: dict) -> list[str]:
        r = Recurrence(activity_id="a", rule=body["rule"], start_date=body["start_date"],
                       end_date=body["end_date"], start_time=body["start_time"],
                       exception_dates=tuple(body.get("exception_dates", ())))
        return [s.date for s in slots(r)]


@pytest.mark.parametrize("org, title, rule", [
    ("mir", "Leksehjelp på Linderud", "FREQ=WEEKLY;BYDAY=TU"),
    ("mira", "Språkkafé", "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE"),
    ("mkr", "Natteravning på Grønland", "FREQ=MONTHLY;BYDAY=1FR"),
])
def test_repeating_activities_are_made_through_their_recurrence(org, title, rule):
    api = Gateway()
    until = dt.date(demo.YEAR, 5, 31)
    counts = demo.load(org, api, until=until)
    [(path, body)] = [(p, b) for m, p, b in api.sent if m == "PUT"]
    assert body["rule"] == rule and body["start_date"].startswith(str(demo.YEAR))
    dates = Gateway._dates(body)
    assert counts["recurrences"] == 1 and counts["sessions"] >= len(dates)
    activity = path.removesuffix("/recurrence")
    # No session of the activity is added one by one; attendance only at the sessions up to `until`.
    assert not [p for m, p, _b in api.sent if p == f"{activity}/sessions"]
    attended = {p.split("/sessions/")[1].split("/")[0] for m, p, _b in api.sent
                if p.startswith(f"{activity}/sessions/") and p.endswith("/attendances")}
    held = {f"r{n}" for n, d in enumerate(dates) if d <= until.isoformat()}
    assert attended and attended <= held
    if org == "mir":  # no homework help in the winter break (ISO week 8)
        assert not [d for d in dates if dt.date.fromisoformat(d).isocalendar().week == 8]
