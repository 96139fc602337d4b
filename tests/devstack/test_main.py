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


def test_ctrl_c_while_starting_stops_everything(tmp_path):
    """Ctrl-C before the federation is up (or while the demo data loads) stops every process it started."""
    import os
    import signal
    import subprocess
    import sys

    from services.devstack.procs import port_open, wait_for_port
    from services.devstack.stack import Layout

    layout = Layout.fixed(["mir"])
    proc = subprocess.Popen([sys.executable, "-m", "services.devstack", "--orgs", "mir", "--data-dir",
                             str(tmp_path / "dev")], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        wait_for_port("127.0.0.1", layout.issuer, 60, proc, "the dev issuer")  # started, not yet up
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, out.decode()
    assert b"Stopped." in out
    assert not port_open("127.0.0.1", layout.issuer) and not port_open("127.0.0.1", layout.broker)
