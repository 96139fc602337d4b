"""An erased person's token keeps every cell key the person's id gave (services/reporting/domain/cellkey.py)."""
from __future__ import annotations

from services.reporting.domain.cellkey import CellKeys

SECRET = "s" * 32


def test_a_token_gives_the_same_record_keys_as_the_id_it_replaces():
    keys = CellKeys(SECRET)
    token = keys.erased_token("p1")
    assert token.startswith("~") and len(token) == 33 and "p1" not in token
    for kind in ("member", "person"):
        assert keys.record(kind, token) == keys.record(kind, "p1")
    assert keys.count("person", [token, "p2"]) == keys.count("person", ["p1", "p2"])


def test_tokens_of_two_people_differ_and_another_secret_gives_other_tokens():
    keys = CellKeys(SECRET)
    assert keys.erased_token("p1") != keys.erased_token("p2")
    assert CellKeys("t" * 32).erased_token("p1") != keys.erased_token("p1")


def test_volunteers_and_role_holders_are_keyed_so_that_an_erasure_changes_no_published_figure():
    """Reporting pseudonymises an erased person's hours and roles too: their figures must not move."""
    from services.reporting.domain import disclosure, model

    keys = CellKeys(SECRET)
    token = keys.erased_token("p1")

    def published(pid: str):
        hours = [model.HoursRow(f"h{i}", who, 95, 2) for i, who in enumerate([pid, "p2", "p3", "p4", "p5", "p6"])]
        roles = [model.RoleRow(who, 3) for who in (pid, "p2", "p3", "p4", "p5", "p6", "p7")]
        members = [model.Member(who, True) for who in (pid, "p2", "p3", "p4", "p5", "p6", "p7", "p8")]
        raw = model.statistics(members, [], [], [], keys, hours=hours, roles=roles)
        return raw, disclosure.publish(raw, 5)

    (raw_id, shown_id), (raw_token, shown_token) = published("p1"), published(token)
    assert raw_id.volunteers == raw_token.volunteers and raw_id.role_holders == raw_token.role_holders
    assert shown_id == shown_token
