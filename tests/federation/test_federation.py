"""The whole mesh: three organisations' nodes (four services and a gateway
each, separate processes), the hub, the broker and the dev issuer. Data
recorded at the nodes shows up in the hub's figures; a stopped node is
reported and the rest answer; a reporting service killed mid-stream counts
every event exactly once; one organisation's coordinator is refused at
another's node."""
from __future__ import annotations

import json
import signal
import time
import urllib.error
import urllib.request

import grpc
import pytest

from brobygger.membership.v1 import membership_pb2, membership_pb2_grpc
from services.devstack import demo
from services.devstack.stack import Layout, Stack
from tests.support import eventually

pytestmark = pytest.mark.federation

ORGS = ["mir", "mira", "mkr"]
# The hub's per-analyst limit in these tests: above what their polling of the hub needs, below what a burst of
# fast queries reaches (the default is 30 a minute, 10 at once).
HUB_LIMITS = {"BROBYGGER_HUB_QUERIES_PER_MINUTE": "600", "BROBYGGER_HUB_QUERY_BURST": "60"}


@pytest.fixture(scope="module")
def fed(tmp_path_factory):
    stack = Stack(tmp_path_factory.mktemp("federation"), ORGS, Layout.free(ORGS), env_overrides=HUB_LIMITS)
    try:
        stack.start(timeout=120)
        yield stack
    finally:
        stack.close()


@pytest.fixture(scope="module")
def tokens(fed):
    cache: dict[str, tuple[float, str]] = {}

    def get(user: str) -> str:
        # Access tokens live five minutes; fetch a new one well before that.
        if user not in cache or time.monotonic() - cache[user][0] > 120:
            cache[user] = (time.monotonic(), fed.token(user))
        return cache[user][1]

    return get


def http(method: str, url: str, token: str | None = None, body=None, raw: bytes | None = None):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), json.loads(exc.read() or b"{}")


def hub_query(fed, tokens, start: str, end: str, timeout_ms: int | None = None) -> dict:
    url = f"{fed.gateway_url()}/api/v1/federation/statistics?start_date={start}&end_date={end}"
    if timeout_ms:
        url += f"&node_timeout_ms={timeout_ms}"
    status, _, body = http("GET", url, tokens("analyst-imdi"))
    assert status == 200, body
    return body


def node_stats(result: dict, org: str) -> dict | None:
    for node in result["nodes"]:
        if node["organization"] == org:
            return node.get("statistics")
    return None


def agrees(cell: dict, truth: int, k: int = 5) -> bool:
    """Whether a published cell may stand for this true count: 0 as 0, 1..k-1 hidden, the rest hidden or
    rounded to a neighbouring multiple of k."""
    shown = cell.get("value")
    if shown is None:
        return truth > 0 and bool(cell.get("suppressed"))
    return shown == truth == 0 or (truth >= k and shown % k == 0 and abs(shown - truth) < k)


def value(cell: dict) -> int | None:
    return cell.get("value") if cell else None


