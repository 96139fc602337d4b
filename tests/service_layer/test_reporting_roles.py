"""Reporting counts the people who held each role in a period, from membership's RoleAssignmentChanged facts,
under the same disclosure control (and noise) as every other figure."""
from __future__ import annotations

from brobygger.membership.v1 import membership_facts_pb2 as mem
from brobygger.membership.v1 import membership_pb2
from services.reporting.domain.disclosure import Suppression
from tests.service_layer.test_reporting import (  # noqa: F401  (fixtures)
    POLICY, consumer, envelope, noisy, shown, statistics, store, table, uow,
)

VOLUNTEER, GUIDE, BOARD = membership_pb2.ROLE_VOLUNTEER, membership_pb2.ROLE_GUIDE, membership_pb2.ROLE_BOARD_MEMBER


def role(consumer, assignment: str, person: str, role: int, start: str, end: str = "", group: str = "") -> None:
    assert consumer.process(envelope(mem.RoleAssignmentChanged(assignment_id=assignment, person_id=person, role=role,
                                                       start_date=start, end_date=end, group_id=group)))


def holders(report) -> dict[int, object]:
    return {r: shown(f) for r, f in report.statistics.role_holders}


def test_a_role_fact_becomes_a_record_and_its_end_replaces_it(consumer, store):
    role(consumer, "a1", "p1", GUIDE, "2026-01-01", group="mir-ung")
    role(consumer, "a1", "p1", GUIDE, "2026-01-01", "2026-03-31", "mir-ung")
    role(consumer, "a1", "p1", GUIDE, "2026-01-01", "2026-03-31", "mir-ung")  # delivered again
    [record] = table(store, "fact_role_assignments").values()
    assert (record.person_id, record.role, record.start_date.isoformat(), record.end_date.isoformat(),
            record.group_id) == ("p1", GUIDE, "2026-01-01", "2026-03-31", "mir-ung")


def test_active_volunteers_are_counted_per_period_each_once_and_every_role_listed(consumer, uow):
    for i in range(7):  # seven volunteers all year, one of them with two assignments
        role(consumer, f"v{i}", f"p{i}", VOLUNTEER, "2025-06-01")
    role(consumer, "v0-again", "p0", VOLUNTEER, "2026-05-01", "2026-05-31")
    for i in range(12):  # twelve guides in the first quarter only
        role(consumer, f"g{i}", f"q{i}", GUIDE, "2026-01-01", "2026-03-31")
    role(consumer, "b1", "p1", BOARD, "2027-01-01")  # not yet
    role(consumer, "b2", "p2", BOARD, "2024-01-01", "2025-12-31")  # over
    year = holders(statistics(uow, min_cell=5))
    assert set(year) == {1, 2, 3, 4, 5}
    assert year[VOLUNTEER] in (5, 10) and year[GUIDE] in (10, 15)
    assert year[BOARD] == 0 and year[membership_pb2.ROLE_COORDINATOR] == 0
    second_quarter = holders(statistics(uow, "2026-04-01", "2026-06-30", min_cell=5))
    assert second_quarter[GUIDE] == 0 and second_quarter[VOLUNTEER] in (5, 10)


def test_a_small_number_of_holders_is_hidden(consumer, uow):
    for i in range(3):
        role(consumer, f"b{i}", f"p{i}", BOARD, "2026-01-01")
    assert holders(statistics(uow, min_cell=5))[BOARD] is Suppression.PRIMARY


def test_with_privacy_on_every_role_is_a_noisy_figure(consumer, uow):
    role(consumer, "v1", "p1", VOLUNTEER, "2026-01-01")
    report = noisy(uow)
    assert [r for r, _f in report.statistics.role_holders] == [1, 2, 3, 4, 5]
    assert all(f.value is not None and f.value >= 0 for _r, f in report.statistics.role_holders)
    assert report.privacy.sensitivity == POLICY.sensitivity == 10 + 2 * POLICY.visits_per_person
