"""Disclosure control for the figures a node lets out. Plain Python (and SciPy's solver), no I/O.

The analyst at the hub may ask as often as they like, for any of the periods on the grid
(model.grid_shape: a calendar month, quarter or year), and subtract, add and compare the answers. With k
the node's minimum cell size (BROBYGGER_DISCLOSURE_MIN_CELL, 5 unless configured), every answer follows
three rules:

1. Small counts are hidden (Statistics Norway's "prikking"). A count from 1 to k-1 is not published; its
   cell says SUPPRESSION_PRIMARY. Zero is published as 0, and a hidden count is never shown as 0.

2. Every other count is rounded to a multiple of k, up or down (OpenSAFELY's rounding, made random and
   unbiased as in the cell-key method of the Australian Bureau of Statistics' TableBuilder): a count
   v = q*k + r is published as (q+1)*k with probability r/k, else q*k. The "coin" is the cell key of the
   records counted (cellkey.py), so the same records always give the same published figure: asking again
   averages nothing away, and a figure whose records did not change does not move. A published figure p
   means a true count from p-k+1 to p+k-1 (and at least k); never below k, so never 0.

   Because every published figure is a multiple of k, every sum or difference of published figures is a
   multiple of k as well: subtracting periods, groups or totals cannot give a count from 1 to k-1.

3. No hidden count is pinned. Figures that add up (the cells of a table and its total; paying and
   non-paying members, which add up to members) or bound one another (unique participants at most their
   visits; activities at most sessions) are checked together before they leave the node: for every hidden
   count, and for every count that is not published but follows from published ones (non-paying
   members), an integer linear program finds the smallest and largest true value that agrees with
   everything published. If both are equal, that count could be derived exactly, so another figure of the
   same table is hidden too (SUPPRESSION_SECONDARY: the smallest one related to it), until none is pinned.

Why rounding and not bounded noise alone: bounded, consistent noise (TableBuilder's cell-key
perturbation) has been broken by averaging the answers of many differently shaped queries that share the
same person (Asghar and Kaafar). Here the shapes are fixed (the analyst chooses only a period from the
grid: seventeen a year), so a person's records fall in few distinct record sets; and whatever an analyst
adds or subtracts is a multiple of k, so no combination of answers equals a small count. Averaging can
still give an estimate, with an error of about k/2 per figure involved, never a derivation.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from services.common.vocabulary import WireEnum
from services.reporting.domain.cellkey import MODULUS, Count

DEFAULT_MIN_CELL = 5
UNBOUNDED = 10 ** 9


class Suppression(WireEnum):
    """Why a figure is hidden, as Cell.suppressed says it on the wire."""

    PRIMARY = 1
    SECONDARY = 2


@dataclass(frozen=True)
class Figure:
    """A published figure: a value, or a marker that it was suppressed."""

    value: int | None
    suppression: Suppression | None = None  # None: shown

    @property
    def suppressed(self) -> bool:
        return self.suppression is not None

    @classmethod
    def hidden(cls, why: Suppression) -> "Figure":
        return cls(None, why)


def _check_k(k: int) -> None:
    if k < 2:
        raise ValueError(f"the minimum cell size must be at least 2, got {k}")


def rounded(count: Count, base: int) -> int:
    """count.value rounded up or down to a multiple of base, unbiased, by the count's cell key."""
    low, rest = divmod(count.value, base)
    if rest == 0:
        return count.value
    return (low + 1) * base if count.uniform < rest / base else low * base


def primary(count: Count, k: int) -> Figure:
    """One count under rules 1 and 2."""
    _check_k(k)
    if count.value < 0:
        raise ValueError(f"counts are never negative, got {count.value}")
    if count.value == 0:
        return Figure(0)
    if count.value < k:
        return Figure.hidden(Suppression.PRIMARY)
    return Figure(rounded(count, k))


# ---------------------------------------------------------------------------- rule 3: the interval audit


