"""Erasure across the services of a node over the broker, every service its own process: a person with
membership years, a household, attendance and a referral is erased through the REST API; the events
service is down when the erasure fact arrives (killed before it could consume and commit) and resumes
when it is started again; afterwards no database of the node holds the person's id, the erasure log
is complete and names nobody, and the node's figures for the year are exactly what they were."""
from __future__ import annotations

import signal
import time
import urllib.parse

import pytest
import sqlalchemy as sa

from services.devstack import demo
from services.devstack.stack import Layout, Stack
from tests.federation.test_federation import http
from tests.support import eventually

pytestmark = pytest.mark.federation

ORG = "mir"
YEAR = "start_date=2026-01-01&end_date=2026-12-31"


@pytest.fixture(scope="module")
def fed(tmp_path_factory):
    stack = Stack(tmp_path_factory.mktemp("erasure"), [ORG], Layout.free([ORG]))
    try:
        stack.start(timeout=120)
        yield stack
    finally:
        stack.close()


def held_anywhere(fed: Stack, person_id: str) -> list[str]:
    """Every table of the node's four databases with a row that holds the id."""
    found = []
    for service in ("membership", "events", "referral", "reporting"):
        engine = sa.create_engine(f"sqlite:///{fed.data_dir}/{ORG}/{service}.db")
        try:
            meta = sa.MetaData()
            meta.reflect(engine)
            with engine.connect() as conn:
                for table in meta.sorted_tables:
                    if any(person_id in repr(tuple(r)) for r in conn.execute(sa.select(table))):
                        found.append(f"{service}.{table.name}")
        finally:
            engine.dispose()
    return found


def test_an_erased_person_leaves_every_service_the_figures_stay_and_a_stopped_consumer_resumes(fed):
    token = fed.token("coordinator-mir")
    api = demo.Api(fed.gateway_url(ORG), token)
    base = fed.gateway_url(ORG)
    people = [api.post("/api/v1/persons", {"given_name": f"Barn{i}", "family_name": "Hussain", "birth_year": 2012 + i,
                                           "gender": "GENDER_MALE"}) for i in range(5)]
    mother = api.post("/api/v1/persons", {"given_name": "Amina", "family_name": "Hussain", "birth_year": 1984,
                                          "gender": "GENDER_FEMALE", "phone": "+47 912 34 567"})
    son = people[0]
    son_id = son["name"].rsplit("/", 1)[1]
    for p in people:
        for year in (2025, 2026):
            api.post(f"/api/v1/persons/{p['name'].rsplit('/', 1)[1]}/membership-years", {
                "year": year, "fee_nok": 200, "payment_state": "PAYMENT_STATE_PAID", "paid_date": f"{year}-02-01"})
    household = api.post("/api/v1/households", {"display_name": "Familien Hussain"})
    hid = household["name"].rsplit("/", 1)[1]
    for p, role in ((mother, "HOUSEHOLD_ROLE_PARENT_OR_GUARDIAN"), (son, "HOUSEHOLD_ROLE_CHILD")):
        api.post(f"/api/v1/households/{hid}/members", {"person": p["name"], "role": role})
    act = api.post("/api/v1/activities", {"title": "Leksehjelp", "subgoal": "IMDI_SUBGOAL_QUALIFICATION"})
    aid = act["name"].rsplit("/", 1)[1]
    for day in ("2026-03-03", "2026-03-10"):
        ses = api.post(f"/api/v1/activities/{aid}/sessions", {"date": day, "start_time": "17:00"})
        for p in people:
            api.post(f"/api/v1/activities/{aid}/sessions/{ses['name'].rsplit('/', 1)[1]}/attendances",
                     {"person": p["name"]})
    api.post("/api/v1/referrals", {"partner_kind": "PARTNER_KIND_SCHOOL", "partner_name": "Linderud skole",
                                   "reason_category": "REASON_CATEGORY_SCHOOL_HOME", "person": son["name"]})

    def counted():
        status, _, s = http("GET", f"{base}/api/v1/statistics?{YEAR}", token)
        ready = status == 200 and s["members"].get("value") == 5 and s["visits_total"].get("value") == 10
        return s if ready else None

    before = eventually(counted, timeout=60, interval=0.5, what="the family counted by reporting")

    # The export holds all of it, from every service.
    status, _, doc = http("GET", f"{base}/api/v1/persons/{son_id}:export?purpose=" +
                          urllib.parse.quote("the family's request"), token)
    assert status == 200 and doc["format"] == "brobygger.person-data-export.v1"
    tables = {(s["service"], t["table"]): len(t["rows"]) for s in doc["services"] for t in s["tables"]}
    assert tables[("membership", "membership_years")] == 2 and tables[("membership", "household_members")] == 1
    assert tables[("events", "attendances")] == 2 and tables[("referral", "referrals")] == 1
    assert tables[("reporting", "fact_attendances")] == 2

    # Events goes down before the erasure fact reaches it: it consumes nothing and commits nothing.
    fed.procs["mir-events"].send_signal(signal.SIGKILL)
    fed.procs["mir-events"].wait(10)
    fed.procs.pop("mir-events")
    status, _, erasure = http("POST", f"{base}/api/v1/persons/{son_id}:erase", token,
                              {"reason": "ERASURE_REASON_CONSENT_WITHDRAWN", "confirm": True})
    assert status == 202, erasure
    eid = erasure["name"].rsplit("/", 1)[1]
    status, _, problem = http("GET", f"{base}/api/v1/persons/{son_id}?purpose=check", token)
    assert status == 404

    def pending():
        _, _, e = http("GET", f"{base}/api/v1/erasures/{eid}", token)
        return [s["service"] for s in e["services"] if not s.get("complete_time")]

    eventually(lambda: pending() == ["events"], timeout=60, interval=0.5, what="referral and reporting done")
    time.sleep(1)
    assert pending() == ["events"]  # nobody completes events' part for it

    fed.start_service(ORG, "events")
    eventually(lambda: pending() == [], timeout=90, interval=0.5, what="events resumed the erasure")
    _, _, done = http("GET", f"{base}/api/v1/erasures/{eid}", token)
    assert done["state"] == "STATE_COMPLETED" and done["reason"] == "ERASURE_REASON_CONSENT_WITHDRAWN"
    assert done["requester_role"] == "coordinator" and son_id not in repr(done)

    try:
        eventually(lambda: not held_anywhere(fed, son_id), timeout=20, interval=0.5)
    finally:
        assert held_anywhere(fed, son_id) == []
    # The figures of the year are exactly as they were: same members, paying members, participants, visits.
    status, _, after = http("GET", f"{base}/api/v1/statistics?{YEAR}", token)
    for figure in ("members", "paying_members", "participants_unique_total", "visits_total", "participants"):
        assert after[figure] == before[figure], figure
