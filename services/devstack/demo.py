"""Demo data that feels like the organisations' own accounts of their work,
loaded through each node's gateway with its coordinator's token, so that it
travels the same path as a coordinator's clicks: gateway -> gRPC -> outbox
-> Kafka -> reporting.

Everything here is invented: no real person is named.
"""
from __future__ import annotations

import base64
import concurrent.futures
import datetime as dt
import json
import pathlib
import random
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dateutil.easter import easter

from services.devstack import demo_consents, demo_grants, demo_registration

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
CHAPTERS = {"mir": ["linderud", "linderud", "furuset"], "mira": [""], "mkr": [""]}
# Each organisation's local chapters (a person's chapter names one) and other groups: (id, kind, display name).
GROUPS = {
    "mir": [("linderud", "GROUP_KIND_CHAPTER", "MiR Linderud"), ("furuset", "GROUP_KIND_CHAPTER", "MiR Furuset"),
            ("mir-ung", "GROUP_KIND_GROUP", "MiR-Ung")],
    "mira": [("veiledergruppen", "GROUP_KIND_GROUP", "Veiledergruppen")],
    "mkr": [("natteravnene", "GROUP_KIND_GROUP", "Natteravnene på Grønland")],
}


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
# Young members of a youth wing (MiR-Ung), registered with membership_history.
YOUTH_WING = {"mir": 16}

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


# ---------------------------------------------------------------------------- recurring sessions
# Activities whose sessions come from a recurrence (an RFC 5545 rule) rather than one by one: the language
# café every other Wednesday, the night-raven walks on the first Friday of every month, homework help every
# Tuesday without the school holidays (winter break in week 8, Easter, summer, autumn break in week 40).


def _week(week: int) -> str:
    return f"{dt.date.fromisocalendar(YEAR, week, 1)}/{dt.date.fromisocalendar(YEAR, week, 5)}"


def _easter() -> str:
    sunday = easter(YEAR)
    return f"{sunday - dt.timedelta(days=6)}/{sunday + dt.timedelta(days=1)}"


RECURRING = {
    ("mir", "Leksehjelp på Linderud"): lambda: {
        "rule": "FREQ=WEEKLY;BYDAY=TU", "start_date": f"{YEAR}-01-06", "end_date": f"{YEAR}-12-15",
        "exception_dates": [_week(8), _easter(), f"{YEAR}-06-20/{YEAR}-08-16", _week(40)]},
    ("mira", "Språkkafé"): lambda: {
        "rule": "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE", "start_date": f"{YEAR}-01-07", "end_date": f"{YEAR}-12-16",
        "exception_dates": [f"{YEAR}-07-01/{YEAR}-08-09"]},
    ("mkr", "Natteravning på Grønland"): lambda: {
        "rule": "FREQ=MONTHLY;BYDAY=1FR", "start_date": f"{YEAR}-01-01", "end_date": f"{YEAR}-12-31"},
}


def planned_sessions(org: str, api: Api, plan: ActivityPlan, aid: str, until: dt.date,
                     counts: dict[str, int]) -> list[tuple[dt.date, str]]:
    """The activity's sessions up to until, as (date, session id): made through its recurrence when it has
    one (which also plans the rest of the year), else one by one."""
    rule = RECURRING.get((org, plan.title))
    if rule is None:
        made = []
        for day in _dates(plan, until):
            session = api.post(f"/api/v1/activities/{aid}/sessions", {
                "date": day.isoformat(), "start_time": plan.start_time, "duration_minutes": 90,
                "location": plan.location,
            })
            made.append((day, _id(session["name"])))
            counts["sessions"] += 1
        return made
    body = {**rule(), "start_time": plan.start_time, "duration_minutes": 120 if org != "mkr" else 180,
            "location": plan.location}
    saved = api.call("PUT", f"/api/v1/activities/{aid}/recurrence", body)
    counts["sessions"] += saved.get("scheduled_count", 0)  # proto3 JSON leaves a 0 out
    counts["recurrences"] = counts.get("recurrences", 0) + 1
    listed = api.call("GET", f"/api/v1/activities/{aid}/recurrence/occurrences")
    return [(dt.date.fromisoformat(o["session"]["date"]), _id(o["session"]["name"]))
            for o in listed.get("occurrences", []) if o["session"]["date"] <= until.isoformat()]