@dataclass
class Table:
    """Figures that leave together, with the relations an analyst knows hold between their true values."""

    k: int
    counts: dict[str, Count] = field(default_factory=dict)      # published figures, by name
    derived: dict[str, Count] = field(default_factory=dict)     # not published, but follow from them
    sums: list[tuple[str, list[str]]] = field(default_factory=list)  # total = sum of cells
    at_most: list[tuple[str, str]] = field(default_factory=list)     # a <= b
    at_most_sum: list[tuple[str, list[str]]] = field(default_factory=list)  # a <= sum of cells
    # A magnitude (hours) and the count of who contributes to it (volunteers): the minimum frequency rule
    # hides the magnitude whenever that count is hidden as small, whatever the magnitude's own size.
    frequency: dict[str, str] = field(default_factory=dict)
    figures: dict[str, Figure] = field(default_factory=dict)

    def add(self, name: str, count: Count) -> str:
        self.counts[name] = count
        return name

    def publish(self) -> dict[str, Figure]:
        self.figures = {name: primary(c, self.k) for name, c in self.counts.items()}
        # A magnitude hidden by its contributors says nothing of its own size: 0 (minutes rounded away) or more.
        self.unbounded: set[str] = set()
        for magnitude, contributors in self.frequency.items():
            if 0 < self.counts[contributors].value < self.k:
                self.figures[magnitude] = Figure.hidden(Suppression.PRIMARY)
                self.unbounded.add(magnitude)
        # A small total hides its whole table, zeros included: otherwise "hidden" would mean "at least 1"
        # and a hidden total of 2 over two hidden cells would say that each cell is exactly 1.
        self.maybe_zero: set[str] = set()
        for total, cells in self.sums:
            if self.figures[total].suppression is Suppression.PRIMARY:
                for cell in cells:
                    if cell in self.figures:
                        self.figures[cell] = Figure.hidden(Suppression.PRIMARY)
                        self.maybe_zero.add(cell)
                        if cell in self.frequency:  # a magnitude hidden with its total: of any size
                            self.unbounded.add(cell)
        for _ in range(len(self.counts) + 1):
            pinned = self.pinned()
            if not pinned:
                return self.figures
            for name in pinned:
                self._hide_beside(name)
        raise AssertionError("the audit did not converge")  # every step hides one more figure

    # -- what the analyst knows ------------------------------------------------------------------------------

    def _box(self, name: str) -> tuple[int, int]:
        if name in self.derived:
            return 0, UNBOUNDED
        f = self.figures[name]
        if f.suppression is Suppression.PRIMARY and name in self.unbounded:
            return 0, UNBOUNDED
        if f.suppression is Suppression.PRIMARY:
            return (0 if name in self.maybe_zero else 1), self.k - 1
        if f.suppression is Suppression.SECONDARY:
            return self.k, UNBOUNDED
        if f.value == 0:
            return 0, 0
        return max(self.k, f.value - self.k + 1), f.value + self.k - 1

    def _protected(self) -> list[str]:
        """Hidden counts, and derived ones that are small: none may be pinned."""
        hidden = [n for n, f in self.figures.items()
                  if f.suppression is Suppression.PRIMARY and self.counts[n].value > 0]
        small = [n for n, c in self.derived.items() if 0 < c.value < self.k]
        return hidden + small

    def pinned(self) -> list[str]:
        """The protected counts whose true value follows exactly from what is published."""
        protected = self._protected()
        if not protected:
            return []
        names = list(self.counts) + list(self.derived)
        at = {n: i for i, n in enumerate(names)}
        boxes = [self._box(n) for n in names]
        rows, low, high = [], [], []
        for total, cells in self.sums:
            row = np.zeros(len(names))
            row[at[total]] = 1
            for c in cells:
                row[at[c]] -= 1
            rows.append(row), low.append(0), high.append(0)
        for a, b in self.at_most:
            row = np.zeros(len(names))
            row[at[a]], row[at[b]] = 1, -1
            rows.append(row), low.append(-np.inf), high.append(0)
        for a, cells in self.at_most_sum:
            row = np.zeros(len(names))
            row[at[a]] = 1
            for c in cells:
                row[at[c]] -= 1
            rows.append(row), low.append(-np.inf), high.append(0)
        constraints = [LinearConstraint(np.array(rows), low, high)] if rows else []
        bounds = Bounds([b[0] for b in boxes], [b[1] for b in boxes])
        integrality = np.ones(len(names))
        found = []
        for name in protected:
            objective = np.zeros(len(names))
            objective[at[name]] = 1
            lowest = milp(objective, integrality=integrality, bounds=bounds, constraints=constraints)
            highest = milp(-objective, integrality=integrality, bounds=bounds, constraints=constraints)
            if not (lowest.success and highest.success):
                raise AssertionError("the published figures admit no true values, which cannot be")
            low_value, high_value = round(lowest.fun), round(-highest.fun)
            # A magnitude hidden with its few contributors must stay vague, not merely not exact: what
            # follows for it must span at least 2k (else one volunteer's hours would be known within k).
            width = 2 * self.k if name in self.unbounded else 1
            if high_value - low_value < width:
                found.append(name)
        return found

    # -- secondary suppression -------------------------------------------------------------------------------

    def _related(self, name: str) -> Iterable[str]:
        for total, cells in self.sums:
            members = [total, *cells]
            if name in members:
                yield from members
        for a, b in self.at_most:
            if name in (a, b):
                yield a
                yield b
        for a, cells in self.at_most_sum:
            if name == a or name in cells:
                yield from [a, *cells]
        for magnitude, contributors in self.frequency.items():
            if name in (magnitude, contributors):
                yield magnitude
                yield contributors

    def _hide_beside(self, name: str) -> None:
        shown = [n for n in dict.fromkeys(self._related(name))
                 if n in self.figures and not self.figures[n].suppressed and self.figures[n].value]
        if shown:
            pick = min(shown, key=lambda n: (self.figures[n].value, list(self.figures).index(n)))
            self.figures[pick] = Figure.hidden(Suppression.SECONDARY)


# ---------------------------------------------------------------------------- a node's statistics


@dataclass(frozen=True)
class PublishedParticipant:
    gender: int
    age_band: int
    unique: Figure
    visits: Figure


