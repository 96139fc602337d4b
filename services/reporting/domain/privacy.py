"""Differential privacy for what a node lets out to the federation, when its operator turns it on
(BROBYGGER_DP_ENABLED). Plain Python and OpenDP, no I/O.

With it on, what the federation hub asks on an analyst's behalf is answered with noisy figures instead of
rounded and suppressed ones (disclosure.py keeps serving the node's own coordinators, who may see the records
anyway). The noise is OpenDP's discrete Laplace mechanism on the whole table as one integer vector; its scale
is calibrated by OpenDP to the table's L1 sensitivity under the bounds below and the node's epsilon per query,
and OpenDP's privacy map of that mechanism is the epsilon the answer costs.

**The unit of privacy: one person's records in the period asked.** What one person can change, at most:

- as a member: members by 1, paying members by 1 (non-paying members follow from the two);
- as a named participant: one unique-participant cell and the unique total by 1 each (a person is placed in
  one cell), and the visit cells and the visits total by their visits of the period each, which are counted
  up to BROBYGGER_DP_VISITS_PER_PERSON = C (the earliest C attendances of the period; later ones are not
  counted: clipping, :func:`clip_visits`);
- as the subject of a referral: one referral-state cell by 1;
- as a holder of roles (board member, coordinator, volunteer, guide, paid assistant): each role's count of
  holders by 1, a person counted once per role however many assignments of it they had, and at most in all
  five;
- activities, sessions and sessions by sub-goal describe the organisation's programme, not a person: a person
  changes none of them (they get the same noise all the same).

So the table's L1 sensitivity is 1 + 1 + 1 + 1 + C + C + 1 + 5 = 10 + 2C (:func:`sensitivity`), and each answer is
epsilon-differentially private for one person's records under these bounds, epsilon = OpenDP's map at that
sensitivity (at most BROBYGGER_DP_EPSILON_PER_QUERY). Over several answers the epsilons add up (basic
composition): an analyst who has spent epsilon_spent of their budget at a node has learnt about any one
person what an epsilon_spent-DP mechanism reveals, and never more than BROBYGGER_DP_BUDGET_EPSILON.

**What does not hold, said plainly:**

- *Anonymous head counts* name nobody, so nobody's head counts can be clipped. Someone counted in h head counts
  of the period changes the visits by h in a cell and h in the total: 2h. Up to h = C + 5 that is within the
  sensitivity; beyond it, that person's loss is epsilon * 2h / (10 + 2C). A head count's size does not matter
  (each person in it is one of its count), so head counts are not clipped: that would bias the figures
  without bounding any person.
- *Referrals* carry no person id: a person referred r times in the period loses epsilon * r for the referral
  figures alone (one referral is covered).
- *Analysts pooling their answers.* The budget is per analyst. Answers are shared, though: whoever asks the
  same question of the same records gets the very same noisy answer, so analysts who compare notes learn no
  more from that question than one of them. Different questions of different analysts add up.
- *The figures are not the exact counts*, and sums of noisy cells do not equal the noisy totals.

**Post-processing.** A published figure is the noisy count clamped at 0: a function of the noisy answer only,
which keeps the guarantee. The rounding and suppression of disclosure.py are not applied on top: their cell
keys and their audit read the true records (which way to round, which hidden count is pinned), so they are not
post-processing and would leak beside the noise; a version that reads only noisy figures would add error and
no protection.

**Repetition averages nothing away.** A noisy answer is stored at the node under the period and a
:func:`fingerprint` of exactly the records counted (their cell keys, cellkey.py) and of the mechanism; asked
again while those records are unchanged, the stored answer is given again, free for an analyst who had it
before. Noise is drawn anew only when the records change.
"""
from __future__ import annotations

import functools
import hashlib
import json
import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from services.common.errors import FailedPrecondition
from services.common.vocabulary import AgeBand, Gender, ImdiSubgoal, ReferralState
from services.reporting.domain.cellkey import ZERO, Count
from services.reporting.domain.disclosure import Figure, PublishedParticipant, PublishedStatistics
from services.reporting.domain.model import ROLES, AttendanceRow, RawStatistics

# Epsilons are kept as whole millionths: spending 0.1 ten times is exactly 1.0.
MICRO = 1_000_000
CONFIDENCE = 0.95

PRIVACY_BUDGET_EXHAUSTED = "PRIVACY_BUDGET_EXHAUSTED"


def micro(epsilon: float) -> int:
    return round(epsilon * MICRO)


