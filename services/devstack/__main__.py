"""Start a local federation: `make run` (python -m services.devstack).

Brings up the Kafka-protocol broker, the dev identity issuer, the nodes of
MiR, MiRA-Senteret and Minhaj Konfliktråd (four services and a gateway each)
and the central hub; loads demo data; prints what runs where; stops
everything on Ctrl-C.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import json
import pathlib
import shutil
import signal
import sys
import threading
import time
import urllib.error
import urllib.request

from services.devstack import demo
from services.devstack.stack import ORGANISATIONS, REPO, Layout, Stack

VOLUNTEERS = {"mir": "volunteer-mir"}


def _hub_figures(stack: Stack, year: int, timeout: float = 30) -> dict:
    token = stack.token("analyst-imdi")
    url = f"{stack.gateway_url()}/api/v1/federation/statistics?start_date={year}-01-01&end_date={year}-12-31"
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.loads(resp.read())


def _wait_for_figures(stack: Stack, sessions: dict[str, int], timeout: float = 60) -> dict | None:
    """This year's figures once every node's session count shows (rounded to the nodes' minimum cell
    size, as the hub publishes it); asked every few seconds, within the analyst's rate limit."""
    deadline = time.monotonic() + timeout
    figures = None
    while time.monotonic() < deadline:
        try:
            figures = _hub_figures(stack, dt.date.today().year)
        except urllib.error.HTTPError as exc:
            if exc.code != 429:
                raise
            time.sleep(float(exc.headers.get("Retry-After") or 2))
            continue
        shown = {n["organization"]: n.get("statistics") for n in figures.get("nodes", [])}
        if all(s and _near(s["sessions"].get("value"), sessions[o], s["min_cell_size"])
               for o, s in ((o, shown.get(o)) for o in sessions)):
            return figures
        time.sleep(3)
    return figures


def _near(shown: int | None, count: int, k: int) -> bool:
    return shown is not None and abs(shown - count) < k


def _cell(c: dict | None) -> str:
    if not c:
        return "-"
    if c.get("suppressed"):
        return "(small)" if c["suppressed"] == "primary" else "(hidden)"
    return str(c.get("value"))


def _summary(stack: Stack, figures: dict | None, elapsed: float) -> str:
    lines = [
        "",
        f"Brobygger is running (up in {elapsed:.0f} s). Data and logs: {stack.data_dir.relative_to(REPO) if stack.data_dir.is_relative_to(REPO) else stack.data_dir}",
        "",
        f"  identity (dev issuer)  {stack.issuer_url}",
        f"  Kafka-protocol broker  127.0.0.1:{stack.layout.broker}",
        f"  hub gateway (IMDi)     {stack.gateway_url()}        hub gRPC 127.0.0.1:{stack.layout.hub_grpc}",
    ]
    for org in stack.orgs:
        p = stack.layout.nodes[org]
        lines.append(f"  node {org:<5} gateway     {stack.gateway_url(org)}        gRPC membership :{p.membership}"
                     f" events :{p.events} referral :{p.referral} reporting :{p.reporting}")
    lines += [
        "",
        "Open a browser and log in (password: dev for every demo user):",
    ]
    for org in stack.orgs:
        who = ", ".join(u for u in (demo.COORDINATORS[org], VOLUNTEERS.get(org)) if u)
        lines.append(f"  {stack.gateway_url(org):<24} {org}: {who}")
    lines += [
        f"  {stack.gateway_url():<24} the hub: analyst-imdi",
        "",
        "Get a token and ask the hub for this year's federated figures:",
        f"  TOKEN=$(curl -s -d grant_type=password -d client_id=brobygger-web -d username=analyst-imdi -d password=dev \\",
        f"          {stack.issuer_url}/protocol/openid-connect/token | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"access_token\"])')",
        f"  curl -s -H \"Authorization: Bearer $TOKEN\" '{stack.gateway_url()}/api/v1/federation/statistics?start_date={dt.date.today().year}-01-01&end_date={dt.date.today().year}-12-31'",
        "",
        f"A node's own API, as its coordinator: {stack.gateway_url('mir')}/api/v1/persons?purpose=overview (OpenAPI: {stack.gateway_url('mir')}/openapi.json)",
    ]
    if figures:
        lines += ["", "Federated figures at the hub now (hidden counts shown as (small) or (hidden)):",
                  f"  {'org':<6}{'members':>9}{'paying':>9}{'sessions':>10}{'participants':>14}{'visits':>9}"]
        for node in figures.get("nodes", []):
            s = node.get("statistics") or {}
            lines.append(f"  {node.get('organization', '?'):<6}{_cell(s.get('members')):>9}{_cell(s.get('paying_members')):>9}"
                         f"{_cell(s.get('sessions')):>10}{_cell(s.get('participants_unique_total')):>14}"
                         f"{_cell(s.get('visits_total')):>9}")
    lines += ["", "Press Ctrl-C to stop everything."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.devstack", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", default=str(REPO / "var" / "dev"), help="where databases and logs go")
    parser.add_argument("--keep-data", action="store_true",
                        help="keep the databases of the last run (the broker is memory-only and starts empty)")
    parser.add_argument("--no-demo", action="store_true", help="start empty")
    parser.add_argument("--orgs", default="mir,mira,mkr", help="organisations to run nodes for")
    args = parser.parse_args(argv)

    orgs = [o.strip() for o in args.orgs.split(",") if o.strip()]
    unknown = [o for o in orgs if o not in ORGANISATIONS]
    if unknown:
        parser.error(f"unknown organisation(s) {', '.join(unknown)}; choose from {', '.join(ORGANISATIONS)}")
    data_dir = pathlib.Path(args.data_dir)
    if data_dir.exists() and not args.keep_data:
        shutil.rmtree(data_dir)
    started = time.monotonic()
    stack = Stack(data_dir, orgs, Layout.fixed(orgs))
    stop = threading.Event()
    starting = True

    def interrupt(*_) -> None:
        # While starting or loading, Ctrl-C stops at once (the demo loaders' threads are left to fail
        # against the stopped gateways); once up, the wait loop below notices.
        stop.set()
        if starting:
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=len(orgs))
    print(f"Starting the broker, the dev issuer, nodes {', '.join(orgs)} and the hub ...", flush=True)
    try:
        stack.start()
        up = time.monotonic() - started
        print(f"The federation is up ({up:.0f} s).", flush=True)
        figures = None
        if not args.no_demo and not args.keep_data:
            print("Loading demo data through the gateways ...", flush=True)
            counts = demo.load_federation(stack, pool)
            for org, c in counts.items():
                print(f"  {org}: " + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in c.items()), flush=True)
            if "mir" in orgs and "mira" in orgs:
                print("  mir -> mira: one referral to free legal aid, with consent", flush=True)
            print(f"Demo data loaded ({time.monotonic() - started - up:.0f} s).", flush=True)
            figures = _wait_for_figures(stack, {org: c["sessions"] for org, c in counts.items()})
        print(_summary(stack, figures, up), flush=True)
        starting = False
        while not stop.is_set():
            for name, proc in list(stack.procs.items()):
                if proc.poll() is not None:
                    print(f"{name} stopped with status {proc.returncode}; see {stack.log_dir / (name + '.log')}",
                          flush=True)
                    stack.procs.pop(name)
            stop.wait(1)
    except (RuntimeError, TimeoutError, demo.ApiError) as exc:
        print(f"\nCould not start the federation: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        starting = False
        pool.shutdown(wait=False, cancel_futures=True)
        print("\nStopping ...", flush=True)
        stack.close()
        print("Stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
