"""Referral rules: the closed-loop state machine (after FHIR Task), what may
travel with a referral, and the calls a change owes another node. Plain Python, no I/O."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import ClassVar

from services.common.errors import FailedPrecondition, FieldViolation, InvalidArgument, Violations
from services.common.names import ORG_RE, PERSON, NamePattern
from services.common.text import check_text
from services.common.vocabulary import LANGUAGE_HINT, LANGUAGE_RE, ReferralState, WireEnum

REFERRAL = NamePattern("organizations/{org}/referrals/{referral}")


class Direction(WireEnum):
    OUTGOING = 1
    INCOMING = 2


class PartnerKind(WireEnum):
    SCHOOL = 1
    NAV = 2
    CHILD_WELFARE = 3
    POLICE = 4
    RED_CROSS = 5
    VOLUNTEER_CENTRE = 6
    PROBATION_SERVICE = 7
    LEGAL_AID = 8
    HEALTH = 9
    FEDERATION_NODE = 10
    FAITH_COMMUNITY = 11
    OTHER = 12


class ReasonCategory(WireEnum):
    SCHOOL_HOME = 1
    FAMILY_GUIDANCE = 2
    LEGAL_AID = 3
    WORK_AND_WELFARE = 4
    HEALTH = 5
    VIOLENCE_IN_CLOSE_RELATIONS = 6
    NEGATIVE_SOCIAL_CONTROL = 7
    MEDIATION = 8
    COMMUNITY_SENTENCE = 9
    OTHER = 10


# The short names the rules below (and their tests) speak of.
REQUESTED = ReferralState.REQUESTED
ACCEPTED = ReferralState.ACCEPTED
REJECTED = ReferralState.REJECTED
CANCELLED = ReferralState.CANCELLED
IN_PROGRESS = ReferralState.IN_PROGRESS
ON_HOLD = ReferralState.ON_HOLD
COMPLETED = ReferralState.COMPLETED
FAILED = ReferralState.FAILED
OUTGOING = Direction.OUTGOING
INCOMING = Direction.INCOMING
FEDERATION_NODE = PartnerKind.FEDERATION_NODE

TRANSITIONS: dict[int, frozenset[int]] = {
    REQUESTED: frozenset({ACCEPTED, REJECTED, CANCELLED}),
    ACCEPTED: frozenset({IN_PROGRESS, COMPLETED, FAILED, CANCELLED, ON_HOLD}),
    IN_PROGRESS: frozenset({COMPLETED, FAILED, ON_HOLD}),
    ON_HOLD: frozenset({IN_PROGRESS, CANCELLED}),
    REJECTED: frozenset(),
    CANCELLED: frozenset(),
    COMPLETED: frozenset(),
    FAILED: frozenset(),
}
TERMINAL = frozenset(s for s, allowed in TRANSITIONS.items() if not allowed)

DELIVERY_PENDING = "pending"
DELIVERY_DELIVERED = "delivered"
# Never handed over: the person's consent for referral sharing was not in force when it was to be.
DELIVERY_REFUSED = "refused"

DECLINED_BY = ("provider", "person")
OUTCOME_RE = re.compile(r"^[a-z0-9_-]{1,60}$")
# Norwegian numbers: eight digits, optionally after +47 or 0047; spaces allowed between digits.
PHONE_RE = re.compile(r"^(\+47|0047)?[2-9][0-9]{7}$")
MAX_PARTNER_NAME = 200
MAX_GIVEN_NAME = 100


def state_name(state: int) -> str:
    """ACCEPTED for REFERRAL_STATE_ACCEPTED; what error messages show."""
    return ReferralState(state).name if ReferralState.is_set(state) else str(state)


def _names(states) -> str:
    ordered = [state_name(s) for s in sorted(states)]
    return ordered[0] if len(ordered) == 1 else ", ".join(ordered[:-1]) + " or " + ordered[-1]


@dataclass(frozen=True)
class SharedContact:
    """What the person agreed may travel to another node with this referral. Nothing else does."""

    given_name: str = ""
    phone: str = ""
    preferred_language: str = ""

    def is_empty(self) -> bool:
        return not (self.given_name or self.phone or self.preferred_language)


# ---------------------------------------------------------------------------- calls owed to other nodes


@dataclass(frozen=True)
class Handover:
    """ReceiveReferral at the target node: the referral and only what the person agreed to share.
    A handover is made only for a referral the person consented to."""

    kind: ClassVar[str] = "referral"
    source_referral: str  # the referral's name at this node
    reason_category: int
    shared_contact: SharedContact


@dataclass(frozen=True)
class StateReport:
    """ReceiveReferralUpdate at the node a referral came from: its new state."""

    kind: ClassVar[str] = "update"
    referral: str  # the referral's name at that node
    state: int
    outcome: str = ""
    declined_by: str = ""


@dataclass(frozen=True)
class Delivery:
    """A call another node is owed, committed with the change that owes it and made after it."""

    referral_id: str
    target_organization: str
    call: Handover | StateReport | None  # None: a kind of call this version does not know
    id: int = 0
    attempts: int = 0  # failed so far
    next_attempt_at: dt.datetime | None = None
    traceparent: str = ""  # the trace of the change that owes the call


# ---------------------------------------------------------------------------- the referral


@dataclass
class Referral:
    id: str
    direction: int
    partner_kind: int
    reason_category: int
    person: str = ""
    partner_name: str = ""
    target_organization: str = ""
    source_organization: str = ""
    # For an incoming cross-node referral: the sender's name for it (organizations/mir/referrals/...).
    source_referral: str = ""
    state: int = REQUESTED
    consent_given: bool = False
    shared_contact: SharedContact = field(default_factory=SharedContact)
    outcome: str = ""
    declined_by: str = ""
    delivery_state: str = ""
    remote_name: str = ""
    create_time: dt.datetime | None = None
    update_time: dt.datetime | None = None

    @property
    def is_cross_node(self) -> bool:
        return self.partner_kind == FEDERATION_NODE

    @property
    def managed_remotely(self) -> bool:
        """An outgoing referral to another node: that node's coordinators decide, and report back."""
        return self.is_cross_node and self.direction == OUTGOING

    @property
    def reports_back_to(self) -> str:
        """The node a state change must be reported to, or ''."""
        if self.is_cross_node and self.direction == INCOMING:
            return self.source_organization
        return ""

    def allowed_next(self) -> frozenset[int]:
        return TRANSITIONS.get(self.state, frozenset())

    def change_state(self, to: int, *, outcome: str = "", declined_by: str = "", at: dt.datetime | None = None) -> None:
        """Move to state `to`, or raise FailedPrecondition(INVALID_STATE_TRANSITION)."""
        allowed = self.allowed_next()
        if to not in allowed:
            current = state_name(self.state)
            if not allowed:
                how = f"{current} is a final state; nothing can follow it."
            else:
                how = f"from {current} it can only become {_names(allowed)}."
            raise FailedPrecondition(
                f"The referral is {current} and cannot become {state_name(to)}; {how}",
                reason="INVALID_STATE_TRANSITION",
                metadata={
                    "current_state": current,
                    "requested_state": state_name(to),
                    "allowed_states": ",".join(state_name(s) for s in sorted(allowed)),
                },
            )
        self.state = to
        if outcome:
            self.outcome = outcome
        if declined_by:
            self.declined_by = declined_by
        if at is not None:
            self.update_time = at

    def apply_remote_update(self, to: int, *, outcome: str = "", declined_by: str = "",
                            at: dt.datetime | None = None) -> bool:
        """A state reported back by the node the referral went to. The same report
        twice (a redelivery) changes nothing; returns whether anything changed."""
        if to == self.state:
            return False
        self.change_state(to, outcome=outcome, declined_by=declined_by, at=at)
        return True

    def handover(self, name: str) -> Delivery:
        """The call that hands this outgoing cross-node referral (called `name` here) to its target node."""
        return Delivery(self.id, self.target_organization,
                        Handover(source_referral=name, reason_category=self.reason_category,
                                 shared_contact=self.shared_contact))

    def state_report(self) -> Delivery:
        """The call that reports this incoming referral's current state back to the node it came from."""
        return Delivery(self.id, self.reports_back_to,
                        StateReport(referral=self.source_referral, state=self.state, outcome=self.outcome,
                                    declined_by=self.declined_by))

    def delivered_as(self, remote_name: str) -> None:
        """The target node has the referral, under remote_name."""
        self.delivery_state, self.remote_name = DELIVERY_DELIVERED, remote_name