def load(org: str, api: Api, *, seed: int = 2018, until: dt.date | None = None) -> dict[str, int]:
    """Register people, membership years, activities, sessions, attendance and
    referrals for one organisation. Returns counts of what was made."""
    rnd = random.Random(f"{seed}-{org}")
    until = until or dt.date.today()
    counts = {"persons": 0, "membership_years": 0, "activities": 0, "sessions": 0, "attendances": 0,
              "referrals": 0, "households": 0, "household_members": 0, "volunteer_hours": 0, "consents": 0,
              "consents_withdrawn": 0}
    for group_id, kind, display_name in GROUPS[org]:  # chapters first: a person's chapter must be one
        try:
            api.post("/api/v1/groups", {"group_id": group_id, "group": {"kind": kind, "display_name": display_name}})
            counts["groups"] = counts.get("groups", 0) + 1
        except ApiError as exc:  # loaded before (a node's groups are kept by their ids): use them
            if " -> 409:" not in str(exc):
                raise
    people: list[tuple[str, str]] = []  # (person id, gender)
    families: list[tuple[str, str, bool, str]] = []  # (person id, family name, child, chapter)
    homework: set[str] = set()  # who came to homework help
    held: dict[str, list[tuple[str, str]]] = {}  # activity title -> its sessions (activity id, session id)
    registered: list[tuple[str, int, bool]] = []  # (person id, birth year, child)
    born: list[tuple[str, int, str]] = []  # (person id, birth year, family name), for their consents
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
        registered.append((pid, birth, child))
        born.append((pid, birth, family))
        counts["persons"] += 1
        if not child:
            paid = rnd.random() < 0.8
            api.post(f"/api/v1/persons/{pid}/membership-years", {
                "year": YEAR, "fee_nok": 200 if paid else 0,
                "payment_state": "PAYMENT_STATE_PAID" if paid else "PAYMENT_STATE_UNPAID",
                **({"paid_date": dt.date(YEAR, 2, rnd.randint(1, 28)).isoformat()} if paid else {}),
            })
            counts["membership_years"] += 1
    history = membership_history(org, api, registered)
    counts["membership_years"] += history["youth_this_year"] - history["cancelled_this_year"]
    counts["earlier_membership_years"] = history["earlier"]
    counts["persons"] += history["youth_registered"]
    counts["group_members"] = history["youth_registered"]  # MiR-Ung's youth, members of its group

    activity_ids: dict[str, str] = {}  # title -> the activity's name, for the projects
    listed = demo_grants.activity_lists(org, api)  # the node's themes and target groups, where it keeps them
    for plan in PLANS[org]:
        activity = api.post("/api/v1/activities", {
            "title": plan.title, "theme": listed["theme"].get(plan.theme, plan.theme), "subgoal": plan.subgoal,
            "funder": plan.funder, "target_group": listed["target_group"].get(plan.target_group, plan.target_group),
            "chapter": plan.chapter, "anonymous_attendance": plan.anonymous,
        })
        aid = _id(activity["name"])
        counts["activities"] += 1
        activity_ids[plan.title] = activity["name"]
        regulars = rnd.sample(people, k=min(len(people), plan.attendees[1] + 4))
        for day, sid in planned_sessions(org, api, plan, aid, until, counts):
            held.setdefault(plan.title, []).append((aid, sid))
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

    counts["volunteer_hours"] = volunteer_hours(org, api, rnd, families, held)
    counts.update(demo_grants.load(org, api, activity_ids, YEAR))  # funders, grants and projects

    guardians: dict[str, str] = {}  # a child's id -> their parent's in the household
    households: list[str] = []
    for parent, children, family in linderud_families(families, homework):
        household = api.post("/api/v1/households", {"display_name": f"Familien {family}"})
        hid = _id(household["name"])
        households.append(hid)
        counts["households"] += 1
        roles = [(parent, "HOUSEHOLD_ROLE_PARENT_OR_GUARDIAN")] + [(c, "HOUSEHOLD_ROLE_CHILD") for c in children]
        for pid, role in roles:
            api.post(f"/api/v1/households/{hid}/members", {"person": pid, "role": role})
            counts["household_members"] += 1
        guardians.update({child: parent for child in children})

    # registration: courses with places and a waiting list, a household together, no-shows
    for what, n in demo_registration.load(org, api, random.Random(f"{seed}-{org}-registration"),
                                          [pid for pid, _g in people], held, households).items():
        counts[what] = counts.get(what, 0) + n

    for planned in demo_consents.plan(born, guardians, FEMALE, rnd, YEAR, until):
        given = api.post(f"/api/v1/persons/{planned.person_id}/consents", planned.consent)
        counts["consents"] += 1
        if planned.withdraw:
            api.post(f"/api/v1/persons/{planned.person_id}/consents/{_id(given['name'])}:withdraw", planned.withdraw)
            counts["consents_withdrawn"] += 1
    if org == "mir":
        counts["imports_checked"] = sample_import(api)
        counts["erasures"] = erased_member(api)
    for what, n in groups_and_roles(org, api, families, random.Random(f"{seed}-{org}-roles")).items():
        counts[what] = counts.get(what, 0) + n
    return counts


