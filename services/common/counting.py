"""Counted members per funder, and the fee schedule a renewal invoices: a node's membership rules, read from
its rule file (TOML), and evaluated the same way by membership (which knows the persons and explains, for the
coordinator, who counts and why not) and by reporting (which counts pseudonymous facts for the statistics).

Plain Python, no I/O but reading the rule file in ``load``. A rule is data, not code per funder::

    [[counting_rule]]
    id = "frifond"                     # short lower-case id, unique in the file
    funder = "Frifond"
    title = "Members under 26 who paid at least 50 NOK"
    year_offset = -2                   # the basis year: the reporting year plus this (0 = the same year)
    payment_states = ["paid"]          # which payment states count: paid, waived, unpaid
    min_fee_nok = 50                   # the fee recorded must be at least this
    max_age = 25                       # age reached in the basis year, inclusive ("under 26")
    min_age = 0
    paid_by = "12-31"                  # paid on or before this day of the basis year (month-day)
    threshold = 0                      # the organisation must have at least this many (0: no threshold)

Age in the year is the age a person reaches during it: year - birth year (the register keeps birth years, not
dates). Whoever has no membership year in the basis year is not a member that year and not in the population.
A cancelled year is not a membership (vocabulary.PaymentState.CANCELLED) and is left out as well.
"""
from __future__ import annotations

import datetime as dt
import enum
import pathlib
import re
import tomllib
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

from services.common.vocabulary import PaymentState

RULE_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,40}$")
MONTH_DAY_RE = re.compile(r"^(\d{2})-(\d{2})$")
STATE_WORDS = {"paid": PaymentState.PAID, "waived": PaymentState.WAIVED, "unpaid": PaymentState.UNPAID}
MAX_RULES = 20
MAX_TEXT = 100
MAX_FEE_NOK = 100_000


class RulesError(ValueError):
    """A rule file that cannot be used: every problem names the file, the rule and the field."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class FeeBand:
    """Those whose age in the year is at most max_age pay fee_nok (the first band that fits)."""

    max_age: int
    fee_nok: int


@dataclass(frozen=True)
class FeeSchedule:
    """The yearly fee (kontingent) a renewal invoices: by age in the year, else default_nok."""

    default_nok: int
    bands: tuple[FeeBand, ...] = ()

    def fee(self, birth_year: int, year: int) -> int:
        if birth_year:
            for band in self.bands:
                if year - birth_year <= band.max_age:
                    return band.fee_nok
        return self.default_nok


@dataclass(frozen=True)
class CountingRule:
    id: str
    funder: str
    title: str
    year_offset: int = 0
    payment_states: frozenset[int] = frozenset({PaymentState.PAID, PaymentState.WAIVED})
    min_fee_nok: int = 0
    min_age: int | None = None
    max_age: int | None = None
    paid_by: tuple[int, int] | None = None  # (month, day)
    threshold: int = 0

    def basis_year(self, year: int) -> int:
        """The membership year counted when reporting for year."""
        return year + self.year_offset

    @property
    def needs_age(self) -> bool:
        return self.min_age is not None or self.max_age is not None


@dataclass(frozen=True)
class MembershipRules:
    """What a node's rule file says: its source (for messages), its fee schedule, its counting rules."""

    source: str = ""
    fees: FeeSchedule | None = None
    rules: tuple[CountingRule, ...] = ()

    def rule(self, rule_id: str) -> CountingRule | None:
        return next((r for r in self.rules if r.id == rule_id), None)


NO_RULES = MembershipRules()


# ---------------------------------------------------------------------------- reading the file


class _Problems:
    def __init__(self, source: str) -> None:
        self.source, self.items = source, []

    def add(self, where: str, text: str) -> None:
        self.items.append(f"{self.source}: {where}: {text}")