def test_recorded_data_shows_up_in_the_hubs_figures(fed, tokens):
    api = demo.Api(fed.gateway_url("mir"), tokens("coordinator-mir"))
    people = []
    # Counts that are multiples of 5 are published as they are (the rest are rounded to one).
    for i in range(10):
        p = api.post("/api/v1/persons", {"given_name": f"Deltaker{i}", "family_name": "Test", "birth_year": 1980 + i,
                                         "gender": "GENDER_FEMALE"})
        people.append(p["name"])
        paid = i < 5
        api.post(f"/api/v1/persons/{p['name'].rsplit('/', 1)[1]}/membership-years", {
            "year": 2024, "fee_nok": 200 if paid else 0,
            "payment_state": "PAYMENT_STATE_PAID" if paid else "PAYMENT_STATE_UNPAID"})
    act = api.post("/api/v1/activities", {"title": "Leksehjelp", "subgoal": "IMDI_SUBGOAL_QUALIFICATION"})
    aid = act["name"].rsplit("/", 1)[1]
    for day in ("2024-03-05", "2024-03-12", "2024-03-19", "2024-03-26", "2024-04-02"):
        ses = api.post(f"/api/v1/activities/{aid}/sessions", {"date": day, "start_time": "17:30"})
        for name in people:
            api.post(f"/api/v1/activities/{aid}/sessions/{ses['name'].rsplit('/', 1)[1]}/attendances",
                     {"person": name})

    def figures():
        s = node_stats(hub_query(fed, tokens, "2024-01-01", "2024-12-31"), "mir")
        return s if s and value(s["sessions"]) == 5 and value(s["visits_total"]) == 50 and value(s["members"]) == 10 else None

    s = eventually(figures)
    assert s, "the hub never showed mir's figures for 2024"
    assert value(s["paying_members"]) == 5
    assert value(s["participants_unique_total"]) == 10
    # Ten women born 1980-89 fall in one cell (26-66); nothing small to hide there.
    cells = [c for c in s["participants"] if value(c.get("unique"))]
    assert [(c["gender"], c["age_band"], value(c["unique"]), value(c["visits"])) for c in cells] == [
        ("GENDER_FEMALE", "AGE_BAND_26_66", 10, 50)]


def test_small_counts_are_suppressed_not_zero(fed, tokens):
    api = demo.Api(fed.gateway_url("mkr"), tokens("coordinator-mkr"))
    act = api.post("/api/v1/activities", {"title": "Gatemekling", "subgoal": "IMDI_SUBGOAL_SOCIAL_CONTROL"})
    aid = act["name"].rsplit("/", 1)[1]
    for day in ("2023-05-02", "2023-05-16"):
        api.post(f"/api/v1/activities/{aid}/sessions", {"date": day})

    def figures():
        s = node_stats(hub_query(fed, tokens, "2023-01-01", "2023-12-31"), "mkr")
        return s if s and s["sessions"].get("suppressed") else None

    s = eventually(figures)
    assert s, "mkr's two sessions should show as suppressed"
    assert s["sessions"] == {"value": None, "suppressed": "primary"}
    assert s["members"] == {"value": 0}


def test_a_stopped_node_is_reported_and_the_rest_answer(fed, tokens):
    fed.procs["mkr-reporting"].send_signal(signal.SIGSTOP)  # hangs: the hub's deadline must cut it off
    try:
        result = hub_query(fed, tokens, "2024-01-01", "2024-12-31", timeout_ms=1500)
        assert result["missing_organizations"] == ["mkr"]
        [mkr] = [n for n in result["nodes"] if n["organization"] == "mkr"]
        assert mkr["error"] == "DEADLINE_EXCEEDED"  # cut off by the hub's deadline, not waited for
        assert node_stats(result, "mir") is not None and node_stats(result, "mira") is not None
        fed.stop("mkr-reporting")
        result = hub_query(fed, tokens, "2024-01-01", "2024-12-31")
        assert result["missing_organizations"] == ["mkr"]
    finally:
        fed.stop("mkr-reporting")
        fed.start_service("mkr", "reporting")
    assert eventually(lambda: not hub_query(fed, tokens, "2024-01-01", "2024-12-31")["missing_organizations"], timeout=60)