# ---------------------------------------------------------------------------- validation


def _check_contact(v: Violations, c: SharedContact, prefix: str) -> None:
    v.check(bool(c.given_name.strip()), f"{prefix}.given_name",
            "is required: the name the receiving node may use to address the person")
    v.check(len(c.given_name) <= MAX_GIVEN_NAME, f"{prefix}.given_name", f"at most {MAX_GIVEN_NAME} characters")
    check_text(v, c.given_name, f"{prefix}.given_name")
    v.check(not c.phone or bool(PHONE_RE.match(c.phone.replace(" ", ""))), f"{prefix}.phone",
            "must be a Norwegian phone number like +47 912 34 567 or 912 34 567")
    v.check(not c.preferred_language or bool(LANGUAGE_RE.match(c.preferred_language)),
            f"{prefix}.preferred_language", LANGUAGE_HINT)


def _check_enum(v: Violations, value: int, enum: type[WireEnum], field_path: str, what: str) -> None:
    v.check(enum.is_set(value), field_path, f"is required: {what}, one of {enum.choices()}")


def check_outcome(v: Violations, outcome: str, field_path: str) -> None:
    if not check_text(v, outcome, field_path):
        return
    v.check(not outcome or bool(OUTCOME_RE.match(outcome)), field_path,
            "must be a short category code of a-z, 0-9, '_' or '-' (at most 60), e.g. 'legal_aid_given' "
            "or 'no_capacity'; never free text about the person")