def _int(p: _Problems, table: Mapping, key: str, where: str, *, default: int | None, low: int, high: int,
         required: bool = False) -> int | None:
    if key not in table:
        if required:
            p.add(where, f"{key} is required: a whole number from {low} to {high}")
        return default
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        p.add(where, f"{key} must be a whole number from {low} to {high}, got {value!r}")
        return default
    return value


def _text(p: _Problems, table: Mapping, key: str, where: str, *, required: bool) -> str:
    value = table.get(key, "")
    if not isinstance(value, str) or len(value) > MAX_TEXT or any(ord(c) < 32 for c in value):
        p.add(where, f"{key} must be one line of text, at most {MAX_TEXT} characters")
        return ""
    if required and not value.strip():
        p.add(where, f"{key} is required, e.g. {'IMDi' if key == 'funder' else 'Paying members'}")
    return value.strip()


RULE_KEYS = {"id", "funder", "title", "year_offset", "payment_states", "min_fee_nok", "min_age", "max_age",
             "paid_by", "threshold"}


def _rule(p: _Problems, raw: object, index: int, seen: set[str]) -> CountingRule | None:
    where = f"counting_rule[{index}]"
    if not isinstance(raw, dict):
        p.add(where, "must be a table ([[counting_rule]])")
        return None
    rule_id = raw.get("id")
    if isinstance(rule_id, str) and RULE_ID_RE.match(rule_id):
        where = f"counting_rule[{index}] (id {rule_id!r})"
        if rule_id in seen:
            p.add(where, "id is used by another rule of the file; give each rule its own id")
        seen.add(rule_id)
    else:
        p.add(where, f"id is required: a short lower-case id like 'imdi' or 'frifond', got {rule_id!r}")
    for key in sorted(set(raw) - RULE_KEYS):
        p.add(where, f"{key} is not a field of a counting rule; use {', '.join(sorted(RULE_KEYS))}")
    before = len(p.items)
    funder = _text(p, raw, "funder", where, required=True)
    title = _text(p, raw, "title", where, required=True)
    offset = _int(p, raw, "year_offset", where, default=0, low=-10, high=0)
    states_raw = raw.get("payment_states", ["paid", "waived"])
    states: set[int] = set()
    if not isinstance(states_raw, list) or not states_raw:
        p.add(where, "payment_states must be a list of one or more of: " + ", ".join(STATE_WORDS))
    else:
        for i, word in enumerate(states_raw):
            if word not in STATE_WORDS:
                p.add(where, f"payment_states[{i}] is {word!r}; use one of: " + ", ".join(STATE_WORDS))
            else:
                states.add(STATE_WORDS[word])
    min_fee = _int(p, raw, "min_fee_nok", where, default=0, low=0, high=MAX_FEE_NOK)
    min_age = _int(p, raw, "min_age", where, default=None, low=0, high=120)
    max_age = _int(p, raw, "max_age", where, default=None, low=0, high=120)
    if min_age is not None and max_age is not None and min_age > max_age:
        p.add(where, f"min_age ({min_age}) is above max_age ({max_age}): nobody could count")
    paid_by = None
    if "paid_by" in raw:
        m = MONTH_DAY_RE.match(raw["paid_by"]) if isinstance(raw["paid_by"], str) else None
        try:
            if m is None:
                raise ValueError
            dt.date(2000, int(m[1]), int(m[2]))  # a leap year: 02-29 is a day
            paid_by = (int(m[1]), int(m[2]))
        except ValueError:
            p.add(where, f"paid_by must be a day of the year as MM-DD, e.g. '12-31', got {raw['paid_by']!r}")
    threshold = _int(p, raw, "threshold", where, default=0, low=0, high=1_000_000)
    if len(p.items) > before or not isinstance(rule_id, str) or not RULE_ID_RE.match(rule_id):
        return None
    return CountingRule(id=rule_id, funder=funder, title=title, year_offset=offset or 0,
                        payment_states=frozenset(states), min_fee_nok=min_fee or 0, min_age=min_age,
                        max_age=max_age, paid_by=paid_by, threshold=threshold or 0)