@dataclass(frozen=True)
class PublishedStatistics:
    """What a node lets out: every figure under the three rules."""

    min_cell_size: int
    members: Figure
    paying_members: Figure
    activities: Figure
    sessions: Figure
    participants: tuple[PublishedParticipant, ...]
    participants_unique_total: Figure
    visits_total: Figure
    referrals: tuple[tuple[str, Figure], ...]
    sessions_by_subgoal: tuple[tuple[int, Figure], ...]
    # None and () when the figures carry noise (privacy.py does not cover volunteer hours).
    volunteers: Figure | None = None
    volunteer_hours: Figure | None = None
    volunteers_by_subgoal: tuple[tuple[int, Figure, Figure], ...] = ()
    # Counted members per funder: (rule, basis year, figure), one per rule of the node.
    counted_members: tuple[tuple[object, int, Figure], ...] = ()
    # People who held each role in the period, by Role number.
    role_holders: tuple[tuple[int, Figure], ...] = ()


def publish(raw, k: int) -> PublishedStatistics:
    """The three rules applied to a node's figures (a model.RawStatistics) as one table."""
    _check_k(k)
    t = Table(k)
    members, paying = t.add("members", raw.members), t.add("paying", raw.paying_members)
    t.derived["non_paying"] = raw.non_paying_members
    t.sums.append((members, [paying, "non_paying"]))
    activities, sessions = t.add("activities", raw.activities), t.add("sessions", raw.sessions)
    t.at_most.append((activities, sessions))
    goals = [t.add(f"sessions/{g}", n) for g, n in raw.sessions_by_subgoal]
    t.sums.append((sessions, goals))
    unique_total = t.add("unique", raw.participants_unique_total)
    visits_total = t.add("visits", raw.visits_total)
    t.at_most.append((unique_total, visits_total))
    unique = [t.add(f"unique/{p.gender}/{p.age_band}", p.unique) for p in raw.participants]
    visits = [t.add(f"visits/{p.gender}/{p.age_band}", p.visits) for p in raw.participants]
    t.sums += [(unique_total, unique), (visits_total, visits)]
    t.at_most += list(zip(unique, visits))
    referrals = [t.add(f"referrals/{s}", n) for s, n in raw.referrals]
    # Volunteers and their hours: hours add up to their total; a sub-goal's volunteers are at most all
    # volunteers, who are at most the sub-goals' volunteers added up (one may help in several); hours are
    # hidden with their volunteers (the minimum frequency rule), so nobody's own hours can be read.
    volunteers, hours = t.add("volunteers", raw.volunteers), t.add("hours", raw.volunteer_hours)
    goal_volunteers = [t.add(f"volunteers/{g}", v) for g, v, _ in raw.volunteers_by_subgoal]
    goal_hours = [t.add(f"hours/{g}", h) for g, _, h in raw.volunteers_by_subgoal]
    t.sums.append((hours, goal_hours))
    t.at_most += [(v, volunteers) for v in goal_volunteers]
    t.at_most_sum.append((volunteers, goal_volunteers))
    t.frequency.update({hours: volunteers, **dict(zip(goal_hours, goal_volunteers))})
    # Counted members: a rule whose basis year is one of the period's counts some of its members, and those it
    # does not count follow by subtraction (protected like non-paying members).
    counted = []
    for rule, _basis, count, within in raw.counted_members:
        name = t.add(f"counted/{rule.id}", count)
        counted.append(name)
        if within:
            rest = Count(raw.members.value - count.value, (raw.members.key - count.key) % MODULUS)
            t.derived[f"not_counted/{rule.id}"] = rest
            t.sums.append((members, [name, f"not_counted/{rule.id}"]))
    # Each role's holders is a figure of its own (a person may hold several roles, so they add up to nothing).
    roles = [t.add(f"roles/{r}", n) for r, n in raw.role_holders]
    f = t.publish()
    return PublishedStatistics(
        min_cell_size=k,
        members=f[members],
        paying_members=f[paying],
        activities=f[activities],
        sessions=f[sessions],
        participants=tuple(PublishedParticipant(p.gender, p.age_band, f[u], f[v])
                           for p, u, v in zip(raw.participants, unique, visits)),
        participants_unique_total=f[unique_total],
        visits_total=f[visits_total],
        referrals=tuple((s, f[name]) for (s, _), name in zip(raw.referrals, referrals)),
        sessions_by_subgoal=tuple((g, f[name]) for (g, _), name in zip(raw.sessions_by_subgoal, goals)),
        volunteers=f[volunteers],
        volunteer_hours=f[hours],
        volunteers_by_subgoal=tuple((g, f[v], f[h]) for (g, _, _), v, h in
                                    zip(raw.volunteers_by_subgoal, goal_volunteers, goal_hours)),
        counted_members=tuple((rule, basis, f[name])
                              for (rule, basis, _, _), name in zip(raw.counted_members, counted)),
        role_holders=tuple((r, f[name]) for (r, _), name in zip(raw.role_holders, roles)),
    )
