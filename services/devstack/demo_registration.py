"""Demo data of registration: courses with places and a waiting list, a household registered together, a
cancellation that promotes the first on the waiting list, and no-shows after a session. Through the
gateway's REST API as the coordinator, as the rest of the demo."""
from __future__ import annotations

import random
import urllib.parse

# (organisation, activity title, places, how many register for the course)
COURSES = [
    ("mira", "Ta ordet – kurs for jenter", 8, 11),
    ("mir", "Svømming for mødre og barn", 12, 15),
]
# Registered for the last session but not seen at it: marked no-show.
NO_SHOWS = 2


def _id(name: str) -> str:
    return name.rsplit("/", 1)[-1]


def load(org: str, api, rnd: random.Random, people: list[str], held: dict[str, list[tuple[str, str]]],
         households: list[str]) -> dict[str, int]:
    """people: person ids of the organisation; held: activity title -> its sessions (activity id, session id),
    oldest first; households: household ids. Returns what was made."""
    counts = {"registrations": 0, "waitlisted": 0, "promoted": 0, "no_shows": 0}
    for course_org, title, places, wanted in COURSES:
        if course_org != org or not held.get(title):
            continue
        aid = held[title][0][0]
        api.call("PATCH", f"/api/v1/activities/{aid}?update_mask=capacity", {"capacity": places})
        course = f"/api/v1/activities/{aid}/registrations"
        made = []
        if households:  # a family registers together first: the mother and her children
            purpose = urllib.parse.quote(f"registration for {title}")
            answer = api.post(f"{course}:registerHousehold?purpose={purpose}", {"household": households[0]})
            made += [x.get("registration", {}) for x in answer.get("results", [])]
        taken = {_id(r.get("person", "")) for r in made}
        for pid in rnd.sample([p for p in people if p not in taken], k=min(len(people) - len(taken), wanted)):
            made.append(api.post(course, {"person": pid}))
        counts["registrations"] += len(made)
        # someone with a place drops out: the first on the waiting list gets it
        placed = [r for r in made if r.get("state") == "REGISTRATION_STATE_REGISTERED"]
        if placed and len(made) > places:
            answer = api.post(f"/api/v1/activities/{aid}/registrations/{_id(placed[-1]['name'])}:cancel", {})
            counts["promoted"] += len(answer.get("promoted", []))
        counts["waitlisted"] += max(0, len(made) - places - counts["promoted"])
        counts["no_shows"] += _no_shows(org, api, rnd, aid, held[title][-1][1], people)
    return counts


def _no_shows(org: str, api, rnd: random.Random, aid: str, sid: str, people: list[str]) -> int:
    """The last session: those seen at it and a few who were registered and did not come, marked after it."""
    query = urllib.parse.urlencode({"purpose": "registration for the session", "page_size": 200})
    roster = api.call("GET", f"/api/v1/activities/{aid}/sessions/{sid}/attendances?{query}")
    came = [_id(a["person"]) for a in roster.get("attendances", []) if a.get("person")]
    missed = rnd.sample([p for p in people if p not in came], k=min(NO_SHOWS, len(people) - len(came)))
    for pid in came + missed:
        api.post(f"/api/v1/activities/{aid}/sessions/{sid}/registrations", {"person": pid})
    marked = api.post(f"/api/v1/activities/{aid}/sessions/{sid}:markNoShows", {})
    return int(marked.get("no_show_count", len(missed)))
