"""The demo's membership history (years before this one, MiR-Ung's youth, two ended memberships), checked with
the same counting rules the node applies: plain Python, no federation."""
from __future__ import annotations

import itertools
import pathlib

from services.common import counting
from services.devstack import demo

RULES = counting.load(pathlib.Path(__file__).resolve().parents[2] / "deploy" / "nodes" / "mir" / "membership-rules.toml")


class RecordingApi:
    def __init__(self) -> None:
        self.persons: dict[str, dict] = {}
        self.years: dict[tuple[str, int], dict] = {}
        self.youth_wing: list[str] = []
        self.ids = itertools.count(1)

    def post(self, path: str, body: dict) -> dict:
        if path == "/api/v1/persons":
            pid = f"y{next(self.ids)}"
            self.persons[pid] = body
            return {"name": f"organizations/mir/persons/{pid}"}
        if path == "/api/v1/groups/mir-ung/members":
            self.youth_wing.append(body["person"])
            return {}
        pid = path.split("/")[4]
        self.years[(pid, body["year"])] = body
        return {}


def test_mir_has_a_youth_wing_that_frifond_counts_and_explains():
    api = RecordingApi()
    grown = [(f"a{i}", demo.YEAR - 40, False) for i in range(25)]
    out = demo.membership_history("mir", api, grown + [("c1", demo.YEAR - 9, True)])
    assert out["youth_registered"] == demo.YOUTH_WING["mir"] == len(api.persons)
    # Members of the group MiR-Ung, in the chapter of Linderud (a person's chapter is a chapter, not a group).
    assert all(p["chapter"] == "linderud" and demo.YEAR - 24 <= p["birth_year"] <= demo.YEAR - 16
               for p in api.persons.values())
    assert api.youth_wing == list(api.persons)
    assert not [k for k in api.years if k[0] == "c1"]  # a child of nine is no member
    assert out["cancelled_this_year"] == 2 and api.years[("a3", demo.YEAR)]["payment_state"] == "PAYMENT_STATE_CANCELLED"
    births = {**{pid: b for pid, b, _ in grown}, **{pid: p["birth_year"] for pid, p in api.persons.items()}}
    facts = [counting.YearFacts(pid, y, {"PAYMENT_STATE_PAID": 2, "PAYMENT_STATE_WAIVED": 3, "PAYMENT_STATE_UNPAID": 1,
                                          "PAYMENT_STATE_CANCELLED": 4}[b["payment_state"]], b["fee_nok"],
                                 b.get("paid_date", ""), births[pid]) for (pid, y), b in api.years.items()]
    frifond = counting.evaluate(RULES.rule("frifond"), demo.YEAR, facts)
    assert len(frifond.counted) >= 8  # enough to be shown rounded, not hidden
    assert frifond.not_counted and all(v.reasons[0] in (counting.Reason.WAIVED, counting.Reason.FEE_BELOW_MINIMUM,
                                                        counting.Reason.TOO_OLD, counting.Reason.UNPAID)
                                       for v in frifond.not_counted)
    assert out["youth_this_year"] == len([k for k in api.years if k[1] == demo.YEAR and k[0].startswith("y")])