def check_declined_by(v: Violations, declined_by: str, field_path: str, *, required: bool) -> None:
    if not declined_by:
        v.check(not required, field_path, "is required: 'provider' or 'person'")
        return
    v.check(declined_by in DECLINED_BY, field_path, "must be 'provider' or 'person'")


def _raise(v: Violations, what: str, *, consent_field: str) -> None:
    """Raise the collected violations; a missing consent gives its own reason."""
    if any(item.field == consent_field for item in v.items):
        fields = ", ".join(item.field for item in v.items)
        raise InvalidArgument(
            f"The {what} needs the person's consent to share it with another node ({consent_field}=true); "
            f"invalid fields: {fields}.",
            reason="CONSENT_REQUIRED",
            violations=v.items,
        )
    v.raise_if_any(what)


def validate_new_referral(r: Referral, org: str, prefix: str = "referral") -> None:
    """The rules for CreateReferral at the node of organisation `org`."""
    v = Violations()
    _check_enum(v, r.partner_kind, PartnerKind, f"{prefix}.partner_kind", "who the referral is to or from")
    _check_enum(v, r.reason_category, ReasonCategory, f"{prefix}.reason_category", "why the referral is made")
    v.check(r.direction in (OUTGOING, INCOMING), f"{prefix}.direction",
            "must be DIRECTION_OUTGOING (the default) or DIRECTION_INCOMING")
    v.check(len(r.partner_name) <= MAX_PARTNER_NAME, f"{prefix}.partner_name",
            f"at most {MAX_PARTNER_NAME} characters")
    check_text(v, r.partner_name, f"{prefix}.partner_name")
    if r.person:
        match = PERSON.regex.match(r.person)
        if not match:
            v.add(f"{prefix}.person", "must be a person's name like organizations/mir/persons/0f3c9a")
        elif match.group("org") != org:
            v.add(f"{prefix}.person", f"must be a person of this node's organisation {org!r}")
    elif r.direction == OUTGOING:
        v.add(f"{prefix}.person", "is required for an outgoing referral: organizations/{org}/persons/{person}")
    if r.is_cross_node:
        v.check(r.direction == OUTGOING, f"{prefix}.direction",
                "a referral from another node arrives by ReceiveReferral; create only outgoing ones")
        target = r.target_organization
        if not target:
            v.add(f"{prefix}.target_organization", "is required for PARTNER_KIND_FEDERATION_NODE, e.g. 'mira'")
        elif not ORG_RE.match(target):
            v.add(f"{prefix}.target_organization", "must be an organisation id such as mir, mira or mkr")
        elif target == org:
            v.add(f"{prefix}.target_organization", f"must be another organisation than this node's own ({org!r})")
        v.check(r.consent_given, f"{prefix}.consent_given",
                "must be true: the person consented to this referral and to sharing the contact fields")
        _check_contact(v, r.shared_contact, f"{prefix}.shared_contact")
    else:
        v.check(bool(r.partner_name.strip()), f"{prefix}.partner_name",
                "is required, e.g. 'Linderud skole' or 'Oslo politidistrikt'")
        v.check(not r.target_organization, f"{prefix}.target_organization",
                "only for PARTNER_KIND_FEDERATION_NODE; leave it empty for other partners")
        v.check(r.shared_contact.is_empty(), f"{prefix}.shared_contact",
                "must be empty: nothing about the person leaves the node for an external partner through "
                "Brobygger; only a referral to another federation node carries contact fields")
    _raise(v, "referral", consent_field=f"{prefix}.consent_given")


def validate_received(source_org: str, org: str, partner_kind: int, reason_category: int,
                      contact: SharedContact, consent_given: bool) -> None:
    """The rules for a referral handed over by another node (ReceiveReferral)."""
    v = Violations()
    v.check(source_org != org, "source_referral", "must be a referral of another organisation than this node's")
    v.check(partner_kind in (0, FEDERATION_NODE), "partner_kind",
            "must be PARTNER_KIND_FEDERATION_NODE for a referral between nodes")
    _check_enum(v, reason_category, ReasonCategory, "reason_category", "why the referral is made")
    v.check(consent_given, "consent_given", "must be true: a referral travels between nodes only with consent")
    _check_contact(v, contact, "shared_contact")
    _raise(v, "received referral", consent_field="consent_given")


def validate_change(to: int, outcome: str, declined_by: str) -> None:
    """The fields of Accept/Reject/Complete and of a reported update."""
    v = Violations()
    check_outcome(v, outcome, "outcome")
    check_declined_by(v, declined_by, "declined_by", required=to == REJECTED)
    if to != REJECTED:
        v.check(not declined_by, "declined_by", "only for a rejected referral")
    v.raise_if_any("state change")


def validate_reported_state(to: int) -> None:
    if to not in TRANSITIONS or to == REQUESTED:
        raise InvalidArgument(
            "state must be the referral's new state, e.g. REFERRAL_STATE_ACCEPTED.",
            reason="INVALID_FIELDS",
            violations=[FieldViolation("state", "must be a state other than UNSPECIFIED and REQUESTED")],
        )
