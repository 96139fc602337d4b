"""Counted members per funder: the rule file and the rules' evaluation, no I/O but reading a rule file."""
from __future__ import annotations

import pathlib

import pytest

from services.common import counting
from services.common.counting import CountingRule, Reason, YearFacts
from services.common.vocabulary import PaymentState

PAID, WAIVED, UNPAID, CANCELLED = PaymentState.PAID, PaymentState.WAIVED, PaymentState.UNPAID, PaymentState.CANCELLED
IMDI = CountingRule("imdi", "IMDi", "Paying members", threshold=20)
FRIFOND = CountingRule("frifond", "Frifond", "Under 26, paid at least 50 NOK", year_offset=-2,
                       payment_states=frozenset({PAID}), min_fee_nok=50, max_age=25)
DEPLOY = pathlib.Path(__file__).resolve().parents[2] / "deploy" / "nodes"


def y(pid, year, state=PAID, fee=200, paid="", born=1990) -> YearFacts:
    return YearFacts(pid, year, int(state), fee, paid, born)


# ---------------------------------------------------------------------------- evaluation


def test_imdi_counts_paid_and_waived_of_the_year_and_checks_the_threshold():
    years = [y("a", 2026), y("b", 2026, WAIVED, 0), y("c", 2026, UNPAID), y("d", 2025), y("e", 2026, CANCELLED)]
    ev = counting.evaluate(IMDI, 2026, years)
    assert sorted(v.facts.person_id for v in ev.counted) == ["a", "b"]
    # d is not a member of 2026, e's membership was cancelled: neither is in the population
    assert [(v.facts.person_id, v.reasons) for v in ev.not_counted] == [("c", (Reason.UNPAID,))]
    assert not ev.meets_threshold
    many = [y(f"p{i}", 2026) for i in range(20)]
    assert counting.evaluate(IMDI, 2026, many).meets_threshold  # exactly the threshold meets it
    assert not counting.evaluate(IMDI, 2026, many[:19]).meets_threshold


def test_frifond_counts_the_basis_year_two_years_back():
    years = [y("a", 2024, born=2000), y("b", 2026, born=2000)]
    ev = counting.evaluate(FRIFOND, 2026, years)
    assert ev.basis_year == 2024 and [v.facts.person_id for v in ev.counted] == ["a"]
    assert counting.basis_years([IMDI, FRIFOND], 2026) == [2026, 2024]


@pytest.mark.parametrize("born, counts, reason", [
    (1999, True, None),          # 25 in 2024: under 26 all year long counts
    (1998, False, Reason.TOO_OLD),  # turns 26 during 2024
    (2024, True, None),          # born in the basis year: age 0
    (0, False, Reason.BIRTH_YEAR_UNKNOWN),
])
def test_age_in_the_year_is_the_age_reached_during_it(born, counts, reason):
    [v] = counting.evaluate(FRIFOND, 2026, [y("a", 2024, born=born)]).verdicts
    assert v.counts is counts
    assert v.reasons == (() if reason is None else (reason,))


def test_every_failed_condition_is_named_in_order_and_grouped_by_the_first():
    years = [y("a", 2024, WAIVED, 0, born=2001), y("b", 2024, UNPAID, 200, born=2001),
             y("c", 2024, PAID, 49, born=2001), y("d", 2024, PAID, 50, born=1970), y("e", 2024, WAIVED, 0, born=2001),
             y("f", 2024, PAID, 50, born=2001)]
    ev = counting.evaluate(FRIFOND, 2026, years)
    reasons = {v.facts.person_id: v.reasons for v in ev.verdicts}
    assert reasons == {"a": (Reason.WAIVED, Reason.FEE_BELOW_MINIMUM), "b": (Reason.UNPAID,),
                       "c": (Reason.FEE_BELOW_MINIMUM,), "d": (Reason.TOO_OLD,),
                       "e": (Reason.WAIVED, Reason.FEE_BELOW_MINIMUM), "f": ()}
    assert ev.by_first_reason() == [(Reason.WAIVED, 2), (Reason.UNPAID, 1), (Reason.FEE_BELOW_MINIMUM, 1),
                                    (Reason.TOO_OLD, 1)]


