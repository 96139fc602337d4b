"""A node's Statistics as the statistics pages show them: sections of figures, each a row of a table, each
cell a count, a suppressed figure, or a figure the node did not report; what the labels say; and the bars
of a chart. The node's page, the hub's dashboard and the hub's CSV file all read these, so the three show
the same figures in the same order with the same words.

A suppressed figure is never 0: :class:`Shown` keeps "suppressed" apart from any count, and every place
that shows one says so in words ("hidden"), with the kind of suppression for the legend.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from brobygger.membership.v1 import membership_pb2
from brobygger.referral.v1 import referral_pb2
from brobygger.reporting.v1 import reporting_pb2
from brobygger.type.v1 import types_pb2
from gateway.web.charts import Bar
from gateway.web import labels

PRIMARY, SECONDARY = "primary", "secondary"
SUPPRESSION_NAMES = {reporting_pb2.SUPPRESSION_PRIMARY: PRIMARY, reporting_pb2.SUPPRESSION_SECONDARY: SECONDARY}


@dataclass(frozen=True)
class Shown:
    """One figure as published: value (a count, 0 included), or suppressed ('primary'/'secondary'), or
    neither (the node did not report it)."""

    value: int | None = None
    suppressed: str = ""

    @property
    def kind(self) -> str:
        if self.suppressed:
            return "suppressed"
        return "value" if self.value is not None else "absent"

    def text(self) -> str:
        """In words for a chart or a file: the count, 'hidden', or 'not reported'."""
        if self.suppressed:
            return _("hidden")
        return format_decimal(self.value) if self.value is not None else _("not reported")


NOT_REPORTED = Shown()


def shown(cell: reporting_pb2.Cell) -> Shown:
    which = cell.WhichOneof("kind")
    if which == "value":
        return Shown(value=cell.value)
    if which == "suppressed":
        # An unknown or unspecified kind of suppression is still suppressed (primary: the safe reading).
        return Shown(suppressed=SUPPRESSION_NAMES.get(cell.suppressed, PRIMARY))
    return NOT_REPORTED


# ---------------------------------------------------------------------------- labels

HEADLINE = (
    ("members", _l("Members")),
    ("paying_members", _l("Paying members")),
    ("activities", _l("Activities")),
    ("sessions", _l("Sessions")),
    ("participants_unique_total", _l("Participants (unique)")),
    ("visits_total", _l("Visits")),
)
HEADLINE_ABOUT = {
    "members": _l("People with a membership in the period's year."),
    "paying_members": _l("Members who paid the membership fee (or were let off it)."),
    "activities": _l("Activities with at least one session in the period."),
    "sessions": _l("Sessions held in the period."),
    "participants_unique_total": _l("Distinct named people who attended at least once."),
    "visits_total": _l("Attendances of named people plus anonymous head counts."),
}
GENDERS = {
    types_pb2.GENDER_FEMALE: _l("Women"),
    types_pb2.GENDER_MALE: _l("Men"),
    types_pb2.GENDER_OTHER: _l("Another gender"),
    types_pb2.GENDER_UNDISCLOSED: _l("Gender not stated"),
    types_pb2.GENDER_UNSPECIFIED: _l("Gender not registered"),
}
AGE_BANDS = {**{types_pb2.AgeBand.Value(name): text for name, text in labels.AGE_BAND.items()},
             types_pb2.AGE_BAND_UNSPECIFIED: _l("age not registered")}
SUBGOALS = {**{types_pb2.ImdiSubgoal.Value(name): text for name, text in labels.SUBGOAL.items()},
            types_pb2.IMDI_SUBGOAL_UNSPECIFIED: _l("No sub-goal")}
REFERRAL_STATES = {**labels.REFERRAL_STATE, "REFERRAL_STATE_UNSPECIFIED": _l("State not registered")}
ROLES = {"ROLE_BOARD_MEMBER": _l("Board members"), "ROLE_COORDINATOR": _l("Coordinators"),
         "ROLE_VOLUNTEER": _l("Volunteers"), "ROLE_GUIDE": _l("Guides"), "ROLE_PAID_ASSISTANT": _l("Paid assistants")}


def enum_order(names: Iterable[str], enum: Any) -> list[str]:
    """Names in the order of their enum (REFERRAL_STATE_REQUESTED before ..._COMPLETED); others last."""
    known = {n: i for i, n in enumerate(enum.keys())}
    return sorted(set(names), key=lambda n: (known.get(n, len(known)), n))


def label_of(table: dict, key: Any) -> str:
    return str(table[key]) if key in table else str(key)


# ---------------------------------------------------------------------------- sections

@dataclass(frozen=True)
class Line:
    """A row of a section: the figure it counts and, for a table by groups, its group."""

    key: tuple            # stable: (section, group...) e.g. ("unique", 1, 4)
    figure: str           # what is counted, in words
    group: str = ""       # of whom, in words; '' for a headline figure
    about: str = ""


@dataclass
class Section:
    """One table: its lines, and per line the figures of each column (one column a node, or one an
    organisation at the hub)."""

    id: str
    title: str
    about: str
    lines: list[Line] = field(default_factory=list)


def headline_cells(s: reporting_pb2.Statistics) -> dict[tuple, Shown]:
    return {("headline", key): shown(getattr(s, key)) for key, _label in HEADLINE}


def participant_cells(s: reporting_pb2.Statistics, which: str) -> dict[tuple, Shown]:
    return {(which, p.gender, p.age_band): shown(getattr(p, which)) for p in s.participants}


def subgoal_cells(s: reporting_pb2.Statistics) -> dict[tuple, Shown]:
    return {("subgoal", g.subgoal): shown(g.sessions) for g in s.sessions_by_subgoal}


def referral_cells(s: reporting_pb2.Statistics) -> dict[tuple, Shown]:
    return {("referral", r.state): shown(r.count) for r in s.referrals}


def volunteer_cells(s: reporting_pb2.Statistics) -> dict[tuple, Shown]:
    """Volunteers and their hours, in all and per sub-goal; not reported when the node left them out (a noisy
    answer has none)."""
    cells = {}
    if s.HasField("volunteers") or s.HasField("volunteer_hours"):
        cells = {("volunteers", "all"): shown(s.volunteers), ("hours", "all"): shown(s.volunteer_hours)}
    for c in s.volunteers_by_subgoal:
        cells[("volunteers", c.subgoal)] = shown(c.volunteers)
        cells[("hours", c.subgoal)] = shown(c.hours)
    return cells


def counted_cells(s: reporting_pb2.Statistics) -> dict[tuple, Shown]:
    return {("counted", c.funder, c.title, c.basis_year, c.threshold): shown(c.count) for c in s.counted_members}


def role_cells(s: reporting_pb2.Statistics) -> dict[tuple, Shown]:
    return {("role", r.role): shown(r.holders) for r in s.role_holders}


def cells_of(s: reporting_pb2.Statistics) -> dict[tuple, Shown]:
    """Every figure of a node's Statistics by its line key."""
    return {**headline_cells(s), **participant_cells(s, "unique"), **participant_cells(s, "visits"),
            **subgoal_cells(s), **referral_cells(s), **volunteer_cells(s), **counted_cells(s), **role_cells(s)}


