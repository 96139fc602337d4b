"""Demo data that feels like the organisations' own accounts of their work,
loaded through each node's gateway with its coordinator's token, so that it
travels the same path as a coordinator's clicks: gateway -> gRPC -> outbox
-> Kafka -> reporting.

Everything here is invented: no real person is named.
"""
from __future__ import annotations

import concurrent.futures
import datetime as dt
import json
import random
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from services.devstack.stack import Stack

YEAR = dt.date.today().year
COORDINATORS = {"mir": "coordinator-mir", "mira": "coordinator-mira", "mkr": "coordinator-mkr"}

# Given names and family names from the backgrounds the organisations serve.
FEMALE = ["Amina", "Fatima", "Hodan", "Samira", "Leyla", "Nadia", "Sana", "Ayan", "Zainab", "Maryam", "Hawa",
          "Shirin", "Tharsika", "Agnieszka", "Rukhsana", "Farhia", "Noor", "Yasmin", "Khadija", "Ingrid"]
MALE = ["Ali", "Omar", "Abdi", "Hassan", "Yusuf", "Tariq", "Kamal", "Mohammed", "Ibrahim", "Piotr", "Suresh",
        "Bilal", "Ahmed", "Jonas"]
FAMILY = ["Hussain", "Warsame", "Khan", "Yilmaz", "Ahmadi", "Mohamud", "Rahman", "Nowak", "Sivakumar", "Osman",
          "Haidari", "Abdullahi", "Chaudhry", "Berg", "Demir", "Farah", "Iqbal", "Nilsen"]
LANGS = {"Hussain": "ur", "Khan": "ur", "Chaudhry": "ur", "Iqbal": "ur", "Rahman": "bn", "Warsame": "so",
         "Mohamud": "so", "Abdullahi": "so", "Osman": "so", "Farah": "so", "Yilmaz": "tr", "Demir": "tr",
         "Ahmadi": "fa", "Haidari": "fa", "Nowak": "pl", "Sivakumar": "ta", "Berg": "nb", "Nilsen": "nb"}
POSTAL = {"mir": ["0957", "0958", "0959", "0960", "0964"], "mira": ["0184", "0187", "0650", "0655", "0976"],
          "mkr": ["0187", "0190", "0191", "0650", "0651"]}
CHAPTERS = {"mir": ["linderud", "mir-ung", "furuset"], "mira": ["veiledergruppen", ""], "mkr": [""]}


@dataclass
class ActivityPlan:
    title: str
    theme: str
    subgoal: str
    funder: str
    target_group: str
    chapter: str
    weekday: int  # 0 = Monday
    every_weeks: int
    sessions: int
    start_time: str
    location: str
    anonymous: bool = False
    head_count: tuple[int, int] = (0, 0)
    attendees: tuple[int, int] = (6, 14)


PLANS = {
    "mir": [
        ActivityPlan("Leksehjelp på Linderud", "homework help", "IMDI_SUBGOAL_QUALIFICATION", "Utdanningsetaten",
                     "children 6-15 and their parents", "linderud", 1, 1, 30, "17:30", "Linderud skole"),
        ActivityPlan("Svømming for mødre og barn", "swimming", "IMDI_SUBGOAL_COMMUNITY", "Gjensidigestiftelsen",
                     "mothers and children", "linderud", 5, 1, 20, "11:00", "Linderud bad"),
        ActivityPlan("Yoga og zumba for kvinner", "health and activity", "IMDI_SUBGOAL_COMMUNITY", "Bydel Bjerke",
                     "women", "linderud", 3, 1, 24, "18:00", "Linderud skole, gymsal"),
        ActivityPlan("Temamøte: barnevern og foreldrerollen", "child welfare", "IMDI_SUBGOAL_SOCIAL_CONTROL", "IMDi",
                     "parents", "", 2, 6, 6, "18:30", "MiRs lokaler"),
        ActivityPlan("Dialoggruppe for foreldre", "dialogue group", "IMDI_SUBGOAL_SOCIAL_CONTROL", "IMDi",
                     "parents", "", 0, 2, 12, "18:00", "MiRs lokaler"),
    ],
    "mira": [
        ActivityPlan("Språkkafé", "language café", "IMDI_SUBGOAL_QUALIFICATION", "IMDi", "women",
                     "veiledergruppen", 2, 2, 20, "12:00", "MiRA-Senteret", anonymous=True, head_count=(8, 22)),
        ActivityPlan("Ta ordet – kurs for jenter", "course", "IMDI_SUBGOAL_SOCIAL_CONTROL", "Bufdir", "girls 13-19",
                     "", 3, 1, 10, "16:30", "MiRA-Senteret", attendees=(5, 12)),
        ActivityPlan("Digital opplæring", "course", "IMDI_SUBGOAL_QUALIFICATION", "Oslo kommune", "women", "",
                     1, 1, 16, "10:00", "MiRA-Senteret", attendees=(5, 10)),
        ActivityPlan("Nasjonalkonferanse: mangfoldige former for vold mot kvinner", "national conference",
                     "IMDI_SUBGOAL_SOCIAL_CONTROL", "IMDi", "open", "", 4, 52, 1, "09:00", "Oslo",
                     anonymous=True, head_count=(110, 130)),
    ],
    "mkr": [
        ActivityPlan("Natteravning på Grønland", "night-raven walk", "IMDI_SUBGOAL_COMMUNITY", "Frivillighetssentralen",
                     "adults", "", 4, 4, 10, "21:00", "Grønland", attendees=(5, 9)),
        ActivityPlan("Religionsdag på Grønlands torg", "interfaith dialogue", "IMDI_SUBGOAL_COMMUNITY",
                     "Kirkene i Gamle Oslo", "open", "", 5, 52, 1, "12:00", "Grønlands torg", anonymous=True,
                     head_count=(60, 90)),
        ActivityPlan("Gatemekling – verksted for ungdom", "conflict resolution", "IMDI_SUBGOAL_SOCIAL_CONTROL",
                     "Røde Kors", "youth 13-19", "", 2, 2, 12, "17:00", "MKR", attendees=(5, 10)),
    ],
}

