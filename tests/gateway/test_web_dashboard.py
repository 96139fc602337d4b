"""The hub's dashboard (gateway/web/dashboard.py) on Flask's test client: every organisation side by side,
missing nodes named, the rate limit's wait, and the CSV file of what was shown."""
from __future__ import annotations

import csv
import io
import re

import grpc
import pytest

from brobygger.reporting.v1 import reporting_pb2 as r
from gateway.app import current_token
from gateway.web import figures
from services.common.grpcserver import status_for
from tests.gateway.test_gateway_unit import FEDERATION, FakeRpcError
from tests.gateway.test_web_statistics import PRIMARY, statistics, today  # noqa: F401
from tests.gateway.web_support import ANALYST_TOKEN, MIR_TOKEN, csrf_token, login, rich_error

NODES = r.ListNodesResponse(nodes=[r.Node(organization="mir", display_name="MiR"),
                                   r.Node(organization="mira", display_name="MiRA"),
                                   r.Node(organization="mkr", display_name="=MKR")])


@pytest.fixture
def asked(hub_channel):
    """The hub answers: MiR and MiRA with figures (MiRA with k 10 and no referrals), MKR too late."""
    seen = []

    def query(request):
        seen.append((request, current_token()))
        mira = statistics("mira", k=10, members=40)
        del mira.referrals[:]
        return r.FederatedStatistics(period=request.period, nodes=[
            r.NodeResult(organization="mir", statistics=statistics(), latency_ms=30),
            r.NodeResult(organization="mira", statistics=mira, latency_ms=40),
            r.NodeResult(organization="mkr", error="DEADLINE_EXCEEDED", latency_ms=3000)],
            missing_organizations=["mkr"])

    hub_channel.on(FEDERATION + "QueryStatistics", query)
    hub_channel.on(FEDERATION + "ListNodes", lambda request: NODES)
    return seen


def english(client) -> None:
    client.post("/language", data={"lang": "en", "next": "/", "csrf_token": csrf_token(client)})


def row(page: str, heading: str) -> str:
    found = re.search(rf'<tr>\s*<th scope="row">{re.escape(heading)}</th>(.*?)</tr>', page, re.S)
    assert found, f"no row {heading!r}"
    return found.group(1)


def test_the_dashboard_shows_every_organisation_side_by_side_and_names_the_missing(hub_web, asked):
    login(hub_web, ANALYST_TOKEN)
    page = hub_web.get("/figures?year=2025&part=q3")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    ((request, token),) = asked
    assert (request.period.start_date, request.period.end_date) == ("2025-07-01", "2025-09-30")
    assert token == ANALYST_TOKEN
    assert '<th scope="col" class="num">MiR</th><th scope="col" class="num">MiRA</th>' in text
    assert "=MKR svarte ikke i tide; tallene deres mangler." in text
    members = row(text, "Medlemmer")
    assert members.index(">120<") < members.index(">40<")
    paying = row(text, "Betalende medlemmer")
    assert paying.count("prikket") == 2 and ">0<" not in paying
    # MiRA reported no referrals: its cell says so, neither 0 nor hidden.
    completed = row(text, "Fullført")
    assert ">10<" in completed and "ikke rapportert" in completed
    # Different k, each named.
    assert "MiR: Alle tall unntatt 0 er avrundet til et multiplum av 5" in text
    assert "MiRA: Alle tall unntatt 0 er avrundet til et multiplum av 10: 30 betyr mellom 21 og 39." in text
    assert 'href="/figures.csv?year=2025&amp;part=q3"' in text
    assert "style=" not in text and "<script" not in text


def test_charts_compare_the_organisations_per_figure(hub_web, asked):
    login(hub_web, ANALYST_TOKEN)
    text = hub_web.get("/figures").get_data(as_text=True)
    charts = re.findall(r'<svg [^>]*role="img".*?</svg>', text, re.S)
    assert len(charts) == len(figures.HEADLINE)
    paying = next(c for c in charts if 'id="cmp-paying_members-title"' in c)
    assert "<title id=\"cmp-paying_members-title\">Betalende medlemmer per organisasjon</title>" in paying
    assert "MiR: prikket; MiRA: prikket" in paying and paying.count('class="chart-bar hidden"') == 2
    members = next(c for c in charts if 'id="cmp-members-title"' in c)
    assert "MiR: 120; MiRA: 40" in members


def test_the_missing_message_in_english_and_for_a_node_that_cannot_be_reached(hub_web, hub_channel):
    hub_channel.on(FEDERATION + "ListNodes", lambda request: NODES)
    hub_channel.on(FEDERATION + "QueryStatistics", lambda request: r.FederatedStatistics(nodes=[
        r.NodeResult(organization="mir", statistics=statistics()),
        r.NodeResult(organization="mira", error="DEADLINE_EXCEEDED"),
        r.NodeResult(organization="mkr", error="UNAVAILABLE")], missing_organizations=["mira", "mkr"]))
    login(hub_web, ANALYST_TOKEN)
    english(hub_web)
    text = hub_web.get("/figures").get_data(as_text=True)
    assert "MiRA did not answer in time; its figures are missing." in text
    assert "=MKR could not be reached; its figures are missing." in text
    assert "<title>Figures 2026 – Federation hub</title>" in text and "hidden" in row(text, "Paying members")


