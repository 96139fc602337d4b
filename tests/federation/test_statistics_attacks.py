"""The attacks that broke the hub's statistics once, replayed against a running federation with the
analyst's own token and the hub's REST API: differencing cumulative and single-day periods, pinning a
hidden cell from one table, subtracting paying from all members, and asking again to average.

Each shows that no count from 1 to k-1 comes out. The data is mir's 2022: ten girls at homework help
through February; one boy aged 13-19 at a dialogue group on 23 February only; in March, five women and
four people in four other cells (the table from the report: a unique total of 9 with a cell of 5 and
four hidden ones); ten members of whom seven paid (the complement of three).
"""
from __future__ import annotations

import itertools

import pytest

from services.devstack import demo
from tests.federation.test_federation import fed, hub_query, http, node_stats, tokens  # noqa: F401 (fixtures)
from tests.support import eventually

pytestmark = pytest.mark.federation

K = 5
YEAR = 2022
MONTHS = [(f"{YEAR}-{m:02d}-01", f"{YEAR}-{m:02d}-{d}") for m, d in
          zip(range(1, 13), (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31))]
QUARTERS = [(MONTHS[3 * q][0], MONTHS[3 * q + 2][1]) for q in range(4)]
WHOLE_YEAR = (f"{YEAR}-01-01", f"{YEAR}-12-31")


def person(api, name: str, gender: str, birth_year: int) -> str:
    return api.post("/api/v1/persons", {"given_name": name, "family_name": "Test", "birth_year": birth_year,
                                        "gender": gender})["name"]


def session(api, activity: str, day: str) -> str:
    return api.post(f"/api/v1/activities/{activity}/sessions", {"date": day})["name"].rsplit("/", 1)[1]


def attend(api, activity: str, session_id: str, person_name: str) -> None:
    api.post(f"/api/v1/activities/{activity}/sessions/{session_id}/attendances", {"person": person_name})


@pytest.fixture(scope="module")
def recorded(fed, tokens):  # noqa: F811
    api = demo.Api(fed.gateway_url("mir"), tokens("coordinator-mir"))
    girls = [person(api, f"Jente{i}", "GENDER_FEMALE", 2014) for i in range(10)]
    homework = api.post("/api/v1/activities", {"title": "Leksehjelp", "subgoal": "IMDI_SUBGOAL_QUALIFICATION"})
    homework = homework["name"].rsplit("/", 1)[1]
    for day in (1, 3, 8, 10, 15, 17, 22, 24):
        sid = session(api, homework, f"{YEAR}-02-{day:02d}")
        for girl in girls:
            attend(api, homework, sid, girl)
    boy = person(api, "Gutt", "GENDER_MALE", YEAR - 15)
    dialogue = api.post("/api/v1/activities", {"title": "Dialoggruppe for foreldre og ungdom",
                                               "subgoal": "IMDI_SUBGOAL_SOCIAL_CONTROL"})["name"].rsplit("/", 1)[1]
    attend(api, dialogue, session(api, dialogue, f"{YEAR}-02-23"), boy)
    women = [person(api, f"Kvinne{i}", "GENDER_FEMALE", 1980) for i in range(5)]
    others = [person(api, "Mann", "GENDER_MALE", 1980), person(api, "Jente", "GENDER_FEMALE", YEAR - 15),
              person(api, "Gutt2", "GENDER_MALE", 2016), person(api, "Bestemor", "GENDER_FEMALE", 1940)]
    meeting = api.post("/api/v1/activities", {"title": "Temamøte", "subgoal": "IMDI_SUBGOAL_COMMUNITY"})
    meeting = meeting["name"].rsplit("/", 1)[1]
    sid = session(api, meeting, f"{YEAR}-03-09")
    for p in women + others:
        attend(api, meeting, sid, p)
    for i, p in enumerate(girls):
        api.post(f"/api/v1/persons/{p.rsplit('/', 1)[1]}/membership-years", {
            "year": YEAR, "fee_nok": 200 if i < 7 else 0,
            "payment_state": "PAYMENT_STATE_PAID" if i < 7 else "PAYMENT_STATE_UNPAID"})

    def complete():  # every count below is a multiple of 5, so published as it is once all facts are in
        s = node_stats(hub_query(fed, tokens, *WHOLE_YEAR), "mir")
        return s if s and value(s["visits_total"]) == 90 and value(s["sessions"]) == 10 and \
            value(s["members"]) == 10 else None

    eventually(complete, timeout=90, interval=0.5, what="mir's 2022 in the hub's figures")


def value(cell: dict) -> int | None:
    return cell.get("value")


def grid(fed, tokens) -> dict[tuple[str, str], dict]:  # noqa: F811
    return {p: node_stats(hub_query(fed, tokens, *p), "mir") for p in MONTHS + QUARTERS + [WHOLE_YEAR]}


def additive_figures(s: dict) -> dict[str, int | None]:
    """The figures that add up across periods (a visit or a session happens in one month)."""
    out = {"visits_total": value(s["visits_total"]), "sessions": value(s["sessions"])}
    for c in s["participants"]:
        out[f"visits/{c['gender']}/{c['age_band']}"] = value(c["visits"])
    for g in s["sessions_by_subgoal"]:
        out[f"sessions/{g['subgoal']}"] = value(g["sessions"])
    return out