PEOPLE = {"mir": 40, "mira": 30, "mkr": 20}

OUT, IN = "DIRECTION_OUTGOING", "DIRECTION_INCOMING"

# (direction, partner kind, partner name, reason): MiR and MiRA refer on; MKR
# mostly receives mediation cases from the police and schools and
# community-sentence placements from Oslo Friomsorg.
REFERRALS = {
    "mir": [(OUT, "PARTNER_KIND_SCHOOL", "Linderud skole", "REASON_CATEGORY_SCHOOL_HOME"),
            (OUT, "PARTNER_KIND_CHILD_WELFARE", "Barneverntjenesten i Bydel Bjerke", "REASON_CATEGORY_FAMILY_GUIDANCE"),
            (OUT, "PARTNER_KIND_NAV", "NAV Bjerke", "REASON_CATEGORY_WORK_AND_WELFARE")],
    "mira": [(OUT, "PARTNER_KIND_LEGAL_AID", "Juridisk rådgivning for kvinner (JURK)", "REASON_CATEGORY_LEGAL_AID"),
             (OUT, "PARTNER_KIND_HEALTH", "Helsestasjon for ungdom", "REASON_CATEGORY_HEALTH")],
    "mkr": [(IN, "PARTNER_KIND_POLICE", "Oslo politidistrikt", "REASON_CATEGORY_MEDIATION"),
            (IN, "PARTNER_KIND_SCHOOL", "Kampen skole", "REASON_CATEGORY_MEDIATION"),
            (IN, "PARTNER_KIND_PROBATION_SERVICE", "Oslo Friomsorg", "REASON_CATEGORY_COMMUNITY_SENTENCE"),
            (OUT, "PARTNER_KIND_RED_CROSS", "Røde Kors – Gatemekling", "REASON_CATEGORY_MEDIATION")],
}


class ApiError(RuntimeError):
    pass


