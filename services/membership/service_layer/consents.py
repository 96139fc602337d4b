"""Consent use cases: record, withdraw, list a person's consents and check whether one is in force.

Each takes a command and a unit of work. Every change is audited and publishes a ConsentChanged fact
(person id, purpose, given or withdrawn, the date: nothing else); every read is audited with its purpose.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from brobygger.membership.v1 import consent_facts_pb2 as facts
from services.common.audit import check_purpose, identity
from services.common.errors import FailedPrecondition, FieldViolation, NotFound, Violations
from services.common.names import PERSON, NamePattern, new_id
from services.common.pagination import PageToken, page_size
from services.common.timestamps import today, utcnow
from services.common.unit_of_work import Actor, run_once
from services.membership.domain.consent import (
    DEFAULT_CONSENT_AGE, Consent, ConsentPurpose, check_giver, check_guardian, check_none_in_force,
    check_withdraw_source, parse_day, validate_consent,
)
from services.membership.domain.model import Person
from services.membership.service_layer.unit_of_work import MembershipUnitOfWork

CONSENT = NamePattern("organizations/{org}/persons/{person}/consents/{consent}")
CONSENTS_PAGE = PageToken((dt.datetime, str))
MAX_BATCH = 100


@dataclass(frozen=True)
class RecordConsent:
    org: str
    consent: Consent  # id, person_id and recorded_by are set here; given_date None means today
    given_date: str = ""  # as asked: checked and parsed here
    actor: Actor | None = None
    request_id: str = ""
    consent_age: int = DEFAULT_CONSENT_AGE


@dataclass(frozen=True)
class WithdrawConsent:
    org: str
    person_id: str
    consent_id: str
    withdraw_date: str = ""
    source: int = 0
    actor: Actor | None = None
    request_id: str = ""


@dataclass(frozen=True)
class ListConsents:
    org: str
    person_id: str
    page_size: int = 0
    page_token: str = ""
    actor: Actor | None = None
    purpose: str = ""


@dataclass(frozen=True)
class CheckConsents:
    org: str
    person_ids: tuple[str, ...]
    consent_purpose: int
    actor: Actor | None = None
    purpose: str = ""


@dataclass(frozen=True)
class ConsentCheck:
    person_id: str
    consent_purpose: int
    consent: Consent | None  # the one in force

    @property
    def in_force(self) -> bool:
        return self.consent is not None


def consent_name(org: str, c: Consent) -> str:
    return CONSENT.format(org=org, person=c.person_id, consent=c.id)


def _person(uow: MembershipUnitOfWork, org: str, person_id: str, field: str = "parent") -> Person:
    person = uow.persons.get(person_id)
    if person is None:
        raise NotFound(f"There is no person {PERSON.format(org=org, person=person_id)}; list persons to find the "
                       "right name.", reason="PERSON_NOT_FOUND",
                       violations=[FieldViolation(field, "no such person at this node")])
    return person


def _changed(uow: MembershipUnitOfWork, c: Consent, change: int, on: dt.date) -> None:
    uow.facts.add(facts.ConsentChanged(person_id=c.person_id, consent_purpose=c.purpose, change=change,
                                       changed_date=on.isoformat()), key=c.person_id)


def _who(actor: Actor | None) -> str:
    return identity(actor)[0]


def record_consent(cmd: RecordConsent, uow: MembershipUnitOfWork) -> Consent:
    """A consent given: checked (a child's is given by a guardian, who is an adult), refused while another
    consent for the purpose is in force; audited as consent.record and published as ConsentChanged."""
    v = Violations()
    given = parse_day(cmd.given_date, "consent.given_date", today(), v)
    v.raise_if_any("consent")
    asked = dataclasses.replace(cmd.consent, given_date=given, text_version=cmd.consent.text_version.strip(),
                                guardian_name=cmd.consent.guardian_name.strip())
    validate_consent(asked, guardian_given=bool(asked.guardian_id))

    def work() -> Consent:
        person = _person(uow, cmd.org, asked.person_id)
        check_giver(asked, person.birth_year, cmd.consent_age)
        if asked.guardian_id:
            guardian = _person(uow, cmd.org, asked.guardian_id, "consent.guardian")
            check_guardian(person.id, guardian.id, guardian.birth_year, given, cmd.consent_age)
        current = uow.consents.in_force(person.id, asked.purpose)
        if current is not None:
            check_none_in_force(current, consent_name(cmd.org, current))
        now = utcnow()
        c = dataclasses.replace(asked, id=new_id(), recorded_by=_who(cmd.actor), withdraw_date=None,
                                withdraw_source=0, withdrawn_recorded_by="", create_time=now, update_time=now)
        if not uow.consents.add(c):  # another was recorded for the purpose meanwhile (the unique index)
            other = uow.consents.in_force(person.id, asked.purpose)
            raise FailedPrecondition(
                f"A consent for {ConsentPurpose(asked.purpose).wire_name} was recorded at the same moment"
                + (f": {consent_name(cmd.org, other)}" if other else "") + ". Withdraw it first to record another one.",
                reason="CONSENT_ALREADY_IN_FORCE",
                violations=[FieldViolation("consent.purpose", "already consented")])
        _changed(uow, c, facts.ConsentChanged.CHANGE_GIVEN, given)
        uow.audit.record(cmd.actor, "consent.record", consent_name(cmd.org, c), ConsentPurpose(c.purpose).wire_name)
        return c

    return run_once(uow, method="RecordConsent", actor=cmd.actor, request_id=cmd.request_id, work=work,
                    identify=lambda c: c.id, load=lambda consent_id: uow.consents.get(consent_id))


def withdraw_consent(cmd: WithdrawConsent, uow: MembershipUnitOfWork) -> Consent:
    """The consent withdrawn on the date; audited as consent.withdraw and published as ConsentChanged."""
    check_withdraw_source(cmd.source)
    v = Violations()
    on = parse_day(cmd.withdraw_date, "withdraw_date", today(), v)
    v.raise_if_any("withdrawal")
    name = CONSENT.format(org=cmd.org, person=cmd.person_id, consent=cmd.consent_id)

    def work() -> Consent:
        c = uow.consents.get(cmd.consent_id, for_update=True)
        if c is None or c.person_id != cmd.person_id:
            raise NotFound(f"There is no consent {name}; list the person's consents to find the right name.",
                           reason="CONSENT_NOT_FOUND")
        c.withdraw(on, cmd.source, _who(cmd.actor), utcnow())
        uow.consents.save_withdrawal(c)
        _changed(uow, c, facts.ConsentChanged.CHANGE_WITHDRAWN, on)
        uow.audit.record(cmd.actor, "consent.withdraw", name, ConsentPurpose(c.purpose).wire_name)
        return c

    return run_once(uow, method="WithdrawConsent", actor=cmd.actor, request_id=cmd.request_id, work=work,
                    identify=lambda c: c.id, load=lambda consent_id: uow.consents.get(consent_id))


def list_consents(cmd: ListConsents, uow: MembershipUnitOfWork) -> tuple[list[Consent], str]:
    """A page of the person's consents, newest first, withdrawn ones too; audited with who and why."""
    purpose = check_purpose(cmd.purpose, "this person's consents", "consent review")
    size = page_size(cmd.page_size)
    after = CONSENTS_PAGE.decode(cmd.page_token, person=cmd.person_id)
    resource = PERSON.format(org=cmd.org, person=cmd.person_id)
    with uow:
        _person(uow, cmd.org, cmd.person_id)
        page = uow.consents.page(cmd.person_id, after, size)
        uow.audit.record(cmd.actor, "consent.list", resource, purpose)
        uow.commit()
    return page.items, CONSENTS_PAGE.encode(page.next_key, person=cmd.person_id)


def check_consents(cmd: CheckConsents, uow: MembershipUnitOfWork) -> list[ConsentCheck]:
    """Whether each person's consent for the purpose is in force, in the order asked; each person asked is
    a consent.check line in the audit log with the reason. NotFound naming every person who does not exist."""
    purpose = check_purpose(cmd.purpose, "whether a person consents", "referral to mira")
    v = Violations()
    v.check(ConsentPurpose.is_set(cmd.consent_purpose), "consent_purpose",
            "is required: " + ConsentPurpose.choices())
    v.check(1 <= len(cmd.person_ids) <= MAX_BATCH, "names", f"name 1 to {MAX_BATCH} people")
    v.raise_if_any("consent check")
    with uow:
        found = uow.persons.get_many(list(cmd.person_ids))
        missing = [i for i in cmd.person_ids if i not in found]
        if missing:
            raise NotFound(
                f"{len(missing)} of the people asked about are not registered at this node; nothing was read.",
                reason="PERSON_NOT_FOUND",
                violations=[FieldViolation(f"names[{cmd.person_ids.index(i)}]", "no such person") for i in missing])
        held = uow.consents.in_force_for(list(cmd.person_ids), cmd.consent_purpose)
        reason = f"{ConsentPurpose(cmd.consent_purpose).wire_name}: {purpose}"[:200]
        for person_id in dict.fromkeys(cmd.person_ids):
            uow.audit.record(cmd.actor, "consent.check", PERSON.format(org=cmd.org, person=person_id), reason)
        uow.commit()
    return [ConsentCheck(i, cmd.consent_purpose, held.get(i)) for i in cmd.person_ids]