def test_reporting_killed_mid_stream_counts_every_event_exactly_once(fed, tokens):
    api = demo.Api(fed.gateway_url("mira"), tokens("coordinator-mira"))
    act = api.post("/api/v1/activities", {"title": "Språkkafé", "subgoal": "IMDI_SUBGOAL_QUALIFICATION",
                                          "anonymous_attendance": True})
    aid = act["name"].rsplit("/", 1)[1]
    sessions = [api.post(f"/api/v1/activities/{aid}/sessions", {"date": f"2025-04-{d:02d}"})["name"].rsplit("/", 1)[1]
                for d in range(1, 31)]
    expected = 0
    for i, sid in enumerate(sessions):  # counts that are multiples of 5, which are published as they are
        for band, n in (("AGE_BAND_26_66", 10), ("AGE_BAND_20_25", 5)):
            api.post(f"/api/v1/activities/{aid}/sessions/{sid}/attendances",
                     {"head_count": {"gender": "GENDER_FEMALE", "age_band": band, "count": n}})
            expected += n
        if i == 10:
            fed.procs["mira-reporting"].send_signal(signal.SIGKILL)
            fed.procs["mira-reporting"].wait(10)
            fed.procs.pop("mira-reporting")
        if i == 20:
            fed.start_service("mira", "reporting")

    def figures():
        s = node_stats(hub_query(fed, tokens, "2025-04-01", "2025-04-30"), "mira")
        return s if s and value(s["visits_total"]) == expected else None

    s = eventually(figures, timeout=60, interval=0.3, what=f"{expected} visits after the restart")
    assert value(s["sessions"]) == 30
    # Nothing arrives late and is counted again: a marker recorded after everything else, in the same
    # activity (one partition, so in order), is counted only after every earlier fact was applied.
    marker = api.post(f"/api/v1/activities/{aid}/sessions", {"date": "2025-05-02"})["name"].rsplit("/", 1)[1]
    api.post(f"/api/v1/activities/{aid}/sessions/{marker}/attendances",
             {"head_count": {"gender": "GENDER_FEMALE", "age_band": "AGE_BAND_26_66", "count": 10}})
    eventually(lambda: value((node_stats(hub_query(fed, tokens, "2025-05-01", "2025-05-31"), "mira") or {})
                             .get("visits_total")) == 10, timeout=60, interval=0.3, what="the marker fact")
    again = node_stats(hub_query(fed, tokens, "2025-04-01", "2025-04-30"), "mira")
    assert value(again["visits_total"]) == expected


def test_another_organisations_coordinator_is_refused(fed, tokens):
    token = tokens("coordinator-mir")
    base = fed.gateway_url("mira")
    for method, path, body in [
        ("GET", "/api/v1/persons", None),
        ("POST", "/api/v1/persons", {"given_name": "X", "gender": "GENDER_FEMALE"}),
        ("GET", "/api/v1/activities", None),
        ("GET", "/api/v1/referrals", None),
        ("GET", "/api/v1/statistics?start_date=2024-01-01&end_date=2024-12-31", None),
    ]:
        status, ctype, problem = http(method, base + path, token, body)
        assert status == 403, (method, path, status, problem)
        assert ctype.startswith("application/problem+json")
    # And straight at the service, past the gateway.
    with grpc.insecure_channel(fed.grpc_address("mira", "membership")) as ch:
        with pytest.raises(grpc.RpcError) as err:
            membership_pb2_grpc.MembershipServiceStub(ch).ListPersons(
                membership_pb2.ListPersonsRequest(parent="organizations/mira"),
                metadata=[("authorization", f"Bearer {token}")], timeout=5)
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
    # A coordinator is not an analyst at the hub.
    status, _, _ = http("GET", f"{fed.gateway_url()}/api/v1/federation/statistics?start_date=2024-01-01&end_date=2024-12-31",
                        token)
    assert status == 403


def test_bad_input_gets_400_naming_the_field_and_unknown_ids_404(fed, tokens):
    token = tokens("coordinator-mir")
    base = fed.gateway_url("mir")
    status, ctype, problem = http("POST", base + "/api/v1/persons", token,
                                  {"given_name": "Amina", "gender": "GENDER_FEMALE", "birth_year": 1850})
    assert status == 400 and ctype.startswith("application/problem+json")
    assert [e["field"] for e in problem["errors"]] == ["person.birth_year"]
    status, _, problem = http("POST", base + "/api/v1/persons", token, raw=b"{not json")
    assert status == 400
    status, _, problem = http("GET", base + "/api/v1/persons/doesnotexist?purpose=follow-up", token)
    assert status == 404 and problem["reason"] == "PERSON_NOT_FOUND"
    status, _, _ = http("GET", base + "/api/v1/persons")
    assert status == 401


