"""The demo's consents: what people of a node agreed to, as a coordinator records it from the paper form
(samtykke-<year>-01) at registration. Most grown-ups consent to membership and statistics and many to
photos; some later withdraw their consent for photos (said to a coordinator), one withdraws from the
statistics; a child's consent is given by their parent in the household, or by a guardian who is not
registered (named on the form). Sharing in a referral is consented to per referral (cross_node_referral)."""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

CONSENT_AGE = 16  # the nodes' setting in the demo (BROBYGGER_CONSENT_AGE's default)
FORM, VERBAL = "CONSENT_SOURCE_PAPER_FORM", "CONSENT_SOURCE_VERBAL"
MEMBERSHIP, STATISTICS, PHOTOS = "CONSENT_PURPOSE_MEMBERSHIP", "CONSENT_PURPOSE_STATISTICS", "CONSENT_PURPOSE_PHOTOS"
SHARING = "CONSENT_PURPOSE_REFERRAL_SHARING"


@dataclass(frozen=True)
class Planned:
    person_id: str
    consent: dict  # the body of POST /api/v1/persons/{id}/consents
    withdraw: dict = field(default_factory=dict)  # the body of ...:withdraw, or {} when it stays in force


def is_child(birth_year: int, year: int) -> bool:
    """As membership decides it from a birth year (services.membership.domain.consent.is_child)."""
    return birth_year > 0 and year - birth_year <= CONSENT_AGE


def plan(people: list[tuple[str, int, str]], guardians: dict[str, str], guardian_names: list[str],
         rnd: random.Random, year: int, until: dt.date) -> list[Planned]:
    """people: (person id, birth year, family name); guardians: a child's id -> their parent's id in the
    household. Dates in January and February of the year (not after `until`)."""
    text = f"samtykke-{year}-01"
    planned: list[Planned] = []
    withdrew_statistics = False
    for pid, birth, family in people:
        given = min(dt.date(year, rnd.randint(1, 2), rnd.randint(1, 28)), until).isoformat()
        base = {"text_version": text, "given_date": given, "source": FORM}
        if is_child(birth, year):
            parent = guardians.get(pid)
            giver = ({"given_by": "CONSENT_GIVER_GUARDIAN", "guardian": parent} if parent else
                     {"given_by": "CONSENT_GIVER_GUARDIAN", "guardian_name": f"{rnd.choice(guardian_names)} {family}"})
        else:
            giver = {"given_by": "CONSENT_GIVER_PERSON"}
        if rnd.random() < 0.05:  # a few never returned the form
            continue
        for purpose in (MEMBERSHIP, STATISTICS, PHOTOS):
            if purpose == PHOTOS and rnd.random() < 0.15:
                continue  # said no to photos on the form
            withdraw: dict = {}
            later = min(dt.date(year, rnd.randint(3, 6), rnd.randint(1, 28)), until)
            if purpose == PHOTOS and rnd.random() < 0.2 and later.isoformat() >= given:
                withdraw = {"source": VERBAL, "withdraw_date": later.isoformat()}
            if purpose == STATISTICS and not withdrew_statistics and not is_child(birth, year) and rnd.random() < 0.1 \
                    and later.isoformat() >= given:
                withdraw, withdrew_statistics = {"source": VERBAL, "withdraw_date": later.isoformat()}, True
            planned.append(Planned(pid, {"purpose": purpose, **base, **giver}, withdraw))
    return planned


def sharing_consent(today: dt.date) -> dict:
    """The consent a coordinator records before a referral to another node, said to them by the person."""
    return {"purpose": SHARING, "text_version": f"samtykke-{today.year}-01", "given_date": today.isoformat(),
            "source": VERBAL, "given_by": "CONSENT_GIVER_PERSON"}