def _role(api: Api, pid: str, role: str, start: dt.date, end: dt.date | None = None, group: str = "") -> None:
    body = {"role": role, "start_date": start.isoformat(), **({"end_date": end.isoformat()} if end else {}),
            **({"group": group} if group else {})}
    api.post(f"/api/v1/persons/{pid}/roleAssignments", body)


def groups_and_roles(org: str, api: Api, families: list[tuple[str, str, bool, str]],
                     rnd: random.Random) -> dict[str, int]:
    """Who sits on the board, coordinates, volunteers, guides or assists, for which period, and who is in which
    group: MiR's board with a representative of its youth wing MiR-Ung, a school-home coordinator, homework-help
    volunteers and paid assistants recruited from the network; MiRA's group of volunteer guides (veiledere); MKR's
    night ravens. MiR-Ung's young members are registered here. Through the REST API, as a coordinator would."""
    counts = {"group_members": 0, "role_assignments": 0}
    grown = [pid for pid, _f, child, _c in families if not child]
    rnd.shuffle(grown)
    start_of_year = dt.date(YEAR, 1, 1)

    def member(group: str, pid: str) -> None:
        api.post(f"/api/v1/groups/{group}/members", {"person": pid})
        counts["group_members"] += 1

    def role(pid: str, name: str, start: dt.date, end: dt.date | None = None, group: str = "") -> None:
        _role(api, pid, name, start, end, group)
        counts["role_assignments"] += 1

    if org == "mir":
        youth = []
        for i in range(6):  # MiR-Ung: young people of the network, 16 to 24
            family = rnd.choice(FAMILY)
            created = api.post("/api/v1/persons", {
                "given_name": rnd.choice(FEMALE if i % 2 == 0 else MALE), "family_name": family,
                "birth_year": rnd.randint(YEAR - 24, YEAR - 16),
                "gender": "GENDER_FEMALE" if i % 2 == 0 else "GENDER_MALE",
                "preferred_languages": ["nb", LANGS.get(family, "ar")], "postal_code": rnd.choice(POSTAL[org]),
                "municipality": "Oslo", "chapter": "linderud",
                "phone": f"+47 4{rnd.randint(10, 99)} {rnd.randint(10, 99)} {rnd.randint(100, 999)}"})
            youth.append(_id(created["name"]))
            counts["persons"] = counts.get("persons", 0) + 1
            api.post(f"/api/v1/persons/{youth[-1]}/membership-years", {  # the youth wing's fee
                "year": YEAR, "fee_nok": 50, "payment_state": "PAYMENT_STATE_PAID",
                "paid_date": dt.date(YEAR, 2, rnd.randint(1, 28)).isoformat()})
            counts["membership_years"] = counts.get("membership_years", 0) + 1
            member("mir-ung", youth[-1])
        # MiR-Ung's own board, and its chair on MiR's board.
        for pid in youth[:3]:
            role(pid, "ROLE_BOARD_MEMBER", dt.date(YEAR - 1, 3, 1), group="mir-ung")
        role(youth[0], "ROLE_BOARD_MEMBER", dt.date(YEAR - 1, 3, 1))
        board, rest = grown[:4], grown[4:]
        for pid in board:
            role(pid, "ROLE_BOARD_MEMBER", dt.date(YEAR - 2, 3, 1))
        for pid in rest[:1]:  # left the board
            role(pid, "ROLE_BOARD_MEMBER", dt.date(YEAR - 3, 3, 1), dt.date(YEAR - 1, 2, 28))
        for pid in rest[1:2]:  # the school-home coordinator at Linderud
            role(pid, "ROLE_COORDINATOR", dt.date(YEAR - 3, 8, 15))
        for i, pid in enumerate(rest[2:10]):  # homework-help volunteers; two stopped last year
            role(pid, "ROLE_VOLUNTEER", dt.date(YEAR - 1, 8, 20), dt.date(YEAR - 1, 12, 15) if i >= 6 else None)
        for pid in rest[10:12]:  # paid assistants from the network for the spring term
            role(pid, "ROLE_PAID_ASSISTANT", start_of_year, dt.date(YEAR, 6, 20))
    elif org == "mira":
        for i, pid in enumerate(grown[:9]):  # the volunteer guides, most of them since last year
            member("veiledergruppen", pid)
            role(pid, "ROLE_GUIDE", dt.date(YEAR - 1 if i < 6 else YEAR, 9 if i < 6 else 2, 1), group="veiledergruppen")
        for pid in grown[9:12]:
            role(pid, "ROLE_BOARD_MEMBER", dt.date(YEAR - 1, 4, 1))
        for pid in grown[12:13]:
            role(pid, "ROLE_COORDINATOR", dt.date(YEAR - 4, 1, 1))
    elif org == "mkr":
        for pid in grown[:6]:  # night ravens on Friday evenings
            member("natteravnene", pid)
            role(pid, "ROLE_VOLUNTEER", start_of_year, group="natteravnene")
        for pid in grown[6:9]:
            role(pid, "ROLE_BOARD_MEMBER", dt.date(YEAR - 1, 5, 1))
    return counts