def test_reads_of_personal_data_are_audited_with_who_and_why(fed, tokens):
    base = fed.gateway_url("mir")
    coordinator = tokens("coordinator-mir")
    status, _, problem = http("GET", base + "/api/v1/persons", coordinator)
    assert status == 400 and [e["field"] for e in problem["errors"]] == ["purpose"]
    api = demo.Api(base, coordinator)
    person = api.post("/api/v1/persons", {"given_name": "Hodan", "family_name": "Audit", "birth_year": 1990,
                                          "gender": "GENDER_FEMALE"})["name"]
    pid = person.rsplit("/", 1)[1]
    status, _, _ = http("GET", f"{base}/api/v1/persons?page_size=5&purpose=planning+the+swimming+group",
                        coordinator)
    assert status == 200
    status, _, _ = http("GET", f"{base}/api/v1/persons/{pid}?purpose=follow-up+of+homework+help", coordinator)
    assert status == 200
    # A volunteer records her attendance: events asks membership with the node's token, for the volunteer.
    act = api.post("/api/v1/activities", {"title": "Leksehjelp", "subgoal": "IMDI_SUBGOAL_QUALIFICATION"})
    aid = act["name"].rsplit("/", 1)[1]
    sid = api.post(f"/api/v1/activities/{aid}/sessions", {"date": "2024-09-03"})["name"].rsplit("/", 1)[1]
    volunteer = demo.Api(base, tokens("volunteer-mir"))
    volunteer.post(f"/api/v1/activities/{aid}/sessions/{sid}/attendances", {"person": person})

    status, _, log = http("GET", f"{base}/api/v1/audit/membership?resource={person}", coordinator)
    assert status == 200, log
    assert [(e["actor"], e["action"], e["purpose"]) for e in log["audit_entries"]] == [
        ("volunteer-mir", "person.profile.read", "statistics"),
        ("coordinator-mir", "person.read", "follow-up of homework help")]
    assert log["audit_entries"][0]["client"] == "service-account-node-mir on behalf of volunteer-mir"
    status, _, log = http("GET", f"{base}/api/v1/audit/membership?actor=coordinator-mir&page_size=3", coordinator)
    assert [e["action"] for e in log["audit_entries"]] == ["audit.list", "person.read", "person.list"]
    # Volunteers do not read the audit log.
    status, _, problem = http("GET", f"{base}/api/v1/audit/membership", tokens("volunteer-mir"))
    assert status == 403 and problem["reason"] == "ROLE_REQUIRED"


def test_gateway_health_and_openapi(fed):
    status, _, health = http("GET", fed.gateway_url("mir") + "/healthz")
    assert status == 200
    text = json.dumps(health)
    for service in ("membership", "events", "referral", "reporting"):
        assert service in text
    assert fed.grpc_address("mir", "membership") in text
    status, _, doc = http("GET", fed.gateway_url("mir") + "/openapi.json")
    assert status == 200 and doc["openapi"].startswith("3.")


def test_demo_data_loads_and_the_hub_reports_it(fed, tokens):
    api = demo.Api(fed.gateway_url("mkr"), tokens("coordinator-mkr"))
    counts = demo.load("mkr", api)
    year = demo.YEAR

    def figures():
        s = node_stats(hub_query(fed, tokens, f"{year}-01-01", f"{year}-12-31"), "mkr")
        return s if s and agrees(s["sessions"], counts["sessions"]) and \
            agrees(s["members"], counts["membership_years"]) else None

    s = eventually(figures, timeout=60)
    assert s, counts
    assert sum(value(c["count"]) or 0 for c in s["referrals"]) <= counts["referrals"]