def _fees(p: _Problems, raw: object) -> FeeSchedule | None:
    where = "fees"
    if not isinstance(raw, dict):
        p.add(where, "must be a table ([fees])")
        return None
    for key in sorted(set(raw) - {"default_nok", "band"}):
        p.add(where, f"{key} is not a field of the fee schedule; use default_nok and [[fees.band]]")
    default = _int(p, raw, "default_nok", where, default=0, low=0, high=MAX_FEE_NOK, required=True)
    bands = []
    for i, band in enumerate(raw.get("band", [])):
        at = f"fees.band[{i}]"
        if not isinstance(band, dict):
            p.add(at, "must be a table ([[fees.band]])")
            continue
        for key in sorted(set(band) - {"max_age", "fee_nok"}):
            p.add(at, f"{key} is not a field of a fee band; use max_age and fee_nok")
        max_age = _int(p, band, "max_age", at, default=None, low=0, high=120, required=True)
        fee = _int(p, band, "fee_nok", at, default=None, low=0, high=MAX_FEE_NOK, required=True)
        if max_age is not None and fee is not None:
            bands.append(FeeBand(max_age, fee))
    if [b.max_age for b in bands] != sorted(b.max_age for b in bands):
        p.add(where, "the bands must be listed youngest first (max_age rising)")
    return FeeSchedule(default or 0, tuple(bands))


def parse(data: Mapping, source: str) -> MembershipRules:
    """The rules of a parsed TOML document; RulesError naming the file, the rule and the field of every
    problem at once."""
    p = _Problems(source)
    for key in sorted(set(data) - {"fees", "counting_rule"}):
        p.add(key, "is not a section of a membership rule file; use [fees] and [[counting_rule]]")
    fees = _fees(p, data["fees"]) if "fees" in data else None
    raw_rules = data.get("counting_rule", [])
    rules: list[CountingRule] = []
    if not isinstance(raw_rules, list):
        p.add("counting_rule", "must be a list of tables ([[counting_rule]])")
    else:
        if len(raw_rules) > MAX_RULES:
            p.add("counting_rule", f"at most {MAX_RULES} rules")
        seen: set[str] = set()
        for i, raw in enumerate(raw_rules):
            rule = _rule(p, raw, i, seen)
            if rule is not None:
                rules.append(rule)
    if p.items:
        raise RulesError(p.items)
    return MembershipRules(source=source, fees=fees, rules=tuple(rules))


