"""The node's statistics page (gateway/web/statistics.py) on Flask's test client: the period chooser, the
request it sends, and how figures, hidden figures and charts are shown."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from brobygger.reporting.v1 import reporting_pb2 as r
from brobygger.type.v1 import types_pb2 as t
from gateway.web import periods
from tests.gateway.test_gateway_unit import REPORTING
from tests.gateway.web_support import ANALYST_TOKEN, MIR_TOKEN, VOLUNTEER_TOKEN, csrf_token, login

TODAY = dt.date(2026, 5, 14)
PRIMARY, SECONDARY = r.Cell(suppressed=r.SUPPRESSION_PRIMARY), r.Cell(suppressed=r.SUPPRESSION_SECONDARY)


def statistics(org: str = "mir", k: int = 5, members: int = 120) -> r.Statistics:
    """A node's answer: every gender and age band, some figures hidden, one a true 0."""
    participants = [r.ParticipantCell(gender=g, age_band=a, unique=r.Cell(value=5 * a), visits=r.Cell(value=10 * a))
                    for g in (t.GENDER_FEMALE, t.GENDER_MALE, t.GENDER_OTHER, t.GENDER_UNDISCLOSED)
                    for a in range(1, 7)]
    participants[1].unique.CopyFrom(PRIMARY)          # women 13-19
    participants[7].visits.CopyFrom(SECONDARY)        # men 13-19
    return r.Statistics(
        organization=f"organizations/{org}", members=r.Cell(value=members), paying_members=PRIMARY,
        activities=r.Cell(value=0), sessions=r.Cell(value=45), participants=participants,
        participants_unique_total=r.Cell(value=80), visits_total=SECONDARY,
        referrals=[r.ReferralCell(state="REFERRAL_STATE_COMPLETED", count=r.Cell(value=10)),
                   r.ReferralCell(state="REFERRAL_STATE_REQUESTED", count=PRIMARY)],
        sessions_by_subgoal=[r.SubgoalCell(subgoal=t.IMDI_SUBGOAL_COMMUNITY, sessions=r.Cell(value=20)),
                             r.SubgoalCell(subgoal=t.IMDI_SUBGOAL_SOCIAL_CONTROL, sessions=PRIMARY)],
        min_cell_size=k)


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(periods, "today", lambda: TODAY)


@pytest.fixture
def asked(channels):
    """The GetStatistics requests the node's reporting service gets; it answers statistics()."""
    seen = []

    def answer(request):
        seen.append(request)
        return statistics()

    channels["reporting"].on(REPORTING + "GetStatistics", answer)
    return seen


def row(page: str, heading: str) -> str:
    """The <tr> whose row heading is heading."""
    found = re.search(rf'<tr>\s*<th scope="row">{re.escape(heading)}</th>(.*?)</tr>', page, re.S)
    assert found, f"no row {heading!r}"
    return found.group(1)


def options(page: str, select: str) -> list[str]:
    found = re.search(rf'<select id="f-{select}" name="{select}">(.*?)</select>', page, re.S)
    assert found, f"no select {select}"
    return re.findall(r'<option value="([^"]*)"', found.group(1))


def test_the_chooser_offers_only_years_quarters_and_months_and_defaults_to_this_year(web, asked):
    login(web, MIR_TOKEN)
    page = web.get("/statistics")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'method="get" action="/statistics"' in text
    assert options(text, "year") == [str(y) for y in range(2026, 2016, -1)]
    assert options(text, "part") == ["year", "q1", "q2", "q3", "q4", *(f"m{m:02d}" for m in range(1, 13))]
    assert '<option value="2026" selected>' in text and '<option value="year" selected>' in text
    assert 'type="date"' not in text  # no free dates
    (request,) = asked
    assert request.organization == "organizations/mir"
    assert (request.period.start_date, request.period.end_date) == ("2026-01-01", "2026-12-31")


@pytest.mark.parametrize("query, start, end, label", [
    ("year=2025&part=year", "2025-01-01", "2025-12-31", "2025"),
    ("year=2026&part=q1", "2026-01-01", "2026-03-31", "1. kvartal 2026"),
    ("year=2025&part=q4", "2025-10-01", "2025-12-31", "4. kvartal 2025"),
    ("year=2024&part=m02", "2024-02-01", "2024-02-29", "Februar 2024"),
    ("year=2026&part=m12", "2026-12-01", "2026-12-31", "Desember 2026"),
])
def test_the_chosen_period_is_sent_as_its_date_range(web, asked, query, start, end, label):
    login(web, MIR_TOKEN)
    text = web.get(f"/statistics?{query}").get_data(as_text=True)
    assert (asked[0].period.start_date, asked[0].period.end_date) == (start, end)
    assert f"<title>Statistikk {label} – mir</title>" in text
    part = query.split("part=")[1]
    assert f'<option value="{part}" selected>' in text


@pytest.mark.parametrize("query", ["year=2026&part=h1", "year=1999", "year=2027", "year=twenty&part=q1",
                                   "year=2026&part=m13"])
def test_a_period_off_the_grid_is_refused_without_asking_the_service(web, asked, channels, query):
    login(web, MIR_TOKEN)
    page = web.get(f"/statistics?{query}")
    assert page.status_code == 400 and "Velg perioden i listene" in page.get_data(as_text=True)
    assert channels["reporting"].calls == []


