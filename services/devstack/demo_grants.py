"""The demo's funders, grants and projects, as the organisations' texts tell them: at MiR, IMDi's operating
grant (NOK 500 000) for the network's running, homework help supported by Utdanningsetaten, yoga and zumba
for women by Bydel Bjerke, swimming for mothers and children by Gjensidigestiftelsen; at the other nodes the
funders their activities name. Each grant pays for one project holding its activities; at MiR homework help
belongs to two projects (Utdanningsetaten's and the operating grant's)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GrantPlan:
    funder: str
    title: str
    amount_nok: int
    purpose: str
    duties: tuple[str, ...]
    project: str
    activities: tuple[str, ...]  # activity titles of the demo's plans


def _plans(year: int) -> dict[str, list[GrantPlan]]:
    report = f"Rapport innen 1. mars {year + 1}"
    return {
        "mir": [
            GrantPlan("IMDi", f"Driftstilskudd {year}", 500_000,
                      "Drift av nettverket: deltakelse og tillit, dialoggrupper og veiledning om barnevern, skole og "
                      "NAV", (f"Årsrapport til IMDi innen 1. mars {year + 1}", "Revisorbekreftet regnskap",
                              "Antall medlemmer og deltakere per delmål"), f"Drift av MiR {year}",
                      ("Temamøte: barnevern og foreldrerollen", "Dialoggruppe for foreldre", "Leksehjelp på Linderud")),
            GrantPlan("Utdanningsetaten", f"Leksehjelp {year}", 150_000, "Leksehjelp for barn på Linderud skole",
                      (report, "Antall barn og økter"), "Leksehjelp på Linderud", ("Leksehjelp på Linderud",)),
            GrantPlan("Bydel Bjerke", f"Folkehelse {year}", 80_000, "Yoga og zumba for kvinner og aktiviteter for barn",
                      (report,), "Trening for kvinner på Linderud", ("Yoga og zumba for kvinner",)),
            GrantPlan("Gjensidigestiftelsen", "Svømming for mødre og barn", 120_000,
                      "Svømmeopplæring og trygghet i vann for mødre og barn", ("Sluttrapport med bilder og tall",),
                      "Svømming for mødre og barn", ("Svømming for mødre og barn",)),
        ],
        "mira": [
            GrantPlan("IMDi", f"Driftsstøtte {year}", 900_000, "Drift av ressurssenteret for minoritetskvinner",
                      (f"Årsrapport til IMDi innen 1. mars {year + 1}", "Revisorbekreftet regnskap"),
                      f"Drift av MiRA-Senteret {year}",
                      ("Språkkafé", "Nasjonalkonferanse: mangfoldige former for vold mot kvinner")),
            GrantPlan("Bufdir", f"Ta ordet {year}", 200_000, "Kurs for jenter 13–19 år", (report,),
                      "Ta ordet", ("Ta ordet – kurs for jenter",)),
            GrantPlan("Oslo kommune", f"Digital opplæring {year}", 60_000, "Digital opplæring for kvinner", (report,),
                      "Digital opplæring", ("Digital opplæring",)),
        ],
        "mkr": [
            GrantPlan("Frivillighetssentralen", f"Natteravning {year}", 25_000, "Natteravning på Grønland",
                      (report,), "Trygg på Grønland", ("Natteravning på Grønland",)),
            GrantPlan("Røde Kors", f"Gatemekling {year}", 70_000, "Verksted i konfliktløsning for ungdom", (report,),
                      "Gatemekling", ("Gatemekling – verksted for ungdom",)),
        ],
    }


def load(org: str, api, activities: dict[str, str], year: int) -> dict[str, int]:
    """Funders, grants and projects for org, each project with its activities (title -> activity id). A funder
    registered before (409, the demo loaded before) keeps what it has: nothing of it is made again."""
    from services.devstack.demo import ApiError  # the demo's client, which calls this

    counts = {"funders": 0, "grants": 0, "projects": 0, "project_activities": 0}
    funders: dict[str, str] = {}
    skipped: set[str] = set()
    for plan in _plans(year).get(org, []):
        if plan.funder in skipped:
            continue
        if plan.funder not in funders:
            try:
                funders[plan.funder] = api.post("/api/v1/funders", {"display_name": plan.funder})["name"]
                counts["funders"] += 1
            except ApiError as exc:  # a 409: loaded before
                if " -> 409:" not in str(exc):
                    raise
                skipped.add(plan.funder)
                continue
        grant = api.post("/api/v1/grants", {
            "funder": funders[plan.funder], "title": plan.title, "amount_nok": plan.amount_nok,
            "start_date": f"{year}-01-01", "end_date": f"{year}-12-31", "purpose": plan.purpose,
            "reporting_duties": list(plan.duties)})
        counts["grants"] += 1
        project = api.post("/api/v1/projects", {"title": plan.project, "grants": [grant["name"]]})
        counts["projects"] += 1
        pid = project["name"].rsplit("/", 1)[-1]
        for title in plan.activities:
            if title in activities:
                api.post(f"/api/v1/projects/{pid}:linkActivity", {"activity": activities[title]})
                counts["project_activities"] += 1
    return counts


# The nodes that keep lists of themes and target groups in the demo (MiR's activities keep free text, as a
# node that has not set its lists up): (code, label) by the text the demo's plans use.
LIST_LABELS = {
    "mira": {"themes": {"language café": "Språkkafé", "course": "Kurs", "national conference": "Nasjonal konferanse"},
             "target_groups": {"women": "Kvinner", "girls 13-19": "Jenter 13–19 år", "open": "Åpent for alle"}},
    "mkr": {"themes": {"night-raven walk": "Natteravning", "interfaith dialogue": "Dialog mellom trossamfunn",
                       "conflict resolution": "Konfliktløsning"},
            "target_groups": {"adults": "Voksne", "open": "Åpent for alle", "youth 13-19": "Ungdom 13–19 år"}},
}


def code_of(text: str) -> str:
    """A list code for a plan's text: 'language café' -> 'language-cafe'."""
    plain = text.lower().replace("é", "e").replace("æ", "ae").replace("ø", "o").replace("å", "a")
    return "-".join("".join(ch if ch.isalnum() else " " for ch in plain).split())


def activity_lists(org: str, api) -> dict[str, dict[str, str]]:
    """Make org's lists (when it keeps them); returns, per field, the code of each plan text. A code added
    before (409) is used as it is."""
    from services.devstack.demo import ApiError  # the demo's client, which calls this

    codes: dict[str, dict[str, str]] = {"theme": {}, "target_group": {}}
    for kind, path, param, field in (("themes", "/api/v1/themes", "theme_id", "theme"),
                                     ("target_groups", "/api/v1/targetGroups", "target_group_id", "target_group")):
        for text, label in LIST_LABELS.get(org, {}).get(kind, {}).items():
            code = code_of(text)
            try:
                api.post(f"{path}?{param}={code}", {"label": label})
            except ApiError as exc:
                if " -> 409:" not in str(exc):
                    raise
            codes[field][text] = code
    return codes