@dataclass(frozen=True)
class Policy:
    """The node operator's choice: epsilon per answer, budget per analyst, visits counted per person."""

    epsilon_per_query: float
    budget_epsilon: float
    visits_per_person: int

    def __post_init__(self) -> None:
        if not (self.epsilon_per_query > 0 and self.budget_epsilon > 0 and self.visits_per_person >= 1):
            raise ValueError("epsilons must be positive and at least one visit per person counted")

    @property
    def sensitivity(self) -> int:
        return sensitivity(self.visits_per_person)


def contributions(visits_per_person: int) -> dict[str, int]:
    """How much one person can change each group of figures, in all (L1), under the bounds."""
    return {
        "members": 1, "paying_members": 1,
        "participants.unique": 1, "participants_unique_total": 1,
        "participants.visits": visits_per_person, "visits_total": visits_per_person,
        "referrals": 1,
        "activities": 0, "sessions": 0, "sessions_by_subgoal": 0,
        # As a holder of roles: each role's holders by 1, and a person may hold every role in a period.
        "role_holders": len(ROLES),
    }


def sensitivity(visits_per_person: int) -> int:
    """The table's L1 sensitivity to one person: 5 + 2C, and 1 for each role a person may hold (5): 10 + 2C."""
    return sum(contributions(visits_per_person).values())


def clip_visits(attendances: Iterable[AttendanceRow], visits_per_person: int) -> list[AttendanceRow]:
    """Each named person's earliest visits_per_person attendances of the period (by date, then id); head counts
    as they are. Which ones are kept depends on that person's own records only."""
    named: dict[str, list[AttendanceRow]] = {}
    kept: list[AttendanceRow] = []
    for a in attendances:
        if a.person_id:
            named.setdefault(a.person_id, []).append(a)
        else:
            kept.append(a)
    for rows in named.values():
        kept += sorted(rows, key=lambda a: (a.date, a.attendance_id))[:visits_per_person]
    return kept


# ---------------------------------------------------------------------------- the mechanism (OpenDP)


@dataclass(frozen=True)
class Mechanism:
    """OpenDP's discrete Laplace mechanism on integer vectors, calibrated to a sensitivity and an epsilon."""

    sensitivity: int
    scale: float
    epsilon: float  # OpenDP's privacy map at the sensitivity: what one answer costs, at most the target
    measurement: Any = field(compare=False, repr=False)

    def __call__(self, values: Sequence[int]) -> tuple[int, ...]:
        return tuple(int(v) for v in self.measurement([int(v) for v in values]))

    @property
    def margin(self) -> int:
        return margin(self.scale)


@functools.lru_cache(maxsize=32)
def mechanism(sensitivity: int, epsilon: float) -> Mechanism:
    """The least noise whose privacy map at sensitivity is at most epsilon (OpenDP's binary search)."""
    import opendp.prelude as dp

    dp.enable_features("contrib")  # OpenDP's gate for mechanisms whose proofs are contributed, not yet vetted
    space = dp.vector_domain(dp.atom_domain(T="i64")), dp.l1_distance(T="i64")
    make = functools.partial(dp.m.make_laplace, *space)
    scale = dp.binary_search_param(lambda s: make(scale=s), d_in=sensitivity, d_out=epsilon)
    measurement = make(scale=scale)
    return Mechanism(sensitivity, scale, measurement.map(d_in=sensitivity), measurement)


def margin(scale: float, confidence: float = CONFIDENCE) -> int:
    """The least t with P(|noise| > t) <= 1 - confidence for discrete Laplace noise of this scale, where
    P(noise = x) is proportional to a**|x|, a = exp(-1/scale), so P(|noise| > t) = 2 a**(t+1) / (1 + a)."""
    a = math.exp(-1.0 / scale)
    t = math.ceil(math.log((1.0 - confidence) * (1.0 + a) / 2.0) / math.log(a)) - 1
    return max(0, t)


# ---------------------------------------------------------------------------- the table as a vector

# Fixed rows: which rows exist must not depend on the records (a referral state listed only when someone is
# in it would tell so without noise). Records in codes newer than these still count in the totals.
CELLS = tuple((int(g), int(b)) for g in Gender for b in AgeBand)
STATES = tuple(s.wire_name for s in ReferralState)
GOALS = tuple(int(g) for g in ImdiSubgoal)
NAMES = (
    "members", "paying_members", "activities", "sessions",
    *(f"{kind}/{g}/{b}" for g, b in CELLS for kind in ("unique", "visits")),
    "unique", "visits",
    *(f"referrals/{s}" for s in STATES),
    *(f"sessions/{g}" for g in GOALS),
    *(f"roles/{r}" for r in ROLES),
)