# Who gives time, where (activity title), how many of them at a session, how long and doing what: MiR's
# homework helpers at Linderud, MiRA's volunteer guides (veiledergruppen) at the language café and on the
# girls' course. (activity, chapter of the volunteers, volunteers, at a session, minutes, tasks)
VOLUNTEERING = {
    "mir": [("Leksehjelp på Linderud", "linderud", 7, (3, 5), (90, 120),
             ["leksehjelp, matte", "leksehjelp, norsk", "leksehjelp for småskolen", "lesing med de minste"])],
    "mira": [("Språkkafé", "veiledergruppen", 8, (2, 4), (120, 150),
              ["veiledning på språkkafeen", "samtalegruppe på norsk", "mottak av nye deltakere"]),
             ("Ta ordet – kurs for jenter", "veiledergruppen", 8, (1, 2), (90, 120), ["medveileder på kurset"])],
    "mkr": [],
}


def volunteers_among(people: list[tuple[str, str, bool, str]], chapter: str, most: int) -> list[str]:
    """Up to `most` grown-ups who volunteer: those of the chapter first, then other grown-ups."""
    grown = [(pid, c) for pid, _f, child, c in people if not child]
    ordered = [pid for pid, c in grown if c == chapter] + [pid for pid, c in grown if c != chapter]
    return ordered[:most]


def volunteer_hours(org: str, api: Api, rnd: random.Random, people: list[tuple[str, str, bool, str]],
                    held: dict[str, list[tuple[str, str]]]) -> int:
    """Volunteers' hours at the sessions they helped at, logged by the coordinator through the REST API; one
    entry corrected afterwards (a helper stayed longer), as happens. Returns how many entries were logged."""
    logged = 0
    corrected = False
    for title, chapter, n, per_session, minutes, tasks in VOLUNTEERING[org]:
        team = volunteers_among(people, chapter, n)
        for aid, sid in held.get(title, []):
            for pid in rnd.sample(team, k=min(len(team), rnd.randint(*per_session))):
                entry = api.post(f"/api/v1/activities/{aid}/hoursEntries", {
                    "person": f"organizations/{org}/persons/{pid}",
                    "session": f"organizations/{org}/activities/{aid}/sessions/{sid}",
                    "duration_minutes": rnd.choice(range(minutes[0], minutes[1] + 1, 15)),
                    "task": rnd.choice(tasks),
                })
                logged += 1
                if not corrected:
                    api.call("PATCH", f"/api/v1/activities/{aid}/hoursEntries/{_id(entry['name'])}"
                                      "?update_mask=duration_minutes", {"duration_minutes": minutes[1] + 30})
                    corrected = True
    return logged


