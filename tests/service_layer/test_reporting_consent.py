"""Reporting on fakes: ConsentChanged facts for statistics, and what a withdrawal leaves out of the figures."""
from __future__ import annotations

import datetime as dt

from brobygger.events.v1 import events_facts_pb2 as ev
from brobygger.membership.v1 import consent_facts_pb2 as cf
from brobygger.membership.v1 import consent_pb2
from brobygger.membership.v1 import membership_facts_pb2 as mem
from services.reporting.domain.cellkey import CellKeys
from services.reporting.domain.consent import StatisticsConsentChange
from services.reporting.domain.model import Period
from services.reporting.service_layer import handlers
from tests.service_layer.test_reporting import (  # noqa: F401
    ADULT, F, SECRET, consumer, envelope, store, table, uow,
)

GIVEN, WITHDRAWN = cf.ConsentChanged.CHANGE_GIVEN, cf.ConsentChanged.CHANGE_WITHDRAWN
STATISTICS, PHOTOS = consent_pb2.CONSENT_PURPOSE_STATISTICS, consent_pb2.CONSENT_PURPOSE_PHOTOS


def changed(person, change, day, purpose=STATISTICS):
    return envelope(cf.ConsentChanged(person_id=person, consent_purpose=purpose, change=change, changed_date=day))


def raw(uow, start, end):
    with uow() as w:
        return handlers.raw_statistics(w, Period(dt.date.fromisoformat(start), dt.date.fromisoformat(end)),
                                       CellKeys(SECRET))


def seed(consumer):
    for p in ("p1", "p2", "p3"):
        consumer.process(envelope(mem.MembershipYearRecorded(person_id=p, year=2026, payment_state=1, fee_nok=200,
                                                             birth_year=1984)))
    consumer.process(envelope(ev.SessionScheduled(session_id="s1", activity_id="a", date="2026-05-06")))
    for i, p in enumerate(("p1", "p2")):
        consumer.process(envelope(ev.AttendanceRecorded(attendance_id=f"at{i}", session_id="s1", activity_id="a",
                                                        date="2026-05-06", person_id=p, gender=F, age_band=ADULT)))
    consumer.process(envelope(ev.AttendanceRecorded(attendance_id="hc", session_id="s1", activity_id="a",
                                                    date="2026-05-06", gender=F, age_band=ADULT, count=12)))


def test_only_statistics_consents_are_kept_once_each(consumer, store):
    assert consumer.process(changed("p1", WITHDRAWN, "2026-03-10"))
    assert consumer.process(changed("p1", WITHDRAWN, "2026-03-10"))  # the same under a new id: one record
    consumer.process(changed("p2", WITHDRAWN, "2026-03-10", purpose=PHOTOS))
    assert list(table(store, "fact_statistics_consents").values()) == [
        StatisticsConsentChange("p1", dt.date(2026, 3, 10), True)]
    assert store.state.dead_letters == []


def test_a_withdrawal_leaves_the_person_out_of_later_periods_and_keeps_earlier_figures(consumer, uow):
    seed(consumer)
    before_year, before_may = raw(uow, "2026-01-01", "2026-12-31"), raw(uow, "2026-05-01", "2026-05-31")
    consumer.process(changed("p1", WITHDRAWN, "2026-04-20"))
    year, may = raw(uow, "2026-01-01", "2026-12-31"), raw(uow, "2026-05-01", "2026-05-31")
    assert year == before_year  # the year had begun: what is (or was) published for it stays
    assert (before_may.members.value, before_may.participants_unique_total.value, before_may.visits_total.value) \
        == (3, 2, 14)
    # May began after the withdrawal: p1 is neither a member nor a participant there; the head count stays.
    assert (may.members.value, may.participants_unique_total.value, may.visits_total.value) == (2, 1, 13)
    consumer.process(changed("p1", GIVEN, "2026-04-25"))
    assert raw(uow, "2026-05-01", "2026-05-31").members.value == 3