def test_periods_off_the_grid_are_refused(fed, tokens, recorded):  # noqa: F811
    url = f"{fed.gateway_url()}/api/v1/federation/statistics"
    for start, end in [(f"{YEAR}-01-01", f"{YEAR}-02-22"), (f"{YEAR}-01-01", f"{YEAR}-02-23"),
                       (f"{YEAR}-02-23", f"{YEAR}-02-23"), (f"{YEAR}-02-22", f"{YEAR}-02-23")]:
        status, _, body = http("GET", f"{url}?start_date={start}&end_date={end}", tokens("analyst-imdi"))
        assert status == 400, body
        assert "calendar month, quarter or year" in json_text(body)


def json_text(body: dict) -> str:
    import json

    return json.dumps(body)


def test_differencing_the_grid_recovers_no_small_count(fed, tokens, recorded):  # noqa: F811
    answers = grid(fed, tokens)
    figures = {p: additive_figures(s) for p, s in answers.items()}
    # Every published count is a multiple of k, so every difference of published counts is one too.
    for period, shown in figures.items():
        assert all(v is None or v % K == 0 for v in shown.values()), (period, shown)
    # The differences an analyst would take: the year less its quarters, each quarter less its months.
    splits = [(WHOLE_YEAR, QUARTERS)] + [(q, MONTHS[3 * i:3 * i + 3]) for i, q in enumerate(QUARTERS)]
    for whole, parts in splits:
        for name, total in figures[whole].items():
            terms = [figures[p].get(name) for p in parts]
            if total is None or any(t is None for t in terms):
                continue
            for left_out in range(len(parts)):
                rest = total - sum(t for i, t in enumerate(terms) if i != left_out)
                assert not 1 <= rest < K, (name, whole, parts[left_out], rest)
    # The boy who came once, on 23 February, shows in no period: his cell is hidden in each.
    for period in (MONTHS[1], QUARTERS[0], WHOLE_YEAR):
        assert value(cell(answers[period], "GENDER_MALE", "AGE_BAND_13_19")["visits"]) is None


def cell(s: dict, gender: str, band: str) -> dict:
    return next(c for c in s["participants"] if (c["gender"], c["age_band"]) == (gender, band))


def analyst_box(c: dict, total_hidden: bool) -> tuple[int, int]:
    """What a published cell says, as README's rules for analysts state it."""
    if c.get("value") is None:
        if c.get("suppressed") == "secondary":
            return K, 400
        return (0 if total_hidden else 1), K - 1
    v = c["value"]
    return (0, 0) if v == 0 else (max(K, v - K + 1), v + K - 1)


def test_no_hidden_cell_of_a_table_is_pinned_by_its_total(fed, tokens, recorded):  # noqa: F811
    march = node_stats(hub_query(fed, tokens, *MONTHS[2]), "mir")
    total = march["participants_unique_total"]
    total_hidden = value(total) is None
    cells = [c["unique"] for c in march["participants"]]
    boxes = [analyst_box(c, total_hidden) for c in cells]
    t_lo, t_hi = analyst_box(total, False)
    hidden = [i for i, c in enumerate(cells) if c.get("value") is None]
    assert len(hidden) >= 4  # the four people alone in their cells
    fixed = sum(lo for i, (lo, hi) in enumerate(boxes) if lo == hi)
    varying = [i for i, (lo, hi) in enumerate(boxes) if lo != hi]
    seen: dict[int, set[int]] = {i: set() for i in hidden}
    for values in itertools.product(*(range(boxes[i][0], boxes[i][1] + 1) for i in varying)):
        if t_lo <= fixed + sum(values) <= t_hi:
            for i, v in zip(varying, values):
                if i in seen:
                    seen[i].add(v)
    assert all(len(vs) > 1 for vs in seen.values()), seen


def test_paying_and_non_paying_members_cannot_be_subtracted(fed, tokens, recorded):  # noqa: F811
    s = node_stats(hub_query(fed, tokens, *WHOLE_YEAR), "mir")
    members, paying = s["members"], s["paying_members"]
    assert value(members) == 10
    if value(paying) is not None:
        assert (value(members) - value(paying)) % K == 0  # never the three who did not pay
    m_lo, m_hi = analyst_box(members, False)
    p_lo, p_hi = analyst_box(paying, False)
    non_paying = {m - p for m in range(m_lo, m_hi + 1) for p in range(p_lo, p_hi + 1) if m >= p}
    assert 3 in non_paying and len(non_paying) > 1


def test_asking_again_gives_the_same_answer(fed, tokens, recorded):  # noqa: F811
    def figures(s):
        return {k: v for k, v in s.items() if k != "generate_time"}

    first = figures(node_stats(hub_query(fed, tokens, *QUARTERS[0]), "mir"))
    for _ in range(8):
        assert figures(node_stats(hub_query(fed, tokens, *QUARTERS[0]), "mir")) == first
