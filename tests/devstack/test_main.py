"""`make run` waits for the demo data to show at the hub: within the analyst's rate limit, and knowing
that the hub publishes rounded figures."""
from __future__ import annotations

import email.message
import urllib.error

from services.devstack import __main__ as devstack


def answer(sessions: dict[str, int | None]) -> dict:
    return {"nodes": [{"organization": o, "statistics": {"sessions": {"value": v}, "min_cell_size": 5}}
                      for o, v in sessions.items()]}


def too_many(retry_after: str) -> urllib.error.HTTPError:
    headers = email.message.Message()
    headers["Retry-After"] = retry_after
    return urllib.error.HTTPError("http://hub", 429, "Too Many Requests", headers, None)


def test_waits_for_rounded_figures_and_honours_retry_after(monkeypatch):
    replies = [answer({"mir": 40, "mira": None}), too_many("1"), answer({"mir": 90, "mira": 45})]
    slept: list[float] = []
    monkeypatch.setattr(devstack, "_hub_figures", lambda stack, year: _next(replies))
    monkeypatch.setattr(devstack.time, "sleep", slept.append)
    figures = devstack._wait_for_figures(object(), {"mir": 92, "mira": 47})
    assert figures == answer({"mir": 90, "mira": 45})  # 92 and 47 sessions, published as 90 and 45
    assert slept == [3, 1.0] and replies == []


def _next(replies: list):
    reply = replies.pop(0)
    if isinstance(reply, Exception):
        raise reply
    return reply
