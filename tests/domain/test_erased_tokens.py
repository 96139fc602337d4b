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
