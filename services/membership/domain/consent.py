"""Consent per purpose: what a person (or a guardian for a child) agreed to, when, how it reached the
organisation, and its withdrawal. Plain Python, no I/O.

A consent is given once and withdrawn at most once; nothing about it is ever deleted or overwritten.
Given again after a withdrawal, it is a new consent: a person's consents for one purpose are the
history of that purpose, and at most one of them is in force.

Children: a consent for a person under the organisation's age of consent (16 in Norway for
information-society services, GDPR Art. 8 and personopplysningsloven § 5; a node may set another) is
given by a parent or guardian. Only the birth year is known, so a person counts as under the age in
every year until the year after the one in which they turn it (born 2010, age 16: a child until 2026,
an adult from 2027). That errs on the side of asking the guardian.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from services.common.errors import FailedPrecondition, FieldViolation, Violations
from services.common.text import check_text
from services.common.vocabulary import WireEnum

DEFAULT_CONSENT_AGE = 16
TEXT_VERSION_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,59}$")
DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
MAX_GUARDIAN_NAME = 200
EARLIEST = dt.date(2000, 1, 1)


class ConsentPurpose(WireEnum):
    MEMBERSHIP = 1
    STATISTICS = 2
    REFERRAL_SHARING = 3
    PHOTOS = 4


class ConsentSource(WireEnum):
    PAPER_FORM = 1
    WEB = 2
    VERBAL = 3


class ConsentGiver(WireEnum):
    PERSON = 1
    GUARDIAN = 2


class ConsentState(WireEnum):
    GIVEN = 1
    WITHDRAWN = 2


@dataclass
class Consent:
    id: str
    person_id: str
    purpose: int
    text_version: str
    given_date: dt.date | None
    source: int
    given_by: int
    guardian_id: str = ""  # a registered guardian (a person of this node)
    guardian_name: str = ""  # a guardian who is not registered: kept here only
    recorded_by: str = ""  # the user who recorded it
    withdraw_date: dt.date | None = None
    withdraw_source: int = 0
    withdrawn_recorded_by: str = ""
    create_time: dt.datetime | None = None
    update_time: dt.datetime | None = None

    @property
    def state(self) -> ConsentState:
        return ConsentState.WITHDRAWN if self.withdraw_date is not None else ConsentState.GIVEN

    @property
    def in_force(self) -> bool:
        return self.withdraw_date is None

    def withdraw(self, on: dt.date, source: int, by: str, at: dt.datetime) -> None:
        """Withdraw this consent; FailedPrecondition when it is withdrawn already."""
        if not self.in_force:
            raise FailedPrecondition(
                f"This consent was withdrawn on {self.withdraw_date.isoformat()}; a withdrawn consent stays "
                "withdrawn. To record that it was given again, record a new consent.",
                reason="CONSENT_ALREADY_WITHDRAWN")
        if self.given_date is not None and on < self.given_date:
            raise FailedPrecondition(
                f"withdraw_date {on.isoformat()} is before the consent was given ({self.given_date.isoformat()}); "
                "a consent is withdrawn on or after the day it was given.",
                reason="WITHDRAWAL_BEFORE_CONSENT",
                violations=[FieldViolation("withdraw_date", f"on or after {self.given_date.isoformat()}")])
        self.withdraw_date, self.withdraw_source, self.withdrawn_recorded_by = on, source, by
        self.update_time = at


def is_child(birth_year: int, on: dt.date, consent_age: int) -> bool:
    """Whether a person born in birth_year may be under consent_age on the date (see the module's note).
    An unknown birth year (0) is not taken as a child: the coordinator records who gave the consent."""
    return birth_year > 0 and on.year - birth_year <= consent_age


def parse_day(value: str, field: str, today: dt.date, v: Violations) -> dt.date | None:
    """An ISO date from value (today when empty), not in the future and not before 2000; None (and a
    violation) when it is not one."""
    value = value.strip()
    if not value:
        return today
    try:
        if not DATE_RE.match(value):
            raise ValueError(value)
        day = dt.date.fromisoformat(value)
    except ValueError:
        v.add(field, "must be a date like 2026-01-15")
        return None
    if day > today:
        v.add(field, "cannot be in the future")
        return None
    if day < EARLIEST:
        v.add(field, f"must be on or after {EARLIEST.isoformat()}")
        return None
    return day


def validate_consent(c: Consent, guardian_given: bool, prefix: str = "consent") -> None:
    """The fields of a consent to record (the date is checked by parse_day). guardian_given: a registered
    guardian was named (its existence and age are checked by check_guardian)."""
    v = Violations()
    v.check(ConsentPurpose.is_set(c.purpose), f"{prefix}.purpose", "is required: " + ConsentPurpose.choices())
    v.check(bool(TEXT_VERSION_RE.match(c.text_version)), f"{prefix}.text_version",
            "is required: the version of the consent text, e.g. 'samtykke-2026-01' (a-z, 0-9, '.', '_' or '-', "
            "at most 60)")
    v.check(ConsentSource.is_set(c.source), f"{prefix}.source", "is required: " + ConsentSource.choices())
    v.check(ConsentGiver.is_set(c.given_by), f"{prefix}.given_by", "is required: " + ConsentGiver.choices())
    if c.given_by == ConsentGiver.GUARDIAN:
        v.check(guardian_given or bool(c.guardian_name.strip()), f"{prefix}.guardian_name",
                "is required when a guardian gave the consent and is not registered (else set guardian)")
        v.check(not (guardian_given and c.guardian_name.strip()), f"{prefix}.guardian_name",
                "must be empty when guardian names a registered person")
    else:
        v.check(not guardian_given, f"{prefix}.guardian", "only when given_by is CONSENT_GIVER_GUARDIAN")
        v.check(not c.guardian_name.strip(), f"{prefix}.guardian_name",
                "only when given_by is CONSENT_GIVER_GUARDIAN")
    v.check(len(c.guardian_name) <= MAX_GUARDIAN_NAME, f"{prefix}.guardian_name",
            f"at most {MAX_GUARDIAN_NAME} characters")
    check_text(v, c.guardian_name, f"{prefix}.guardian_name")
    v.raise_if_any("consent")


def check_giver(c: Consent, birth_year: int, consent_age: int, prefix: str = "consent") -> None:
    """FailedPrecondition(GUARDIAN_CONSENT_REQUIRED) when the person may be under the age of consent on the
    day it was given and the consent was not given by a guardian."""
    if c.given_by != ConsentGiver.GUARDIAN and c.given_date is not None and \
            is_child(birth_year, c.given_date, consent_age):
        raise FailedPrecondition(
            f"The person was born in {birth_year} and may be under {consent_age} (this organisation's age of "
            f"consent) in {c.given_date.year}, so a parent or guardian gives consent for them: set given_by to "
            "CONSENT_GIVER_GUARDIAN with guardian (a registered person, e.g. the parent in their household) or "
            "guardian_name.",
            reason="GUARDIAN_CONSENT_REQUIRED",
            violations=[FieldViolation(f"{prefix}.given_by", f"must be CONSENT_GIVER_GUARDIAN: the person may be "
                                                              f"under {consent_age}")])


def check_guardian(person_id: str, guardian_id: str, guardian_birth_year: int, on: dt.date, consent_age: int,
                   prefix: str = "consent") -> None:
    """A registered guardian must be someone else, and not a child themself."""
    if guardian_id == person_id:
        raise FailedPrecondition(
            "guardian names the person themself; name their parent or guardian, or set given_by to "
            "CONSENT_GIVER_PERSON.", reason="GUARDIAN_IS_THE_PERSON",
            violations=[FieldViolation(f"{prefix}.guardian", "must be another person than the one consenting")])
    if is_child(guardian_birth_year, on, consent_age):
        raise FailedPrecondition(
            f"The guardian named was born in {guardian_birth_year} and may be under {consent_age}; a guardian "
            "who gives consent for a child is an adult. Name a parent or guardian.",
            reason="GUARDIAN_IS_A_CHILD",
            violations=[FieldViolation(f"{prefix}.guardian", f"must be a person of at least {consent_age}")])


def check_none_in_force(current: Consent | None, resource: str) -> None:
    """FailedPrecondition(CONSENT_ALREADY_IN_FORCE) when a consent for the purpose is in force (resource: its
    name): a purpose has at most one consent in force."""
    if current is not None and current.in_force:
        purpose = ConsentPurpose(current.purpose).wire_name
        raise FailedPrecondition(
            f"A consent for {purpose} is in force since {current.given_date.isoformat()} (text "
            f"{current.text_version}): {resource}. Withdraw it first to record another one.",
            reason="CONSENT_ALREADY_IN_FORCE",
            violations=[FieldViolation("consent.purpose", f"already consented: {resource}")],
            metadata={"consent": resource})


def check_withdraw_source(source: int) -> None:
    v = Violations()
    v.check(ConsentSource.is_set(source), "source", "is required: how the withdrawal reached the organisation, "
            + ConsentSource.choices())
    v.raise_if_any("withdrawal")


def in_force(consents: list[Consent], purpose: int) -> Consent | None:
    """The consent for the purpose that is in force among a person's consents, or None."""
    for c in consents:
        if c.purpose == purpose and c.in_force:
            return c
    return None