def test_every_route_and_every_rpc_refuses_another_organisations_coordinator(fed, tokens):
    """A mir coordinator gets 403 / PERMISSION_DENIED at mira's node, everywhere."""
    import re

    from brobygger.events.v1 import events_pb2
    from brobygger.membership.v1 import consent_pb2
    from brobygger.referral.v1 import referral_pb2
    from brobygger.reporting.v1 import reporting_pb2

    token = tokens("coordinator-mir")
    base = fed.gateway_url("mira")
    _, _, doc = http("GET", base + "/openapi.json")
    checked = 0
    for path, ops in doc["paths"].items():
        if not path.startswith("/api/"):
            continue
        concrete = re.sub(r"{[^}]+}", "0f3c9a", path)
        for method in ops:
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            status, ctype, problem = http(method.upper(), base + concrete, token, {} if method != "get" else None)
            assert status == 403, (method, path, status, problem)
            assert problem.get("reason") == "WRONG_ORGANIZATION"
            checked += 1
    assert checked >= 15

    md = [("authorization", f"Bearer {token}")]
    for module, service, svc_name in [
        (membership_pb2, "membership", "MembershipService"),
        (consent_pb2, "membership", "ConsentService"),
        (events_pb2, "events", "EventsService"),
        (referral_pb2, "referral", "ReferralService"),
        (reporting_pb2, "reporting", "ReportingService"),
    ]:
        descriptor = module.DESCRIPTOR.services_by_name[svc_name]
        with grpc.insecure_channel(fed.grpc_address("mira", service)) as ch:
            for method in descriptor.methods:
                from google.protobuf import message_factory

                request = message_factory.GetMessageClass(method.input_type)()
                response = message_factory.GetMessageClass(method.output_type)
                call = ch.unary_unary(f"/{descriptor.full_name}/{method.name}",
                                      request_serializer=lambda m: m.SerializeToString(),
                                      response_deserializer=response.FromString)
                with pytest.raises(grpc.RpcError) as err:
                    call(request, metadata=md, timeout=5)
                assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED, (svc_name, method.name)


def test_an_analyst_asking_too_fast_gets_429_and_the_nodes_audit_names_the_analyst(fed, tokens):
    """Many fast queries by one analyst: the hub answers 429 with Retry-After once the analyst's burst is
    spent; every query that reached a node is in the node's audit log under the analyst's name."""
    import concurrent.futures
    import sqlite3

    url = f"{fed.gateway_url()}/api/v1/federation/statistics?start_date=2023-01-01&end_date=2023-12-31"
    token = tokens("analyst-imdi")

    def ask(_=None) -> tuple[int, dict, dict]:
        req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status, dict(resp.headers), json.loads(resp.read())
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), json.loads(exc.read() or b"{}")

    answers: list[tuple[int, dict, dict]] = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        for _ in range(20):  # rounds of 32 at once, until the hub says no
            answers += pool.map(ask, range(32))
            if any(status == 429 for status, _, _ in answers):
                break
    assert {status for status, _, _ in answers} == {200, 429}
    status, headers, problem = next(a for a in answers if a[0] == 429)
    assert headers["Content-Type"].startswith("application/problem+json")
    wait = int(headers["Retry-After"])
    assert wait >= 1 and problem["retry_after_seconds"] == wait
    assert (problem["status"], problem["reason"]) == (429, "RATE_LIMITED")
    assert "at most 600 queries a minute" in problem["detail"] and f"Try again in {wait} second" in problem["detail"]
    # Waiting as told is enough.
    time.sleep(wait)
    assert ask()[0] == 200

    answered_by_mir = sum(1 for status, _, body in answers if status == 200 and node_stats(body, "mir"))
    with sqlite3.connect(f"file:{fed.data_dir / 'mir' / 'reporting.db'}?mode=ro", uri=True) as db:
        lines = db.execute("SELECT actor, actor_client FROM audit_log WHERE action = 'statistics.read' AND "
                           "resource = 'organizations/mir/statistics?period=2023-01-01/2023-12-31'").fetchall()
    assert len(lines) >= answered_by_mir + 1
    assert set(lines) == {("analyst-imdi", "service-account-brobygger-hub on behalf of analyst-imdi")}
    # The hub's own log: a line per query and per node, naming the analyst by subject, never by name.
    hub_log = (fed.log_dir / "hub-federation.log").read_text(errors="replace")
    assert "statistics query analyst=" in hub_log and "outcome=RATE_LIMITED" in hub_log
    assert "statistics query node analyst=" in hub_log and "organization=mir outcome=answered" in hub_log
    assert "analyst-imdi" not in hub_log