def load(path: str | pathlib.Path) -> MembershipRules:
    """The rules in the TOML file at path; RulesError naming the file and what is wrong."""
    path = pathlib.Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RulesError([f"{path}: cannot be read ({exc.strerror or type(exc).__name__})"]) from None
    except UnicodeDecodeError:
        raise RulesError([f"{path}: is not UTF-8 text"]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError([f"{path}: is not valid TOML: {exc}"]) from None
    return parse(data, str(path))


# ---------------------------------------------------------------------------- evaluating


class Reason(enum.Enum):
    """Why a member of the basis year does not count under a rule (wire names in membership.proto)."""

    UNPAID = 1                 # the fee is not paid (and unpaid does not count under the rule)
    WAIVED = 2                 # the fee was waived (and waived does not count under the rule)
    PAID = 3                   # paid, but the rule counts only unpaid or waived (unusual)
    FEE_BELOW_MINIMUM = 4      # the fee recorded is below the rule's minimum
    PAID_TOO_LATE = 5          # paid after the rule's last day
    PAID_DATE_UNKNOWN = 6      # the rule has a last day, and no paid date is recorded
    TOO_OLD = 7
    TOO_YOUNG = 8
    BIRTH_YEAR_UNKNOWN = 9


_STATE_REASON = {PaymentState.UNPAID: Reason.UNPAID, PaymentState.WAIVED: Reason.WAIVED,
                 PaymentState.PAID: Reason.PAID}


@dataclass(frozen=True)
class YearFacts:
    """What a rule needs of one person's membership year: no name, nothing that reaches the person."""

    person_id: str
    year: int
    payment_state: int
    fee_nok: int
    paid_date: str  # ISO date, or ""
    birth_year: int  # 0 when not known


def age_in_year(birth_year: int, year: int) -> int | None:
    """The age reached during year, or None when the birth year is not known."""
    return year - birth_year if birth_year else None


def reasons(rule: CountingRule, y: YearFacts) -> list[Reason]:
    """Why y does not count under rule (every condition it fails, in a fixed order); empty when it counts."""
    out: list[Reason] = []
    if y.payment_state not in rule.payment_states:
        out.append(_STATE_REASON.get(PaymentState(y.payment_state) if PaymentState.is_set(y.payment_state)
                                     else PaymentState.UNPAID, Reason.UNPAID))
    if y.fee_nok < rule.min_fee_nok:
        out.append(Reason.FEE_BELOW_MINIMUM)
    if rule.paid_by is not None:
        last = dt.date(y.year, *rule.paid_by) if rule.paid_by != (2, 29) or _leap(y.year) else dt.date(y.year, 2, 28)
        paid = _date(y.paid_date)
        if paid is None:
            out.append(Reason.PAID_DATE_UNKNOWN)
        elif paid > last:
            out.append(Reason.PAID_TOO_LATE)
    if rule.needs_age:
        age = age_in_year(y.birth_year, y.year)
        if age is None:
            out.append(Reason.BIRTH_YEAR_UNKNOWN)
        elif rule.max_age is not None and age > rule.max_age:
            out.append(Reason.TOO_OLD)
        elif rule.min_age is not None and age < rule.min_age:
            out.append(Reason.TOO_YOUNG)
    return out


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if re.match(r"^\d{4}-\d{2}-\d{2}$", value or "") else None
    except ValueError:
        return None


def is_member(y: YearFacts) -> bool:
    """A cancelled year is not a membership."""
    return y.payment_state != PaymentState.CANCELLED


@dataclass(frozen=True)
class Verdict:
    facts: YearFacts
    reasons: tuple[Reason, ...]

    @property
    def counts(self) -> bool:
        return not self.reasons


@dataclass(frozen=True)
class Evaluation:
    """One rule for one reporting year: who of the basis year's members counts, who not and why."""

    rule: CountingRule
    year: int  # the reporting year asked for
    verdicts: tuple[Verdict, ...] = field(default=())

    @property
    def basis_year(self) -> int:
        return self.rule.basis_year(self.year)

    @property
    def counted(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.counts]

    @property
    def not_counted(self) -> list[Verdict]:
        return [v for v in self.verdicts if not v.counts]

    @property
    def meets_threshold(self) -> bool:
        return len(self.counted) >= self.rule.threshold

    def by_first_reason(self) -> list[tuple[Reason, int]]:
        """How many do not count, by the first reason each fails on, most common first."""
        tally: dict[Reason, int] = {}
        for v in self.not_counted:
            tally[v.reasons[0]] = tally.get(v.reasons[0], 0) + 1
        return sorted(tally.items(), key=lambda kv: (-kv[1], kv[0].value))


def evaluate(rule: CountingRule, year: int, years: Iterable[YearFacts]) -> Evaluation:
    """The rule applied to the membership years of its basis year for reporting year (others are ignored)."""
    basis = rule.basis_year(year)
    verdicts = tuple(Verdict(y, tuple(reasons(rule, y))) for y in years if y.year == basis and is_member(y))
    return Evaluation(rule, year, verdicts)


def basis_years(rules: Sequence[CountingRule], year: int) -> list[int]:
    """The membership years the rules need for reporting year, each once, newest first."""
    return sorted({r.basis_year(year) for r in rules}, reverse=True)
