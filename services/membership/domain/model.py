"""Membership rules: plain Python, no I/O."""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field

from services.common.errors import FieldViolation, InvalidArgument, Violations
from services.common.text import check_text
from services.common.vocabulary import (  # noqa: F401  (PaymentState is part of this model)
    CHAPTER_HINT, CHAPTER_RE, LANGUAGE_HINT, LANGUAGE_RE, PAYING_STATES, Gender, PaymentState,
)

POSTAL_RE = re.compile(r"^\d{4}$")
DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")  # fromisoformat alone also takes 20260301 and 2026-W09-7
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_RE = re.compile(r"^\+?[0-9 ]{8,15}$")
MAX_FEE_NOK = 100_000


@dataclass
class Person:
    id: str
    given_name: str
    family_name: str
    birth_year: int
    gender: int
    preferred_languages: list[str] = field(default_factory=list)
    email: str = ""
    phone: str = ""
    postal_code: str = ""
    municipality: str = ""
    chapter: str = ""
    create_time: dt.datetime | None = None
    update_time: dt.datetime | None = None
    # The household the person is a member of, or "": read from the household's members, never written
    # through the person (services.membership.domain.household).
    household_id: str = ""


@dataclass
class MembershipYear:
    person_id: str
    year: int
    fee_nok: int
    payment_state: int
    paid_date: str = ""
    update_time: dt.datetime | None = None

    @property
    def is_paying(self) -> bool:
        return self.payment_state in PAYING_STATES

    @property
    def key(self) -> str:
        """The year's id within the node: '<person id>/<year>'."""
        return f"{self.person_id}/{self.year}"


def validate_person(p: Person, today: dt.date, prefix: str = "person") -> None:
    v = Violations()
    v.check(bool(p.given_name.strip()), f"{prefix}.given_name", "is required")
    v.check(len(p.given_name) <= 100, f"{prefix}.given_name", "at most 100 characters")
    v.check(len(p.family_name) <= 100, f"{prefix}.family_name", "at most 100 characters")
    v.check(
        p.birth_year == 0 or 1900 <= p.birth_year <= today.year,
        f"{prefix}.birth_year",
        f"must be a year from 1900 to {today.year}, or 0 when not known",
    )
    v.check(Gender.is_set(p.gender), f"{prefix}.gender", "is required: " + Gender.choices())
    for i, lang in enumerate(p.preferred_languages):
        v.check(bool(LANGUAGE_RE.match(lang)), f"{prefix}.preferred_languages[{i}]", LANGUAGE_HINT)
    v.check(len(p.preferred_languages) <= 10, f"{prefix}.preferred_languages", "at most 10 languages")
    v.check(not p.email or bool(EMAIL_RE.match(p.email)), f"{prefix}.email", "must be an e-mail address like name@example.no")
    v.check(not p.phone or bool(PHONE_RE.match(p.phone)), f"{prefix}.phone", "must be a phone number like +47 912 34 567")
    v.check(not p.postal_code or bool(POSTAL_RE.match(p.postal_code)), f"{prefix}.postal_code", "must be four digits, e.g. 0957")
    v.check(len(p.municipality) <= 100, f"{prefix}.municipality", "at most 100 characters")
    for name in ("given_name", "family_name", "municipality", "email"):
        check_text(v, getattr(p, name), f"{prefix}.{name}")
    v.check(not p.chapter or bool(CHAPTER_RE.match(p.chapter)), f"{prefix}.chapter", CHAPTER_HINT)
    v.raise_if_any("person")


def validate_membership_year(m: MembershipYear, today: dt.date, prefix: str = "membership_year") -> None:
    v = Violations()
    v.check(2000 <= m.year <= today.year + 1, f"{prefix}.year", f"must be a year from 2000 to {today.year + 1}")
    v.check(0 <= m.fee_nok <= MAX_FEE_NOK, f"{prefix}.fee_nok", f"must be 0..{MAX_FEE_NOK} kroner")
    v.check(PaymentState.is_set(m.payment_state), f"{prefix}.payment_state", "is required: " + PaymentState.choices())
    if m.paid_date:
        try:
            if not DATE_RE.match(m.paid_date):
                raise ValueError("not YYYY-MM-DD")
            paid = dt.date.fromisoformat(m.paid_date)
            v.check(paid <= today, f"{prefix}.paid_date", "cannot be in the future")
        except ValueError:
            v.add(f"{prefix}.paid_date", "must be a date like 2026-03-01")
    if m.payment_state == PaymentState.PAID:
        v.check(m.fee_nok > 0, f"{prefix}.fee_nok", "a paid membership needs the fee that was paid")
    v.raise_if_any("membership year")


# What UpdatePerson may correct (AIP-134 update_mask paths, relative to the person).
CORRECTABLE_FIELDS = ("given_name", "family_name", "birth_year", "gender", "preferred_languages", "email", "phone",
                      "postal_code", "municipality", "chapter")


def check_update_mask(paths: list[str]) -> list[str]:
    """The mask's paths, each once in the order given; InvalidArgument naming every path that is not a
    correctable field, or the mask itself when it is empty or '*'."""
    allowed = ", ".join(CORRECTABLE_FIELDS)
    cleaned = [p.strip() for p in paths]
    if not [p for p in cleaned if p] or "*" in cleaned:
        raise InvalidArgument(
            "update_mask must name the fields to correct, e.g. 'phone,email'; an empty mask or '*' is not "
            f"accepted. Correctable fields: {allowed}.",
            reason="UPDATE_MASK_REQUIRED",
            violations=[FieldViolation("update_mask", f"name one or more of: {allowed}")])
    v = Violations()
    for i, path in enumerate(cleaned):
        v.check(path in CORRECTABLE_FIELDS, f"update_mask.paths[{i}]",
                f"is not a field that can be corrected; use one or more of: {allowed}")
    if v.items:
        raise InvalidArgument(
            f"update_mask names fields that cannot be corrected. Correctable fields: {allowed}.",
            reason="INVALID_UPDATE_MASK", violations=v.items)
    return [p for i, p in enumerate(cleaned) if p not in cleaned[:i]]


def corrected(person: Person, patch: Person, paths: list[str], today: dt.date,
              now: dt.datetime) -> tuple[Person, list[str]]:
    """person with the masked fields taken from patch, validated as a registration is; and the paths
    whose value changed (none: the person as it was, update_time kept)."""
    updated = dataclasses.replace(person, **{p: getattr(patch, p) for p in paths})
    validate_person(updated, today)
    changed = [p for p in paths if getattr(updated, p) != getattr(person, p)]
    return (dataclasses.replace(updated, update_time=now) if changed else person), changed