class Api:
    """A small JSON client for one gateway."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token

    def call(self, method: str, path: str, body: dict | None = None) -> dict:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base_url + path, data=data, method=method, headers={
            "Authorization": f"Bearer {self.token}", "Content-Type": "application/json",
            "Idempotency-Key": str(uuid.uuid4()),
        })
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return json.loads(resp.read() or b"{}")
        except urllib.error.HTTPError as exc:
            raise ApiError(f"{method} {path} -> {exc.code}: {exc.read()[:500].decode(errors='replace')}") from None

    def post(self, path: str, body: dict) -> dict:
        return self.call("POST", path, body)


def _id(name: str) -> str:
    return name.rsplit("/", 1)[-1]


def _dates(plan: ActivityPlan, until: dt.date) -> list[dt.date]:
    first = dt.date(YEAR, 1, 6)
    first += dt.timedelta(days=(plan.weekday - first.weekday()) % 7)
    dates = [first + dt.timedelta(weeks=plan.every_weeks * i) for i in range(plan.sessions)]
    if plan.sessions == 1:
        dates = [dt.date(YEAR, 3, 8) if plan.every_weeks == 52 and plan.weekday == 4 else dt.date(YEAR, 5, 30)]
    return [d for d in dates if d <= until]


def load(org: str, api: Api, *, seed: int = 2018, until: dt.date | None = None) -> dict[str, int]:
    """Register people, membership years, activities, sessions, attendance and
    referrals for one organisation. Returns counts of what was made."""
    rnd = random.Random(f"{seed}-{org}")
    until = until or dt.date.today()
    counts = {"persons": 0, "membership_years": 0, "activities": 0, "sessions": 0, "attendances": 0,
              "referrals": 0, "households": 0, "household_members": 0}
    people: list[tuple[str, str]] = []  # (person id, gender)
    families: list[tuple[str, str, bool, str]] = []  # (person id, family name, child, chapter)
    homework: set[str] = set()  # who came to homework help
    for i in range(PEOPLE[org]):
        women_only = org == "mira"
        female = women_only or rnd.random() < 0.65
        family = rnd.choice(FAMILY)
        child = org == "mir" and rnd.random() < 0.3
        girl = org == "mira" and rnd.random() < 0.25
        youth = org == "mkr" and rnd.random() < 0.35
        birth = (rnd.randint(YEAR - 15, YEAR - 7) if child else rnd.randint(YEAR - 19, YEAR - 13) if (girl or youth)
                 else rnd.randint(YEAR - 70, YEAR - 26))
        person = {
            "given_name": rnd.choice(FEMALE if female else MALE),
            "family_name": family,
            "birth_year": birth,
            "gender": "GENDER_FEMALE" if female else "GENDER_MALE",
            "preferred_languages": [LANGS.get(family, "ar"), "nb"],
            "postal_code": rnd.choice(POSTAL[org]),
            "municipality": "Oslo",
            "chapter": rnd.choice(CHAPTERS[org]) if not child else (CHAPTERS[org][0]),
        }
        if not child:
            person["phone"] = f"+47 9{rnd.randint(10, 99)} {rnd.randint(10, 99)} {rnd.randint(100, 999)}"
        created = api.post("/api/v1/persons", person)
        pid = _id(created["name"])
        people.append((pid, person["gender"]))
        families.append((pid, family, child, person["chapter"]))
        counts["persons"] += 1
        if not child:
            paid = rnd.random() < 0.8
            api.post(f"/api/v1/persons/{pid}/membership-years", {
                "year": YEAR, "fee_nok": 200 if paid else 0,
                "payment_state": "PAYMENT_STATE_PAID" if paid else "PAYMENT_STATE_UNPAID",
                **({"paid_date": dt.date(YEAR, 2, rnd.randint(1, 28)).isoformat()} if paid else {}),
            })
            counts["membership_years"] += 1

    for plan in PLANS[org]:
        activity = api.post("/api/v1/activities", {
            "title": plan.title, "theme": plan.theme, "subgoal": plan.subgoal, "funder": plan.funder,
            "target_group": plan.target_group, "chapter": plan.chapter, "anonymous_attendance": plan.anonymous,
        })
        aid = _id(activity["name"])
        counts["activities"] += 1
        regulars = rnd.sample(people, k=min(len(people), plan.attendees[1] + 4))
        for day in _dates(plan, until):
            session = api.post(f"/api/v1/activities/{aid}/sessions", {
                "date": day.isoformat(), "start_time": plan.start_time, "duration_minutes": 90,
                "location": plan.location,
            })
            sid = _id(session["name"])
            counts["sessions"] += 1
            path = f"/api/v1/activities/{aid}/sessions/{sid}/attendances"
            if plan.anonymous:
                total = rnd.randint(*plan.head_count)
                women = int(total * (0.95 if org == "mira" else 0.55))
                split = [("GENDER_FEMALE", "AGE_BAND_26_66", int(women * 0.7)),
                         ("GENDER_FEMALE", "AGE_BAND_20_25", women - int(women * 0.7)),
                         ("GENDER_MALE", "AGE_BAND_26_66", total - women)]
                for gender, band, n in split:
                    if n > 0:
                        api.post(path, {"head_count": {"gender": gender, "age_band": band, "count": n}})
                        counts["attendances"] += 1
            else:
                for pid, _gender in rnd.sample(regulars, k=min(len(regulars), rnd.randint(*plan.attendees))):
                    api.post(path, {"person": f"organizations/{org}/persons/{pid}"})
                    counts["attendances"] += 1
                    if plan.theme == "homework help":
                        homework.add(pid)

    for direction, kind, partner, reason in REFERRALS[org]:
        for _ in range(rnd.randint(3, 7)):
            pid, _g = rnd.choice(people)
            ref = api.post("/api/v1/referrals", {
                "direction": direction, "person": f"organizations/{org}/persons/{pid}", "partner_kind": kind,
                "partner_name": partner, "reason_category": reason,
            })
            counts["referrals"] += 1
            rid = _id(ref["name"])
            fate = rnd.random()
            if fate < 0.75:
                api.post(f"/api/v1/referrals/{rid}:accept", {})
                if fate < 0.55:
                    api.post(f"/api/v1/referrals/{rid}:complete", {"outcome": "need_met"})
            elif fate < 0.85:
                api.post(f"/api/v1/referrals/{rid}:reject", {"declined_by": "provider", "outcome": "no_capacity"})

    for parent, children, family in linderud_families(families, homework):
        household = api.post("/api/v1/households", {"display_name": f"Familien {family}"})
        hid = _id(household["name"])
        counts["households"] += 1
        roles = [(parent, "HOUSEHOLD_ROLE_PARENT_OR_GUARDIAN")] + [(c, "HOUSEHOLD_ROLE_CHILD") for c in children]
        for pid, role in roles:
            api.post(f"/api/v1/households/{hid}/members", {"person": pid, "role": role})
            counts["household_members"] += 1
    if org == "mir":
        counts["erasures"] = erased_member(api)
    return counts


def erased_member(api: Api) -> int:
    """A member of last year who moved away and asked to be erased: the erasure log shows it (naming no one),
    and last year's figures still count her."""
    person = api.post("/api/v1/persons", {"given_name": "Samira", "family_name": "Haddad", "birth_year": YEAR - 41,
                                          "gender": "GENDER_FEMALE", "chapter": "linderud"})
    pid = _id(person["name"])
    api.post(f"/api/v1/persons/{pid}/membership-years", {
        "year": YEAR - 1, "fee_nok": 200, "payment_state": "PAYMENT_STATE_PAID",
        "paid_date": dt.date(YEAR - 1, 3, 1).isoformat()})
    api.post(f"/api/v1/persons/{pid}:erase", {"reason": "ERASURE_REASON_CONSENT_WITHDRAWN", "confirm": True})
    return 1