def membership_history(org: str, api: Api, registered: list[tuple[str, int, bool]]) -> dict[str, int]:
    """Membership years of the two years before this one, as a register kept for some years holds them: most
    grown-ups paid 200 NOK (a few were let off it, a few did not pay), and a couple ended their membership this
    year. Children from 12 are youth members (MiR-Ung and the like) at 100 NOK, some with the fee waived or cut
    to 40; so a renewal shows who does not carry over, and Frifond's rule (under 26, at least 50 NOK, two years
    back) has members to count and members to explain. Its own random numbers: the rest of the demo is as it
    was. Returns how many years it recorded before this year, and the changes to this year's members."""
    rnd = random.Random(f"membership-history-{org}")
    out = {"earlier": 0, "youth_this_year": 0, "cancelled_this_year": 0, "youth_registered": 0}
    registered = list(registered)
    for _ in range(YOUTH_WING.get(org, 0)):  # MiR-Ung: young members of the youth wing, 16 to 24 years old
        female = rnd.random() < 0.55
        family = rnd.choice(FAMILY)
        birth = rnd.randint(YEAR - 24, YEAR - 16)
        created = api.post("/api/v1/persons", {
            "given_name": rnd.choice(FEMALE if female else MALE), "family_name": family, "birth_year": birth,
            "gender": "GENDER_FEMALE" if female else "GENDER_MALE", "preferred_languages": [LANGS.get(family, "ar"), "nb"],
            "postal_code": rnd.choice(POSTAL[org]), "municipality": "Oslo", "chapter": "linderud",
            "phone": f"+47 4{rnd.randint(10, 99)} {rnd.randint(10, 99)} {rnd.randint(100, 999)}",
        })
        registered.append((_id(created["name"]), birth, True))
        api.post(f"/api/v1/groups/mir-ung/members", {"person": registered[-1][0]})
        out["youth_registered"] += 1

    def record(pid: str, year: int, state: str, fee: int) -> None:
        paid = {"paid_date": dt.date(year, rnd.randint(1, 4), rnd.randint(1, 28)).isoformat()} \
            if state == "PAYMENT_STATE_PAID" else {}
        api.post(f"/api/v1/persons/{pid}/membership-years",
                 {"year": year, "fee_nok": fee, "payment_state": state, **paid})

    for pid, birth, child in registered:
        youth = YEAR - 2 - birth >= 12 and YEAR - birth <= 25
        if child and not youth:
            continue
        for year in (YEAR - 2, YEAR - 1, *((YEAR,) if youth and child else ())):
            if rnd.random() > (0.9 if youth else 0.75):
                continue
            roll = rnd.random()
            if youth:
                state, fee = (("PAYMENT_STATE_PAID", 100) if roll < 0.75 else ("PAYMENT_STATE_WAIVED", 0)
                              if roll < 0.9 else ("PAYMENT_STATE_PAID", 40))
            else:
                state, fee = (("PAYMENT_STATE_PAID", 200) if roll < 0.85 else ("PAYMENT_STATE_WAIVED", 0)
                              if roll < 0.92 else ("PAYMENT_STATE_UNPAID", 200))
            record(pid, year, state, fee)
            if year == YEAR:
                out["youth_this_year"] += 1
            else:
                out["earlier"] += 1
    grown = [pid for pid, _birth, child in registered if not child]
    for pid in grown[3:5]:  # two members who ended their membership this year
        record(pid, YEAR, "PAYMENT_STATE_CANCELLED", 200)
        out["cancelled_this_year"] += 1
    return out


SAMPLE_EXPORT = pathlib.Path(__file__).parent / "samples" / "medlemmer-hypersys.csv"


def sample_import(api: Api) -> int:
    """A small Hypersys-like export checked at the node (a dry run, not imported): the coordinator finds it
    under Import, with its rows to correct, and may import it within the hour the check is kept."""
    content = base64.b64encode(SAMPLE_EXPORT.read_bytes()).decode()
    api.post("/api/v1/person-imports", {"content": content, "filename": SAMPLE_EXPORT.name})
    return 1


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
    # Her consent to sharing her contact in this referral, recorded first: without it nothing is sent.
    api_from.post(f"/api/v1/persons/{_id(woman['name'])}/consents", demo_consents.sharing_consent(dt.date.today()))
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