def sections(every: Sequence[reporting_pb2.Statistics]) -> list[Section]:
    """The tables for one node's Statistics or several side by side: every line any of them has, in the
    order of the enums (so columns line up, and a line one node lacks shows as not reported there)."""
    headline = Section("overview", _("Members and activities"), _("The period's main figures."),
                       [Line(("headline", key), str(label), "", str(HEADLINE_ABOUT[key])) for key, label in HEADLINE])
    groups = sorted({(p.gender, p.age_band) for s in every for p in s.participants},
                    key=lambda g: (g[0] == types_pb2.GENDER_UNSPECIFIED, g[0], g[1] == types_pb2.AGE_BAND_UNSPECIFIED,
                                   g[1]))
    unique = Section("unique", _("Participants (unique) by gender and age"),
                     _("Distinct named people who attended at least once."),
                     [Line(("unique", g, a), _("Participants (unique)"), group_label(g, a)) for g, a in groups])
    visits = Section("visits", _("Visits by gender and age"),
                     _("Attendances of named people plus anonymous head counts."),
                     [Line(("visits", g, a), _("Visits"), group_label(g, a)) for g, a in groups])
    goals = sorted({g.subgoal for s in every for g in s.sessions_by_subgoal},
                   key=lambda g: (g == types_pb2.IMDI_SUBGOAL_UNSPECIFIED, g))
    subgoal = Section("subgoal", _("Sessions by IMDi sub-goal"),
                      _("A session counts under its own sub-goal, or its activity's when it names none."),
                      [Line(("subgoal", g), _("Sessions"), label_of(SUBGOALS, g)) for g in goals])
    states = enum_order((r.state for s in every for r in s.referrals), referral_pb2.ReferralState)
    referral = Section("referrals", _("Referrals by outcome"), _("Referrals made in the period, by where they stand now."),
                       [Line(("referral", st), _("Referrals"), label_of(REFERRAL_STATES, st)) for st in states])
    hour_goals = sorted({c.subgoal for s in every for c in s.volunteers_by_subgoal},
                        key=lambda g: (g == types_pb2.IMDI_SUBGOAL_UNSPECIFIED, g))
    volunteers = Section(
        "volunteers", _("Volunteers and their hours"),
        _("Distinct volunteers with hours logged in the period, and their hours, by the IMDi sub-goal of the "
          "activity. Hours are hidden whenever the volunteers behind them are too few to show."),
        [Line(("volunteers", "all"), _("Volunteers")), Line(("hours", "all"), _("Volunteer hours"))]
        + [line for g in hour_goals for line in (
            Line(("volunteers", g), _("Volunteers"), label_of(SUBGOALS, g)),
            Line(("hours", g), _("Volunteer hours"), label_of(SUBGOALS, g)))])
    reported = any(s.HasField("volunteers") or s.volunteers_by_subgoal for s in every)
    held = enum_order((r.role for s in every for r in s.role_holders), membership_pb2.Role)
    roles = Section("roles", _("Active people by role"),
                    _("People who held the role on at least one day of the period, each once."),
                    [Line(("role", r), _("People"), label_of(ROLES, r)) for r in held])
    # Older nodes, and noisy answers, carry no volunteer figures: the table is left out when none does; nodes
    # that count no roles yet answer without them: no empty table then.
    out = [headline, unique, visits, subgoal, referral] + ([volunteers] if reported else []) + ([roles] if held else [])
    # Counted members per funder, by each node's own rules (a rule is the funder's, its title and basis year).
    rules = sorted({(c.funder, c.title, c.basis_year, c.threshold) for s in every for c in s.counted_members})
    if rules:
        out.append(Section("counted", _("Counted members per funder"),
                           _("Members who count under each funder's rule, as the organisation's rule file sets it."),
                           [Line(("counted", f, t, y, n), _("Counted members"), counted_label(f, t, y, n))
                            for f, t, y, n in rules]))
    return out


