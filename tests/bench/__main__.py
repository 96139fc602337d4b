"""Benchmarks: `make bench`. Figures go to a JSON file, each a ratio against a
baseline measured in the same run on the same machine (shared machines are
noisy; absolute numbers alone mean little).

- rpc: a membership RegisterPerson / GetPerson (JWT check, SQLite write with
  outbox row, audit row) against a bare gRPC unary echo on the same cores;
- relay: outbox rows published by the relay per second against a bare
  kafka-python producer sending the same payloads;
- memory: resident memory of a running service process against a bare
  Python interpreter that imports grpc;
- pages: the server time of the web app's check-in page of a session with 20
  people present and of one check-in (a tap), p50 and p95, against the home
  page of the same gateway (a page that calls no service), measured through
  the gateway's WSGI app with real membership and events services behind it;
- import: 10,000 rows of a spreadsheet of members imported with the operator's
  command line (`python -m services.operator import --apply`, its progress bar
  on stderr) into a real membership service on SQLite: the check (dry run),
  then the import applied by the service in batches, until the last row is
  done; against a bare SQLAlchemy insert of the same 10,000 persons into a
  table of the same shape in one transaction.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import pathlib
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent import futures

import grpc

os.environ.setdefault("BROBYGGER_ENV", "development")

REPO = pathlib.Path(__file__).resolve().parents[2]


def _rate(fn, seconds: float) -> float:
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        fn()
        n += 1
    return n / (time.perf_counter() - start)


def _echo_server():
    from grpc_health.v1 import health, health_pb2, health_pb2_grpc

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
    servicer = health.HealthServicer()
    servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    health_pb2_grpc.add_HealthServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    return server, port, health_pb2, health_pb2_grpc


def bench_rpc(broker, issuer, seconds: float) -> dict:
    from brobygger.membership.v1 import membership_pb2, membership_pb2_grpc
    from brobygger.type.v1 import types_pb2
    from keycloak import KeycloakOpenID
    from services.devstack import inprocess
    from services.membership.bootstrap import build

    server, port, health_pb2, health_pb2_grpc = _echo_server()
    with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
        stub = health_pb2_grpc.HealthStub(ch)
        req = health_pb2.HealthCheckRequest()
        stub.Check(req)
        echo = _rate(lambda: stub.Check(req, timeout=5), seconds)
    server.stop(0)

    token = KeycloakOpenID(server_url=issuer.url + "/", realm_name="brobygger",
                           client_id="brobygger-web").token("coordinator-mir", "dev")["access_token"]
    md = [("authorization", f"Bearer {token}")]
    with tempfile.TemporaryDirectory() as tmp:
        env = inprocess.node_env("mir", database_url=f"sqlite:///{tmp}/m.db", kafka=broker.bootstrap,
                                 issuer=issuer.issuer_url)
        with inprocess.running("membership", build, env) as svc, grpc.insecure_channel(svc.address) as ch:
            stub = membership_pb2_grpc.MembershipServiceStub(ch)
            person = membership_pb2.Person(given_name="Amina", family_name="Hussain", birth_year=1984,
                                           gender=types_pb2.GENDER_FEMALE)
            reg = membership_pb2.RegisterPersonRequest(parent="organizations/mir", person=person)
            name = stub.RegisterPerson(reg, metadata=md).name
            register = _rate(lambda: stub.RegisterPerson(reg, metadata=md, timeout=5), seconds)
            get = membership_pb2.GetPersonRequest(name=name, purpose="benchmark")
            read = _rate(lambda: stub.GetPerson(get, metadata=md, timeout=5), seconds)
    return {
        "baseline_echo_calls_per_s": round(echo, 1),
        "register_person_calls_per_s": round(register, 1),
        "get_person_calls_per_s": round(read, 1),
        "register_person_vs_echo": round(register / echo, 3),
        "get_person_vs_echo": round(read / echo, 3),
    }


def bench_relay(broker, rows: int) -> dict:
    import sqlalchemy as sa

    from brobygger.events.v1 import events_facts_pb2
    from services.common import outbox
    from services.common.db import common_tables, make_engine
    from services.common.kafka import ensure_topics, make_producer
    from services.common.unit_of_work import SqlUnitOfWork

    payload = events_facts_pb2.AttendanceRecorded(attendance_id="a" * 32, session_id="s" * 32,
                                                   activity_id="c" * 32, date="2026-03-04", count=1)
    ensure_topics(broker.bootstrap, ["bench.raw", "bench.events"])
    producer = make_producer(broker.bootstrap, "bench-raw")
    start = time.perf_counter()
    for i in range(rows):
        producer.send("bench.raw", key=str(i % 50).encode(), value=payload.SerializeToString(),
                      headers=[("ce_id", str(i).encode())])
    producer.flush()
    raw = rows / (time.perf_counter() - start)
    producer.close()

    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/o.db")
        md = sa.MetaData()
        tables = common_tables(md)
        md.create_all(engine)
        with SqlUnitOfWork(engine, tables, "bench") as uow:  # facts of organisation "bench": topic bench.events
            for i in range(rows):
                uow.facts.add(payload, key=str(i % 50))
            uow.commit()
        relay = outbox.OutboxRelay(engine, tables["outbox"], broker.bootstrap, name="bench")
        relay.run_once()  # connect and create the topic outside the timing
        start = time.perf_counter()
        while relay.run_once():
            pass
        relayed = (relay.published - 500) / (time.perf_counter() - start)
        relay._reset_producer()
        engine.dispose()
    return {"baseline_raw_producer_msgs_per_s": round(raw, 1), "relay_msgs_per_s": round(relayed, 1),
            "relay_vs_raw_producer": round(relayed / raw, 3)}


def _rss_kb(code: str, env: dict) -> int:
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=REPO,
                          timeout=120)
    if proc.returncode:
        raise RuntimeError(proc.stderr[-2000:])
    return int(proc.stdout.strip().splitlines()[-1])


def bench_memory(broker, issuer) -> dict:
    env = {**os.environ, "BROBYGGER_ENV": "development"}
    # Peak resident memory of the process itself (VmHWM starts anew at exec, unlike ru_maxrss).
    peak = "print(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')))"
    base = _rss_kb("import grpc\n" + peak, env)
    with tempfile.TemporaryDirectory() as tmp:
        code = (
            "import grpc\n"
            "from services.devstack import inprocess\n"
            "from services.membership.bootstrap import build\n"
            f"env = inprocess.node_env('mir', database_url='sqlite:///{tmp}/m.db', kafka='{broker.bootstrap}', "
            f"issuer='{issuer.issuer_url}')\n"
            "with inprocess.running('membership', build, env):\n"
            "    pass\n" + peak + "\n"
        )
        service = _rss_kb(code, env)
    return {"baseline_python_grpc_rss_kb": base, "membership_service_rss_kb": service,
            "service_vs_baseline_rss": round(service / base, 3)}


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return ordered[len(ordered) // 2], ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def bench_pages(broker, issuer, taps: int) -> dict:
    """The check-in page and one check-in, as the gateway serves them (server time, no network)."""
    from brobygger.events.v1 import events_pb2, events_pb2_grpc
    from brobygger.membership.v1 import membership_pb2, membership_pb2_grpc
    from brobygger.type.v1 import types_pb2
    from gateway.app import create_app
    from keycloak import KeycloakOpenID
    from services.common.settings import load
    from services.devstack import inprocess
    from services.events.bootstrap import build as build_events
    from services.membership.bootstrap import build as build_membership

    answer = KeycloakOpenID(server_url=issuer.url + "/", realm_name="brobygger",
                            client_id="brobygger-web").token("volunteer-mir", "dev")
    coordinator = KeycloakOpenID(server_url=issuer.url + "/", realm_name="brobygger",
                                 client_id="brobygger-web").token("coordinator-mir", "dev")["access_token"]
    md = [("authorization", f"Bearer {coordinator}")]
    with tempfile.TemporaryDirectory() as tmp:
        def env(service: str, **extra) -> dict:
            return inprocess.node_env("mir", database_url=f"sqlite:///{tmp}/{service}.db", kafka=broker.bootstrap,
                                      issuer=issuer.issuer_url, **extra)

        with inprocess.running("membership", build_membership, env("membership"), roles=()) as members, \
                inprocess.running("events", build_events, env("events", BROBYGGER_MEMBERSHIP_ADDRESS=members.address),
                                  roles=()) as events, \
                grpc.insecure_channel(members.address) as mch, grpc.insecure_channel(events.address) as ech:
            people = membership_pb2_grpc.MembershipServiceStub(mch)
            ev = events_pb2_grpc.EventsServiceStub(ech)
            ids = [people.RegisterPerson(membership_pb2.RegisterPersonRequest(
                parent="organizations/mir", person=membership_pb2.Person(
                    given_name=f"Deltaker{i}", family_name="Linderud", birth_year=2012,
                    gender=types_pb2.GENDER_FEMALE)), metadata=md).name for i in range(20 + taps)]
            activity = ev.CreateActivity(events_pb2.CreateActivityRequest(parent="organizations/mir", activity=(
                events_pb2.Activity(title="Leksehjelp", theme="homework help",
                                    subgoal=types_pb2.IMDI_SUBGOAL_QUALIFICATION))), metadata=md).name
            sessions = [ev.CreateSession(events_pb2.CreateSessionRequest(parent=activity, session=events_pb2.Session(
                date=f"2026-01-{day:02d}", start_time="17:00", duration_minutes=90)), metadata=md).name
                for day in (7, 14)]
            for pid in ids[:20]:
                for session in sessions:
                    ev.RecordAttendance(events_pb2.RecordAttendanceRequest(
                        parent=session, attendance=events_pb2.Attendance(person=pid)), metadata=md)
            settings = load("gateway", {**env("gateway"), "BROBYGGER_MEMBERSHIP_ADDRESS": members.address,
                                        "BROBYGGER_EVENTS_ADDRESS": events.address,
                                        "BROBYGGER_WEB_SESSION_DIR": f"{tmp}/sessions"})
            app = create_app(settings)
            client = app.test_client()

            def timed(fn) -> float:
                started = time.perf_counter()
                response = fn()
                elapsed = (time.perf_counter() - started) * 1000
                assert response.status_code in (200, 302), response.status_code
                return elapsed

            home = [timed(lambda: client.get("/")) for _ in range(taps)]
            with client.session_transaction() as web_session:
                web_session["tokens"] = {"access": answer["access_token"], "refresh": answer["refresh_token"],
                                         "id": "", "expires_at": time.time() + answer["expires_in"]}
            aid, sid = activity.rsplit("/", 1)[1], sessions[1].rsplit("/", 1)[1]
            page_url = f"/sessions/{aid}/{sid}"
            client.get(page_url)
            page = [timed(lambda: client.get(page_url)) for _ in range(taps)]
            token = client.get(page_url).get_data(as_text=True).split('name="csrf_token" value="', 1)[1].split('"')[0]
            tap = [timed(lambda pid=pid: client.post(page_url + "/attendances", data={
                "csrf_token": token, "person": pid.rsplit("/", 1)[1], "request_id": uuid.uuid4().hex}))
                for pid in ids[20:]]
            app.extensions["brobygger_gateway"].close()
    home_p50, _ = _percentiles(home)
    page_p50, page_p95 = _percentiles(page)
    tap_p50, tap_p95 = _percentiles(tap)
    return {
        "baseline_home_page_ms_p50": round(home_p50, 2),
        "checkin_page_ms_p50": round(page_p50, 2),
        "checkin_page_ms_p95": round(page_p95, 2),
        "checkin_tap_ms_p50": round(tap_p50, 2),
        "checkin_tap_ms_p95": round(tap_p95, 2),
        "checkin_page_vs_home_p50": round(page_p50 / home_p50, 2),
        "checkin_tap_vs_home_p50": round(tap_p50 / home_p50, 2),
    }


def bench_import(broker, issuer, rows: int) -> dict:
    """The operator's import of a spreadsheet of `rows` members, end to end, against a bare bulk insert."""
    import contextlib
    import io

    import sqlalchemy as sa

    from services.common.db import make_engine
    from services.devstack import inprocess
    from services.membership.adapters.orm import persons
    from services.membership.adapters.repository import SqlPersonRepository
    from services.membership.bootstrap import build
    from services.membership.domain.model import Person
    from services.operator.__main__ import main as operator
    from tests.import_files import csv_bytes, members

    content = csv_bytes(members(rows))
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/bare.db")
        md = sa.MetaData()
        persons.to_metadata(md)
        md.create_all(engine)
        now = dt.datetime.now(dt.timezone.utc)
        people = [Person(id=uuid.uuid4().hex, given_name=f"Navn{i}", family_name="Hussain", birth_year=1984,
                         gender=1, phone=f"+47 9{i:07d}", create_time=now, update_time=now) for i in range(rows)]
        started = time.perf_counter()
        with engine.begin() as conn:
            conn.execute(persons.insert(), [dict(id=p.id, create_time=p.create_time, **SqlPersonRepository._values(p))
                                            for p in people])
        bare = time.perf_counter() - started
        engine.dispose()

        path = pathlib.Path(tmp) / "medlemmer.csv"
        path.write_bytes(content)
        env = inprocess.node_env("mir", database_url=f"sqlite:///{tmp}/m.db", kafka=broker.bootstrap,
                                 issuer=issuer.issuer_url)
        with inprocess.running("membership", build, env, roles=("import",)) as svc:
            saved = {k: os.environ.get(k) for k in ("BROBYGGER_ORG", "BROBYGGER_MEMBERSHIP_ADDRESS",
                                                    "BROBYGGER_OIDC_ISSUER")}
            os.environ.update(BROBYGGER_ORG="mir", BROBYGGER_MEMBERSHIP_ADDRESS=svc.address,
                              BROBYGGER_OIDC_ISSUER=issuer.issuer_url)
            out = io.StringIO()
            try:
                started = time.perf_counter()
                with contextlib.redirect_stdout(out):
                    status = operator(["import", str(path), "--apply", "--poll", "0.1"])
                elapsed = time.perf_counter() - started
            finally:
                for k, v in saved.items():
                    if v is None:
                        os.environ.pop(k, None)
                    else:
                        os.environ[k] = v
            assert status == 0 and f"succeeded: {rows} created" in out.getvalue(), out.getvalue()
            with svc.app.engine.connect() as conn:
                assert conn.execute(sa.select(sa.func.count()).select_from(svc.app.tables["persons"])).scalar() == rows
                job = conn.execute(sa.select(svc.app.tables["person_imports"])).one()
    # The service's own clock: from the check's end to the start, and from the start to the last row.
    applied = (job.end_time - job.start_time).total_seconds()
    return {"baseline_bare_insert_s": round(bare, 3), "import_rows": rows, "import_s": round(elapsed, 2),
            "import_apply_s": round(applied, 2), "import_check_and_upload_s": round(elapsed - applied, 2),
            "import_rows_per_s": round(rows / elapsed, 1), "import_vs_bare_insert": round(elapsed / bare, 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="bench-results.json")
    parser.add_argument("--seconds", type=float, default=3.0, help="duration of each rate measurement")
    parser.add_argument("--rows", type=int, default=5000, help="outbox rows to relay")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure; the median is kept")
    parser.add_argument("--taps", type=int, default=100, help="page loads and check-ins measured for the pages")
    parser.add_argument("--import-rows", type=int, default=10_000, help="rows of the spreadsheet imported")
    parser.add_argument("--only", choices=("rpc", "relay", "memory", "pages", "import"), action="append",
                        help="run only these benchmarks (default: all)")
    args = parser.parse_args(argv)

    from services.common import telemetry
    from services.devissuer import start as start_issuer
    from services.devstack.procs import Broker

    telemetry.setup("brobygger-bench", log_level="WARNING")
    broker = Broker().start()
    issuer = start_issuer(REPO / "deploy" / "keycloak" / "brobygger-realm.json")
    try:
        def median(runs: list[dict]) -> dict:
            return {k: statistics.median(r[k] for r in runs) for k in runs[0]}

        chosen = set(args.only or ("rpc", "relay", "memory", "pages", "import"))
        benches = {
            "rpc": lambda: median([bench_rpc(broker, issuer, args.seconds) for _ in range(args.repeat)]),
            "relay": lambda: median([bench_relay(broker, args.rows) for _ in range(args.repeat)]),
            "memory": lambda: bench_memory(broker, issuer),
            "pages": lambda: bench_pages(broker, issuer, args.taps),
            "import": lambda: bench_import(broker, issuer, args.import_rows),
        }
        results = {
            **{name: run() for name, run in benches.items() if name in chosen},
            "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                        "platform": platform.platform()},
            "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
    finally:
        issuer.stop()
        broker.stop()
    pathlib.Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