def linderud_families(people: list[tuple[str, str, bool, str]], homework: set[str],
                      most: int = 3) -> list[tuple[str, list[str], str]]:
    """Up to `most` families at Linderud with children who came to homework help, as (parent id, children's
    ids, family name): the children of one family name, and a grown-up of that name (else another
    grown-up of the Linderud chapter) as their parent. Each person in one family at most."""
    taken: set[str] = set()
    found = []
    names = list(dict.fromkeys(f for pid, f, child, _c in people if child and pid in homework))
    for family in names:
        children = [pid for pid, f, child, _c in people if child and f == family]
        grown = [pid for pid, _f, child, _c in people if not child and pid not in taken]
        same = [pid for pid, f, child, _c in people if not child and f == family and pid not in taken]
        local = [pid for pid, f, child, c in people if not child and c == "linderud" and pid not in taken]
        parent = (same or local or grown or [None])[0]
        if parent is None:
            break
        taken.update([parent, *children])
        found.append((parent, children, family))
        if len(found) == most:
            break
    return found


def cross_node_referral(api_from: Api, from_org: str, to_org: str) -> dict:
    """MiR refers a woman to MiRA's free legal aid, with her consent."""
    query = urllib.parse.urlencode({"page_size": 50, "purpose": "choosing whom to refer to legal aid"})
    people = api_from.call("GET", f"/api/v1/persons?{query}")["persons"]
    woman = next(p for p in people if p.get("gender") == "GENDER_FEMALE" and p.get("birth_year", 0) < YEAR - 20)
    return api_from.post("/api/v1/referrals", {
        "person": woman["name"], "partner_kind": "PARTNER_KIND_FEDERATION_NODE", "target_organization": to_org,
        "reason_category": "REASON_CATEGORY_LEGAL_AID", "consent_given": True,
        "shared_contact": {"given_name": woman["given_name"], "phone": woman.get("phone", ""),
                           "preferred_language": (woman.get("preferred_languages") or ["nb"])[0]},
    })


def load_federation(stack: Stack, pool: concurrent.futures.Executor | None = None) -> dict[str, dict[str, int]]:
    """The demo data of every node of a running federation, as `make run` loads it: each node's at once,
    through its gateway as its coordinator, then MiR's referral to MiRA when both run. Returns what was
    recorded at each organisation (``load``'s counts). pool runs the nodes' loads (one of its own when None);
    a caller that may be interrupted passes its own, so as not to wait for the loads when it stops."""
    orgs = list(stack.orgs)
    apis = {org: Api(stack.gateway_url(org), stack.token(COORDINATORS[org])) for org in orgs}
    if pool is None:
        with concurrent.futures.ThreadPoolExecutor(max_workers=len(orgs)) as own:
            counts = dict(zip(orgs, own.map(lambda o: load(o, apis[o]), orgs)))
    else:
        counts = dict(zip(orgs, pool.map(lambda o: load(o, apis[o]), orgs)))
    if "mir" in orgs and "mira" in orgs:
        cross_node_referral(apis["mir"], "mir", "mira")
    return counts