def counted_label(funder: str, title: str, year: int, threshold: int) -> str:
    if threshold:
        return _("%(funder)s: %(title)s (members of %(year)s; at least %(n)s needed)", funder=funder, title=title,
                 year=year, n=threshold)
    return _("%(funder)s: %(title)s (members of %(year)s)", funder=funder, title=title, year=year)


def group_label(gender: int, age_band: int) -> str:
    return _("%(gender)s, %(age)s", gender=label_of(GENDERS, gender), age=label_of(AGE_BANDS, age_band))


def line_label(line: Line) -> str:
    return line.group or line.figure


def bars(lines: Iterable[Line], cell: Callable[[Line], Shown], label: Callable[[Line], str] = line_label
         ) -> list[Bar]:
    """The bars of a chart of these lines: hidden figures hatched, not-reported ones without a bar."""
    out = []
    for line in lines:
        c = cell(line)
        out.append(Bar(label(line), c.value if c.kind == "value" else None, c.text(), hidden=c.kind == "suppressed"))
    return out


def rounding_note(k: int) -> str:
    """The one line that says what a rounded figure means, for a node's minimum cell size k."""
    if k <= 1:
        return _("Figures are exact: nothing is rounded or hidden.")
    return _("Every figure but 0 is rounded to a multiple of %(k)s: %(example)s means between %(low)s and "
             "%(high)s. Counts from 1 to %(small)s are hidden.", k=k, example=3 * k, low=2 * k + 1,
             high=4 * k - 1, small=k - 1)