def test_the_csv_file_has_every_cell_of_the_page_with_its_markers(hub_web, asked):
    login(hub_web, ANALYST_TOKEN)
    english(hub_web)
    hub_web.get("/figures?year=2026&part=m03")
    answer = hub_web.get("/figures.csv?year=2026&part=m03")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert answer.headers["Content-Disposition"] == 'attachment; filename="brobygger-figures-2026-03.csv"'
    assert answer.headers["Cache-Control"] == "no-store"
    raw = answer.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM
    lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=","))
    assert lines[0] == ["Organisation", "Organisation id", "Period", "From", "To", "Table", "Figure", "Group",
                        "Value", "Suppressed", "Rounded to multiples of", "Note"]
    body = lines[1:]
    # Every organisation x figure x group of the page: 6 headline, 24 + 24 participants, 2 sub-goals,
    # 2 referral outcomes, for each of the two that answered; then the one that did not.
    assert len(body) == 2 * (6 + 24 + 24 + 2 + 2) + 1
    assert len(asked) == 1  # the file is what was shown, not a second query
    by = {(b[1], b[6], b[7]): b for b in body}
    assert by[("mir", "Members", "")][8:] == ["120", "", "5", ""]
    assert by[("mira", "Members", "")][8:] == ["40", "", "10", ""]
    assert by[("mir", "Activities", "")][8] == "0"
    assert by[("mir", "Paying members", "")][8:] == ["", "suppressed", "5", "a small count"]
    assert by[("mir", "Visits", "")][8:] == ["", "suppressed", "5", "protects a small count"]
    assert by[("mir", "Participants (unique)", "Women, 13–19 years")][9] == "suppressed"
    assert by[("mira", "Referrals", "Completed")][8:] == ["", "", "10", "not reported"]
    assert body[0][:5] == ["MiR", "mir", "March 2026", "2026-03-01", "2026-03-31"]
    assert body[-1][:2] == ["'=MKR", "mkr"]  # a name that would be a formula is written as text
    assert body[-1][2:] == ["March 2026", "2026-03-01", "2026-03-31", "", "", "", "", "", "",
                            "'=MKR did not answer in time; its figures are missing."]
    suppressed = [b for b in body if b[9]]
    assert suppressed and all(b[8] == "" for b in suppressed)


def test_the_csv_file_in_bokmal_opens_in_norwegian_excel(hub_web, asked):
    login(hub_web, ANALYST_TOKEN)
    answer = hub_web.get("/figures.csv?year=2025&part=year")  # no page shown before: asks once
    assert len(asked) == 1
    assert answer.headers["Content-Disposition"] == 'attachment; filename="brobygger-figures-2025.csv"'
    text = answer.get_data().decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert lines[0][:3] == ["Organisasjon", "Organisasjons-id", "Periode"]
    assert ["MiR", "mir", "2025", "2025-01-01", "2025-12-31", "Medlemmer og aktiviteter", "Betalende medlemmer",
            "", "", "prikket", "5", "et lite tall"] in lines
    assert any("Kvinner, 13–19 år" in line for line in lines) and "æ" not in "".join(lines[0])
    assert "ø" in text  # æøå as they are, in UTF-8


def test_a_rate_limited_analyst_is_told_how_long_to_wait(hub_web, hub_channel):
    def limited(request):
        raise FakeRpcError(status_for(grpc.StatusCode.RESOURCE_EXHAUSTED, "RATE_LIMITED",
                                      "Too many statistics queries; wait 8 seconds.", retry_delay_s=7.2))

    hub_channel.on(FEDERATION + "QueryStatistics", limited)
    login(hub_web, ANALYST_TOKEN)
    page = hub_web.get("/figures?year=2026&part=q1")
    text = page.get_data(as_text=True)
    assert page.status_code == 429 and page.headers["Retry-After"] == "8"
    assert "Vent 8 sekunder, og spør så på nytt." in text
    assert 'href="/figures?year=2026&amp;part=q1"' in text
    english(hub_web)
    page = hub_web.get("/figures.csv?year=2026&part=q1")
    assert page.status_code == 429 and "Wait 8 seconds, then ask again." in page.get_data(as_text=True)


def test_a_refused_query_is_shown_beside_the_chooser(hub_web, hub_channel):
    hub_channel.on(FEDERATION + "QueryStatistics", lambda request: (_ for _ in ()).throw(rich_error(
        grpc.StatusCode.INVALID_ARGUMENT, "INVALID_PERIOD", "The period must be a calendar month.")))
    login(hub_web, ANALYST_TOKEN)
    page = hub_web.get("/figures")
    assert page.status_code == 400 and "The period must be a calendar month." in page.get_data(as_text=True)


def test_a_coordinator_gets_a_refusal_page_at_the_hub_and_the_menu_names_the_figures(hub_web, asked):
    login(hub_web, MIR_TOKEN)
    page = hub_web.get("/figures")
    assert page.status_code == 403 and "analytikerrollen" in page.get_data(as_text=True)
    assert hub_web.get("/figures.csv").status_code == 403 and asked == []
    login(hub_web, ANALYST_TOKEN)
    assert '<a href="/figures">Tall</a>' in hub_web.get("/").get_data(as_text=True)
    english(hub_web)
    assert '<a href="/figures">Figures</a>' in hub_web.get("/").get_data(as_text=True)
