"""Disclosure control for the figures a node publishes (Statistics Norway's "prikking").

Plain Python, no I/O. The rule, with k the node's minimum cell size
(BROBYGGER_DISCLOSURE_MIN_CELL, 5 unless configured):

Primary suppression
    A count from 1 to k-1 is not published; its cell says SUPPRESSION_PRIMARY
    instead. Zero is published as the value 0: knowing that nobody is in a cell
    tells nothing about a person, and the proto keeps "suppressed" distinct from
    zero. Counts of k or more are published unchanged. A total is a cell like
    any other: a total from 1 to k-1 is suppressed too (and then every non-zero
    cell of its group, being no larger, is suppressed as well).

Secondary suppression
    Some figures form a group whose cells add up to a total:

    - participants by gender and age band: the unique persons add up to
      participants_unique_total, the visits add up to visits_total (two groups);
    - sessions by IMDi sub-goal, adding up to sessions;
    - referrals by state. They have no total field today, but one is easily
      derived in a report or added later, so they are protected as if the total
      were published.

    If exactly one cell of a group is suppressed, anyone could recompute it as
    the total minus the visible cells. So the next-smallest non-zero cell of the
    group that is still visible is suppressed too, marked SUPPRESSION_SECONDARY
    (the smallest one costs the least information; ties go to the cell listed
    first, so the same figures always give the same table). If no such cell
    exists, the group's total is suppressed instead. With two or more cells
    hidden, subtraction gives only their sum.

What this does not do
    It is no full interval audit. The markers tell a reader that a primary cell
    lies in 1..k-1 and a secondary one is at least k, so in rare tables the
    bounds still pin a hidden cell down (two hidden cells that add up to k+1
    must be 1 and k; two primary cells that add up to 2 must both be 1). It adds
    no noise either. Both are candidates for a later revision.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from services.common.vocabulary import WireEnum

DEFAULT_MIN_CELL = 5


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


def primary(count: int, k: int) -> Figure:
    """One count under primary suppression alone."""
    _check_k(k)
    if count < 0:
        raise ValueError(f"counts are never negative, got {count}")
    if 0 < count < k:
        return Figure.hidden(Suppression.PRIMARY)
    return Figure(count)


def protect_group(cells: Sequence[int], k: int, total: int | None = None) -> tuple[list[Figure], Figure | None]:
    """Primary and secondary suppression of a group of cells that add up to total.

    Returns the cells in the order given and the total (None when no total was
    given). The group is protected whether or not a total is given.
    """
    masked = [primary(c, k) for c in cells]
    shown_total = primary(total, k) if total is not None else None
    hidden = [i for i, f in enumerate(masked) if f.suppressed]
    if len(hidden) == 1:
        candidates = [i for i, f in enumerate(masked) if not f.suppressed and cells[i] > 0]
        if candidates:
            pick = min(candidates, key=lambda i: (cells[i], i))
            masked[pick] = Figure.hidden(Suppression.SECONDARY)
        elif shown_total is not None and not shown_total.suppressed:
            shown_total = Figure.hidden(Suppression.SECONDARY)
    return masked, shown_total


@dataclass(frozen=True)
class PublishedParticipant:
    gender: int
    age_band: int
    unique: Figure
    visits: Figure


@dataclass(frozen=True)
class PublishedStatistics:
    """What a node lets out: every figure under primary and secondary suppression."""

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


def publish(raw, k: int) -> PublishedStatistics:
    """Apply the rule of this module to a node's figures (a model.RawStatistics)."""
    _check_k(k)
    people = list(raw.participants)
    unique, unique_total = protect_group([p.unique for p in people], k, raw.participants_unique_total)
    visits, visits_total = protect_group([p.visits for p in people], k, raw.visits_total)
    referrals, _ = protect_group([n for _, n in raw.referrals], k)
    subgoals, sessions = protect_group([n for _, n in raw.sessions_by_subgoal], k, raw.sessions)
    return PublishedStatistics(
        min_cell_size=k,
        members=primary(raw.members, k),
        paying_members=primary(raw.paying_members, k),
        activities=primary(raw.activities, k),
        sessions=sessions,
        participants=tuple(PublishedParticipant(p.gender, p.age_band, u, v)
                           for p, u, v in zip(people, unique, visits)),
        participants_unique_total=unique_total,
        visits_total=visits_total,
        referrals=tuple((state, f) for (state, _), f in zip(raw.referrals, referrals)),
        sessions_by_subgoal=tuple((goal, f) for (goal, _), f in zip(raw.sessions_by_subgoal, subgoals)),
    )
