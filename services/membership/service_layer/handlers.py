"""Membership use cases: each takes a command and a unit of work, and returns domain objects."""
from __future__ import annotations

import dataclasses
import datetime as dt

from brobygger.membership.v1 import membership_facts_pb2 as facts
from services.common.audit import check_purpose
from services.common.errors import NotFound
from services.common.names import new_id
from services.common.pagination import Page, PageToken, page_size
from services.common.timestamps import today, utcnow
from services.common.unit_of_work import run_once
from services.membership.domain.model import MembershipYear, Person, validate_membership_year, validate_person
from services.membership.service_layer import commands
from services.membership.service_layer.unit_of_work import MembershipUnitOfWork

PERSONS_PAGE = PageToken((dt.datetime, str))
YEARS_PAGE = PageToken((int,))


def _person(uow: MembershipUnitOfWork, person_id: str, resource: str, hint: str) -> Person:
    person = uow.persons.get(person_id)
    if person is None:
        raise NotFound(f"There is no person {resource}; {hint}.", reason="PERSON_NOT_FOUND")
    return person


def register_person(cmd: commands.RegisterPerson, uow: MembershipUnitOfWork) -> Person:
    validate_person(cmd.person, today())

    def work() -> Person:
        now = utcnow()
        person = dataclasses.replace(cmd.person, id=new_id(), create_time=now, update_time=now)
        uow.persons.add(person)
        uow.facts.add(facts.PersonRegistered(person_id=person.id, birth_year=person.birth_year, gender=person.gender,
                                             registered_date=now.date().isoformat()), key=person.id)
        return person

    return run_once(uow, method="RegisterPerson", actor=cmd.actor, request_id=cmd.request_id, work=work,
                    identify=lambda p: p.id, load=lambda person_id: uow.persons.get(person_id))


def get_person(cmd: commands.GetPerson, uow: MembershipUnitOfWork) -> Person:
    purpose = check_purpose(cmd.purpose, "this person", "follow-up of homework help")
    with uow:
        person = _person(uow, cmd.person_id, cmd.resource, "list persons to find the right name")
        uow.audit.record(cmd.actor, "person.read", cmd.resource, purpose)
        uow.commit()
    return person


def get_person_profile(cmd: commands.GetPersonProfile, uow: MembershipUnitOfWork) -> Person:
    with uow:
        person = _person(uow, cmd.person_id, cmd.resource, "it is not registered at this node")
        uow.audit.record(cmd.actor, "person.profile.read", cmd.resource, "statistics")
        uow.commit()
    return person


def list_persons(cmd: commands.ListPersons, uow: MembershipUnitOfWork) -> tuple[list[Person], str]:
    """A page of people, newest first; each listing is audited with who listed and why."""
    purpose = check_purpose(cmd.purpose, "these people", "planning the swimming group")
    size = page_size(cmd.page_size)
    after = PERSONS_PAGE.decode(cmd.page_token)
    with uow:
        page: Page[Person] = uow.persons.page(after, size)
        uow.audit.record(cmd.actor, "person.list", cmd.parent, purpose)
        uow.commit()
    return page.items, PERSONS_PAGE.encode(page.next_key)


def record_membership_year(cmd: commands.RecordMembershipYear, uow: MembershipUnitOfWork) -> MembershipYear:
    validate_membership_year(cmd.year, today())

    def work() -> MembershipYear:
        person = _person(uow, cmd.year.person_id, cmd.resource, "register the person first")
        year = dataclasses.replace(cmd.year, update_time=utcnow())
        uow.years.put(year)
        uow.facts.add(facts.MembershipYearRecorded(
            person_id=person.id, year=year.year, payment_state=year.payment_state, fee_nok=year.fee_nok,
            birth_year=person.birth_year), key=person.id)
        return year

    def load(key: str) -> MembershipYear | None:
        person_id, year = key.rsplit("/", 1)
        return uow.years.get(person_id, int(year))

    return run_once(uow, method="RecordMembershipYear", actor=cmd.actor, request_id=cmd.request_id, work=work,
                    identify=lambda y: y.key, load=load)


def list_membership_years(cmd: commands.ListMembershipYears,
                          uow: MembershipUnitOfWork) -> tuple[list[MembershipYear], str]:
    purpose = check_purpose(cmd.purpose, "this person's membership years", "annual fee reminder")
    size = page_size(cmd.page_size)
    after = YEARS_PAGE.decode(cmd.page_token, person=cmd.person_id)
    with uow:
        _person(uow, cmd.person_id, cmd.resource, "list persons to find the right name")
        page = uow.years.page(cmd.person_id, after, size)
        uow.audit.record(cmd.actor, "membership_year.list", cmd.resource, purpose)
        uow.commit()
    return page.items, YEARS_PAGE.encode(page.next_key, person=cmd.person_id)