def layout(raw: RawStatistics) -> list[Count]:
    """The table's counts in the order of NAMES."""
    participants = {(p.gender, p.age_band): p for p in raw.participants}
    referrals, goals = dict(raw.referrals), dict(raw.sessions_by_subgoal)
    counts = [raw.members, raw.paying_members, raw.activities, raw.sessions]
    for cell in CELLS:
        p = participants.get(cell)
        counts += [p.unique, p.visits] if p is not None else [ZERO, ZERO]
    counts += [raw.participants_unique_total, raw.visits_total]
    counts += [referrals.get(s, ZERO) for s in STATES]
    counts += [goals.get(g, ZERO) for g in GOALS]
    held = dict(raw.role_holders)
    counts += [held.get(r, ZERO) for r in ROLES]
    return counts


def fingerprint(raw: RawStatistics, mech: Mechanism, visits_per_person: int) -> str:
    """Names exactly the records counted (each count's value and cell key, after clipping) and the mechanism:
    the same records under the same mechanism give the same fingerprint. No record id can be read from it."""
    data = {"names": NAMES, "counts": [(c.value, c.key) for c in layout(raw)],
            "scale": mech.scale, "sensitivity": mech.sensitivity, "visits_per_person": visits_per_person}
    return hashlib.sha256(json.dumps(data, separators=(",", ":")).encode()).hexdigest()


@dataclass(frozen=True)
class NoisyAnswer:
    """A table with noise, as drawn once and kept: the figures before clamping, in the order of NAMES."""

    values: tuple[int, ...]
    epsilon: float
    scale: float

    @classmethod
    def draw(cls, raw: RawStatistics, mech: Mechanism) -> "NoisyAnswer":
        return cls(mech([c.value for c in layout(raw)]), mech.epsilon, mech.scale)


def published(answer: NoisyAnswer) -> PublishedStatistics:
    """What leaves the node: every noisy figure clamped at 0 (post-processing), none rounded or hidden."""
    if len(answer.values) != len(NAMES):
        raise ValueError(f"a noisy answer has {len(NAMES)} figures, got {len(answer.values)}")
    f = {name: Figure(max(0, v)) for name, v in zip(NAMES, answer.values)}
    return PublishedStatistics(
        min_cell_size=0,
        members=f["members"], paying_members=f["paying_members"],
        activities=f["activities"], sessions=f["sessions"],
        participants=tuple(PublishedParticipant(g, b, f[f"unique/{g}/{b}"], f[f"visits/{g}/{b}"]) for g, b in CELLS),
        participants_unique_total=f["unique"], visits_total=f["visits"],
        referrals=tuple((s, f[f"referrals/{s}"]) for s in STATES),
        sessions_by_subgoal=tuple((g, f[f"sessions/{g}"]) for g in GOALS),
        role_holders=tuple((r, f[f"roles/{r}"]) for r in ROLES),
    )


# ---------------------------------------------------------------------------- the budget


@dataclass(frozen=True)
class Budget:
    """An analyst's privacy budget at this node, in whole millionths of epsilon."""

    analyst: str
    spent_micro: int
    limit_micro: int
    per_query_micro: int
    enabled: bool = True

    @property
    def spent(self) -> float:
        return self.spent_micro / MICRO

    @property
    def limit(self) -> float:
        return self.limit_micro / MICRO

    @property
    def remaining(self) -> float:
        return max(0, self.limit_micro - self.spent_micro) / MICRO

    @property
    def per_query(self) -> float:
        return self.per_query_micro / MICRO


def disabled(analyst: str) -> Budget:
    return Budget(analyst, 0, 0, 0, enabled=False)


def exhausted(budget: Budget) -> FailedPrecondition:
    return FailedPrecondition(
        f"The privacy budget of {budget.analyst} at this node is spent: {budget.spent:g} of {budget.limit:g} "
        f"epsilon used, and a new answer costs {budget.per_query:g}. Answers already given can be asked for "
        "again at no cost; for new ones, the node's operator can raise the limit (BROBYGGER_DP_BUDGET_EPSILON).",
        reason=PRIVACY_BUDGET_EXHAUSTED,
        metadata={"epsilon_spent": f"{budget.spent:g}", "epsilon_limit": f"{budget.limit:g}",
                  "epsilon_per_query": f"{budget.per_query:g}"},
    )


@dataclass(frozen=True)
class Privacy:
    """How a noisy answer was made, and the analyst's budget after it."""

    epsilon: float
    scale: float
    margin: int
    sensitivity: int
    visits_per_person: int
    repeated: bool
    budget: Budget