def test_hidden_figures_are_shown_as_hidden_never_as_zero_and_zero_as_zero(web, asked):
    login(web, MIR_TOKEN)
    text = web.get("/statistics").get_data(as_text=True)
    paying = row(text, "Betalende medlemmer")
    assert "prikket" in paying and 'class="suppressed"' in paying and ">0<" not in paying
    assert "<sup" in paying and "et lite tall" in paying          # primary: a small count
    visits = row(text, "Besøk")
    assert "prikket" in visits and "verner et lite tall" in visits  # secondary
    assert '<td class="num">0</td>' in row(text, "Aktiviteter")
    assert '<td class="num">120</td>' in row(text, "Medlemmer")
    assert "prikket" in row(text, "Kvinner, 13–19 år") and "prikket" not in row(text, "Kvinner, 0–12 år")
    assert '<td class="num">20</td>' in row(text, "A: fellesskap og tilhørighet")
    assert "prikket" in row(text, "C: forebygging av negativ sosial kontroll")
    assert "prikket" in row(text, "Forespurt")
    # The legend, and the rounding in one line with this node's k.
    assert "Slik leser du tallene" in text and "Det er ikke 0." in text
    assert "Alle tall unntatt 0 er avrundet til et multiplum av 5: 15 betyr mellom 11 og 19." in text


def test_charts_are_inline_svg_with_a_text_alternative_and_no_inline_style(web, asked):
    login(web, MIR_TOKEN)
    text = web.get("/statistics").get_data(as_text=True)
    assert "style=" not in text and "<script" not in text
    svgs = re.findall(r"<svg .*?</svg>", text, re.S)
    charts = [s for s in svgs if 'role="img"' in s]
    assert len(charts) == 4 + 4 + 1 + 1  # unique and visits per gender, sub-goals, referrals
    for svg in charts:
        ids = re.search(r'aria-labelledby="([^ "]+) ([^"]+)"', svg).groups()
        assert f'<title id="{ids[0]}">' in svg and f'<desc id="{ids[1]}">' in svg
    women = next(s for s in charts if "chart-unique-1-title" in s)
    assert "13–19 år: prikket" in women  # the description says it is hidden
    assert 'class="chart-bar hidden"' in women and 'fill="url(#chart-unique-1-hatch)"' in women
    assert len(set(re.findall(r' id="([^"]+)"', text))) == len(re.findall(r' id="([^"]+)"', text))  # unique ids


def test_the_page_in_english(web, asked):
    login(web, MIR_TOKEN)
    web.post("/language", data={"lang": "en", "next": "/", "csrf_token": csrf_token(web)})
    text = web.get("/statistics?year=2026&part=q2").get_data(as_text=True)
    assert "<title>Statistics Quarter 2 2026 – mir</title>" in text
    assert "hidden" in row(text, "Paying members") and "Women, 13–19 years" in text
    assert "Every figure but 0 is rounded to a multiple of 5: 15 means between 11 and 19." in text
    assert ">April<" in text and "Show the figures" in text


def test_an_older_node_without_a_figure_shows_it_as_not_reported(web, channels):
    old = statistics()
    old.ClearField("visits_total")
    channels["reporting"].on(REPORTING + "GetStatistics", lambda request: old)
    login(web, MIR_TOKEN)
    visits = row(web.get("/statistics").get_data(as_text=True), "Besøk")
    assert "ikke rapportert" in visits and "prikket" not in visits and ">0<" not in visits


def test_only_coordinators_see_the_statistics_and_its_menu_entry(web, asked):
    assert web.get("/statistics").status_code == 302  # to the login
    login(web, VOLUNTEER_TOKEN)
    page = web.get("/statistics")
    assert page.status_code == 403 and "koordinatorer" in page.get_data(as_text=True)
    assert 'href="/statistics"' not in web.get("/").get_data(as_text=True)
    login(web, ANALYST_TOKEN)
    assert web.get("/statistics").status_code == 403
    login(web, MIR_TOKEN)
    home = web.get("/").get_data(as_text=True)
    assert '<a href="/statistics">Statistikk</a>' in home and asked == []


def test_active_people_by_role_are_a_table_of_their_own_and_a_hidden_one_says_so(web, channels):
    with_roles = statistics()
    with_roles.role_holders.extend([r.RoleCell(role="ROLE_BOARD_MEMBER", holders=PRIMARY),
                                    r.RoleCell(role="ROLE_VOLUNTEER", holders=r.Cell(value=15)),
                                    r.RoleCell(role="ROLE_GUIDE", holders=r.Cell(value=0))])
    channels["reporting"].on(REPORTING + "GetStatistics", lambda request: with_roles)
    login(web, MIR_TOKEN)
    page = web.get("/statistics").get_data(as_text=True)
    assert "Aktive personer etter rolle" in page
    assert "15" in row(page, "Frivillige") and "0" in row(page, "Veiledere")
    assert "prikket" in row(page, "Styremedlemmer")
    # A node that counts no roles yet: no such table.
    channels["reporting"].on(REPORTING + "GetStatistics", lambda request: statistics())
    assert "Aktive personer etter rolle" not in web.get("/statistics").get_data(as_text=True)