def test_min_age_and_paid_by():
    rule = CountingRule("x", "X", "Adults paid in time", min_age=18, paid_by=(6, 30))
    years = [y("a", 2026, paid="2026-06-30", born=2008), y("b", 2026, paid="2026-07-01", born=2000),
             y("c", 2026, paid="", born=2000), y("d", 2026, paid="2026-01-02", born=2009)]
    reasons = {v.facts.person_id: v.reasons for v in counting.evaluate(rule, 2026, years).verdicts}
    assert reasons == {"a": (), "b": (Reason.PAID_TOO_LATE,), "c": (Reason.PAID_DATE_UNKNOWN,),
                       "d": (Reason.TOO_YOUNG,)}


def test_a_leap_day_deadline_in_a_common_year_is_the_28th():
    rule = CountingRule("x", "X", "Paid by leap day", paid_by=(2, 29))
    reasons = {v.facts.person_id: v.reasons for v in counting.evaluate(
        rule, 2026, [y("a", 2026, paid="2026-02-28"), y("b", 2026, paid="2026-03-01")]).verdicts}
    assert reasons == {"a": (), "b": (Reason.PAID_TOO_LATE,)}


def test_fee_schedule_by_age_in_the_year():
    fees = counting.FeeSchedule(200, (counting.FeeBand(25, 100),))
    assert fees.fee(2002, 2027) == 100  # 25 in 2027
    assert fees.fee(2001, 2027) == 200
    assert fees.fee(0, 2027) == 200  # birth year unknown: the default


# ---------------------------------------------------------------------------- the rule file


def test_the_nodes_rule_files_load():
    for org in ("mir", "mira", "mkr"):
        rules = counting.load(DEPLOY / org / "membership-rules.toml")
        assert rules.rule("imdi").threshold == 20
    mir = counting.load(DEPLOY / "mir" / "membership-rules.toml")
    frifond = mir.rule("frifond")
    assert (frifond.year_offset, frifond.min_fee_nok, frifond.max_age, frifond.payment_states) == (
        -2, 50, 25, frozenset({PAID}))
    assert mir.fees.default_nok == 200


def test_problems_name_the_file_the_rule_and_the_field(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text('''
[fees]
default_nok = -1
[[counting_rule]]
id = "imdi"
funder = "IMDi"
title = "Paying"
threshold = "twenty"
payment_states = ["paid", "kind of"]
[[counting_rule]]
id = "imdi"
funder = ""
title = "Again"
min_age = 30
max_age = 20
colour = "red"
paid_by = "13-01"
''', encoding="utf-8")
    with pytest.raises(counting.RulesError) as err:
        counting.load(path)
    problems = err.value.problems
    assert all(p.startswith(f"{path}: ") for p in problems)
    text = "\n".join(problems)
    assert "fees: default_nok must be a whole number from 0 to 100000, got -1" in text
    assert "counting_rule[0] (id 'imdi'): threshold must be a whole number" in text
    assert "counting_rule[0] (id 'imdi'): payment_states[1] is 'kind of'" in text
    assert "counting_rule[1] (id 'imdi'): id is used by another rule" in text
    assert "counting_rule[1] (id 'imdi'): funder is required" in text
    assert "min_age (30) is above max_age (20)" in text
    assert "colour is not a field of a counting rule" in text
    assert "paid_by must be a day of the year as MM-DD" in text


@pytest.mark.parametrize("text, expected", [
    ("not = [toml", "is not valid TOML"),
    ('[[counting_rule]]\nfunder = "IMDi"\ntitle = "x"\n', "id is required"),
    ('[other]\n', "other: is not a section of a membership rule file"),
    ('[[counting_rule]]\nid = "x"\nfunder = "F"\ntitle = "T"\nyear_offset = 1\n', "year_offset must be a whole number from -10 to 0"),
    ('[fees]\ndefault_nok = 200\n[[fees.band]]\nmax_age = 25\n', "fees.band[0]: fee_nok is required"),
])
def test_more_problems(tmp_path, text, expected):
    path = tmp_path / "r.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(counting.RulesError) as err:
        counting.load(path)
    assert expected in str(err.value) and str(path) in str(err.value)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(counting.RulesError, match="nothere.toml: cannot be read"):
        counting.load(tmp_path / "nothere.toml")


def test_an_empty_file_means_no_rules(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text("", encoding="utf-8")
    rules = counting.load(path)
    assert rules.rules == () and rules.fees is None
