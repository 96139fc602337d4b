"""Which consents the demo records: plain Python, no federation."""
from __future__ import annotations

import datetime as dt
import random

from services.devstack import demo_consents as dc

YEAR = 2026


def people(n=60):
    rnd = random.Random(1)
    return [(f"p{i}", rnd.choice([1980, 1990, 2014, 2012, 2009]), "Khan") for i in range(n)]


def test_most_consent_to_membership_and_statistics_some_withdraw_photos_children_by_a_guardian():
    folks = people()
    planned = dc.plan(folks, {"p2": "p0"}, ["Fatima"], random.Random(7), YEAR, dt.date(YEAR, 12, 4))
    by = {(p.person_id, p.consent["purpose"]): p for p in planned}
    with_membership = {pid for pid, purpose in by if purpose == dc.MEMBERSHIP}
    assert len(with_membership) >= 0.85 * len(folks)
    assert {pid for pid, purpose in by if purpose == dc.STATISTICS} == with_membership
    photos = [p for p in planned if p.consent["purpose"] == dc.PHOTOS]
    assert any(p.withdraw for p in photos) and any(not p.withdraw for p in photos)
    assert sum(1 for p in planned if p.consent["purpose"] == dc.STATISTICS and p.withdraw) <= 1
    for p in planned:
        birth = dict((pid, b) for pid, b, _f in folks)[p.person_id]
        if YEAR - birth <= 16:
            assert p.consent["given_by"] == "CONSENT_GIVER_GUARDIAN"
            assert p.consent.get("guardian") == "p0" if p.person_id == "p2" else \
                p.consent["guardian_name"] == "Fatima Khan"
        else:
            assert p.consent["given_by"] == "CONSENT_GIVER_PERSON" and "guardian" not in p.consent
        if p.withdraw:
            assert p.consent["given_date"] <= p.withdraw["withdraw_date"] <= "2026-12-04"


def test_dates_are_not_after_the_day_the_demo_is_loaded():
    planned = dc.plan(people(20), {}, ["Fatima"], random.Random(3), YEAR, dt.date(YEAR, 1, 3))
    assert planned and all(p.consent["given_date"] <= "2026-01-03" for p in planned)
    assert all(p.withdraw["withdraw_date"] == "2026-01-03" for p in planned if p.withdraw)
