"""Membership use cases: each takes a command and a unit of work, and returns domain objects."""
from __future__ import annotations

import dataclasses
import datetime as dt

from brobygger.membership.v1 import membership_facts_pb2 as facts
from services.common.audit import check_purpose
from services.common.errors import FieldViolation, InvalidArgument, NotFound, PermissionDenied, Violations
from services.common.names import HOUSEHOLD, HOUSEHOLD_MEMBER, PERSON, new_id
from services.common.pagination import Page, PageToken, page_size
from services.common.timestamps import today, utcnow
from services.common.unit_of_work import run_once
from services.membership.domain import search
from services.membership.domain.household import (
    Household, HouseholdMember, check_joinable, check_role, validate_household,
)
from services.membership.domain.model import (
    MembershipYear, Person, check_update_mask, corrected, validate_membership_year, validate_person,
)
from services.membership.domain.person_filter import person_filter
from services.membership.domain.roles import Role
from services.membership.service_layer import commands
from services.membership.service_layer.groups import check_chapter
from services.membership.service_layer.unit_of_work import MembershipUnitOfWork

PERSONS_PAGE = PageToken((dt.datetime, str))
YEARS_PAGE = PageToken((int,))
MEMBERS_PAGE = PageToken((dt.datetime, str))
MAX_BATCH = 100
# Who may list the register without a search query: volunteers only search (to add someone at a session).
BROWSE_ROLES = frozenset({"coordinator", "node-service"})


def _person(uow: MembershipUnitOfWork, person_id: str, resource: str, hint: str) -> Person:
    person = uow.persons.get(person_id)
    if person is None:
        raise NotFound(f"There is no person {resource}; {hint}.", reason="PERSON_NOT_FOUND")
    return person


def register_person(cmd: commands.RegisterPerson, uow: MembershipUnitOfWork) -> Person:
    validate_person(cmd.person, today())

    def work() -> Person:
        check_chapter(uow, cmd.person.chapter)
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


def _may_browse(actor) -> bool:
    return bool(frozenset(getattr(actor, "roles", ())) & BROWSE_ROLES)


def list_persons(cmd: commands.ListPersons, uow: MembershipUnitOfWork) -> tuple[list[Person], str]:
    """A page of people, newest first, optionally only those matching a query or of a chapter; each listing
    is audited with who listed and why (a search as person.search, without the query)."""
    purpose = check_purpose(cmd.purpose, "these people", "planning the swimming group")
    words = search.check_query(cmd.query)
    chapter = search.check_chapter(cmd.chapter)
    if not words and not _may_browse(cmd.actor):
        raise PermissionDenied(
            "Volunteers may search people by name but not list the whole register: give query, the start of "
            "a given or family name (e.g. 'ami kh').", reason="QUERY_REQUIRED",
            violations=[FieldViolation("query", "is required for volunteers: the start of a given or family name")])
    where = person_filter(cmd.group, cmd.household, cmd.membership_year, cmd.paying, cmd.role, cmd.role_date,
                          today(), cmd.parent.removeprefix("organizations/"))
    size = page_size(cmd.page_size)
    filters = {"query": search.query_digest(words), "chapter": chapter}
    if where:  # tokens of listings without these filters stay as they were
        filters["where"] = where.token()
    after = PERSONS_PAGE.decode(cmd.page_token, **filters)
    with uow:
        extra = {"where": where} if where else {}
        page: Page[Person] = uow.persons.page(after, size, words=words, chapter=chapter, **extra)
        resource = cmd.parent + _filter_query(chapter, where)
        uow.audit.record(cmd.actor, "person.search" if words else "person.list", resource, purpose)
        uow.commit()
    return page.items, PERSONS_PAGE.encode(page.next_key, **filters)


def _filter_query(chapter: str, where) -> str:
    """The listing's filters as the audit line's resource names them: ids, a year, a role (no name searched)."""
    parts = [("chapter", chapter), ("group", where.group_id), ("household", where.household_id),
             ("membership_year", str(where.membership_year or "")), ("paying", "true" if where.paying else ""),
             ("role", Role(where.role).wire_name if where.role else ""),
             ("role_date", where.role_date.isoformat() if where.role_date else "")]
    given = [f"{k}={v}" for k, v in parts if v]
    return "?" + "&".join(given) if given else ""


def _batch_ids(org: str, names: tuple[str, ...]) -> list[str]:
    """The person ids of names; InvalidArgument naming every name that is malformed or of another
    organisation (AIP-231: all names must be of the parent)."""
    if not names or len(names) > MAX_BATCH:
        raise InvalidArgument(
            f"names must hold 1 to {MAX_BATCH} person names; split a longer list into several calls.",
            reason="INVALID_BATCH_SIZE",
            violations=[FieldViolation("names", f"1 to {MAX_BATCH} names like organizations/{org}/persons/0f3c9a")])
    v, ids, foreign = Violations(), [], False
    for i, name in enumerate(names):
        match = PERSON.regex.match(name or "")
        if match is None:
            v.add(f"names[{i}]", f"expected the form {PERSON.pattern}, e.g. organizations/{org}/persons/0f3c9a")
        elif match["org"] != org:
            foreign = True
            v.add(f"names[{i}]", f"names organisation {match['org']!r}, but this node serves {org!r}; ask that "
                                 "organisation's node for its people")
        else:
            ids.append(match["person"])
    if v.items:
        raise InvalidArgument(
            "names holds " + ("names of another organisation" if foreign else "malformed names") + ": "
            + ", ".join(x.field for x in v.items) + ". See the field violations.",
            reason="WRONG_ORGANIZATION" if foreign else "INVALID_NAME", violations=v.items)
    return ids


def batch_get_persons(cmd: commands.BatchGetPersons, uow: MembershipUnitOfWork) -> list[Person]:
    """The persons named, in the order asked; NOT_FOUND naming every missing one (and then nothing is read or
    audited). Each person read is a line of the audit log, with the purpose."""
    purpose = check_purpose(cmd.purpose, "these people", "attendance at homework help")
    ids = _batch_ids(cmd.org, cmd.names)
    with uow:
        found = uow.persons.get_many(ids)
        missing = [(i, name) for i, (name, pid) in enumerate(zip(cmd.names, ids)) if pid not in found]
        if missing:
            raise NotFound(
                "There is no person " + ", ".join(name for _, name in missing) + " at this node; list or search "
                "persons to find the right names.", reason="PERSON_NOT_FOUND",
                violations=[FieldViolation(f"names[{i}]", "no such person") for i, _ in missing])
        for pid in dict.fromkeys(ids):
            uow.audit.record(cmd.actor, "person.read", PERSON.format(org=cmd.org, person=pid), purpose)
        uow.commit()
    return [found[pid] for pid in ids]


def update_person(cmd: commands.UpdatePerson, uow: MembershipUnitOfWork) -> Person:
    """Correct the masked fields (validated as a registration is); audited with which fields changed, never
    their values; a PersonUpdated fact with the changed fields' names and the statistical profile."""
    paths = check_update_mask(list(cmd.update_mask))

    def work() -> Person:
        person = _person(uow, cmd.person.id, cmd.resource, "list persons to find the right name")
        updated, changed = corrected(person, cmd.person, paths, today(), utcnow())
        if "chapter" in changed:
            check_chapter(uow, updated.chapter)
        if changed:
            uow.persons.update(updated)
            uow.facts.add(facts.PersonUpdated(
                person_id=updated.id, changed_fields=changed, birth_year=updated.birth_year, gender=updated.gender,
                updated_date=updated.update_time.date().isoformat()), key=updated.id)
        uow.audit.record(cmd.actor, "person.update", cmd.resource,
                         ("correction of " + ", ".join(changed)) if changed else "correction: nothing changed")
        return updated

    return run_once(uow, method="UpdatePerson", actor=cmd.actor, request_id=cmd.request_id, work=work,
                    identify=lambda p: p.id, load=lambda person_id: uow.persons.get(person_id))


def record_membership_year(cmd: commands.RecordMembershipYear, uow: MembershipUnitOfWork) -> MembershipYear:
    validate_membership_year(cmd.year, today())

    def work() -> MembershipYear:
        person = _person(uow, cmd.year.person_id, cmd.resource, "register the person first")
        year = dataclasses.replace(cmd.year, update_time=utcnow())
        uow.years.put(year)
        uow.facts.add(facts.MembershipYearRecorded(
            person_id=person.id, year=year.year, payment_state=year.payment_state, fee_nok=year.fee_nok,
            birth_year=person.birth_year, paid_date=year.paid_date), key=person.id)
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


# ---------------------------------------------------------------------------- households


def _household(uow: MembershipUnitOfWork, household_id: str, resource: str) -> Household:
    household = uow.households.get(household_id)
    if household is None:
        raise NotFound(f"There is no household {resource}; create it first, or check the name "
                       "(a person's household is in their household field).", reason="HOUSEHOLD_NOT_FOUND")
    return household


def create_household(cmd: commands.CreateHousehold, uow: MembershipUnitOfWork) -> Household:
    """An empty household; audited as household.create (its display name is not written to the log)."""
    validate_household(cmd.household)

    def work() -> Household:
        household = dataclasses.replace(cmd.household, id=new_id(), create_time=utcnow())
        uow.households.add(household)
        uow.audit.record(cmd.actor, "household.create", HOUSEHOLD.format(org=cmd.org, household=household.id))
        return household

    return run_once(uow, method="CreateHousehold", actor=cmd.actor, request_id=cmd.request_id, work=work,
                    identify=lambda h: h.id, load=lambda household_id: uow.households.get(household_id))


def get_household(cmd: commands.GetHousehold, uow: MembershipUnitOfWork) -> Household:
    """The household (its display name may hold a family's name): the read is audited as household.read."""
    with uow:
        household = _household(uow, cmd.household_id, cmd.resource)
        uow.audit.record(cmd.actor, "household.read", cmd.resource)
        uow.commit()
    return household


def _member_name(org: str, m: HouseholdMember) -> str:
    return HOUSEHOLD_MEMBER.format(org=org, household=m.household_id, person=m.person_id)


def _membership_changed(uow: MembershipUnitOfWork, m: HouseholdMember, change: int) -> None:
    uow.facts.add(facts.HouseholdMembershipChanged(
        household_id=m.household_id, person_id=m.person_id, role=m.role, change=change,
        changed_date=today().isoformat()), key=m.person_id)


def add_household_member(cmd: commands.AddHouseholdMember, uow: MembershipUnitOfWork) -> HouseholdMember:
    """The person as a member of the household with the role (a member added again takes the new role);
    FailedPrecondition when they are a member of another household. Audited, and a
    HouseholdMembershipChanged fact (ids and role, no names)."""
    role = check_role(cmd.role)
    household_name = HOUSEHOLD.format(org=cmd.org, household=cmd.household_id)
    person_name = PERSON.format(org=cmd.org, person=cmd.person_id)

    def work() -> HouseholdMember:
        _household(uow, cmd.household_id, household_name)
        _person(uow, cmd.person_id, person_name, "register the person first, or list persons to find the right name")
        current = uow.households.member_of(cmd.person_id)
        if current is not None:
            check_joinable(current, cmd.household_id, person_name,
                           HOUSEHOLD.format(org=cmd.org, household=current.household_id))
        member = HouseholdMember(household_id=cmd.household_id, person_id=cmd.person_id, role=int(role),
                                 create_time=current.create_time if current else utcnow())
        if current != member:
            uow.households.put_member(member)
            _membership_changed(uow, member, facts.HouseholdMembershipChanged.CHANGE_ADDED)
        uow.audit.record(cmd.actor, "household.member.add", _member_name(cmd.org, member), role.wire_name)
        return member

    def load(person_id: str) -> HouseholdMember:
        # The person's membership as it is now; as it was answered if they have been taken out since.
        now = uow.households.member_of(person_id)
        return now if now is not None else HouseholdMember(cmd.household_id, person_id, int(role))

    return run_once(uow, method="AddHouseholdMember", actor=cmd.actor, request_id=cmd.request_id, work=work,
                    identify=lambda m: m.person_id, load=load)


def remove_household_member(cmd: commands.RemoveHouseholdMember, uow: MembershipUnitOfWork) -> HouseholdMember:
    """Takes the person out of the household; the member as they were. NotFound when they are not a member
    of it. Audited, and a HouseholdMembershipChanged fact."""
    household_name = HOUSEHOLD.format(org=cmd.org, household=cmd.household_id)
    person_name = PERSON.format(org=cmd.org, person=cmd.person_id)

    def work() -> HouseholdMember:
        _household(uow, cmd.household_id, household_name)
        current = uow.households.member_of(cmd.person_id)
        if current is None or current.household_id != cmd.household_id:
            raise NotFound(f"{person_name} is not a member of household {household_name}; list the household's "
                           "members to find the right name.", reason="HOUSEHOLD_MEMBER_NOT_FOUND")
        uow.households.remove_member(cmd.person_id)
        _membership_changed(uow, current, facts.HouseholdMembershipChanged.CHANGE_REMOVED)
        uow.audit.record(cmd.actor, "household.member.remove", _member_name(cmd.org, current))
        return current

    def identify(m: HouseholdMember) -> str:
        return f"{m.household_id}/{m.person_id}/{m.role}"  # ids and the role's number: what a retry answers

    def load(key: str) -> HouseholdMember:
        household_id, person_id, role = key.split("/")
        return HouseholdMember(household_id, person_id, int(role))

    return run_once(uow, method="RemoveHouseholdMember", actor=cmd.actor, request_id=cmd.request_id, work=work,
                    identify=identify, load=load)


def list_household_members(cmd: commands.ListHouseholdMembers,
                           uow: MembershipUnitOfWork) -> tuple[list[HouseholdMember], str]:
    """A page of the household's members in the order they were added; audited with who and why."""
    purpose = check_purpose(cmd.purpose, "this household's members", "follow-up of homework help")
    size = page_size(cmd.page_size)
    after = MEMBERS_PAGE.decode(cmd.page_token, household=cmd.household_id)
    with uow:
        _household(uow, cmd.household_id, cmd.resource)
        page = uow.households.members(cmd.household_id, after, size)
        uow.audit.record(cmd.actor, "household.member.list", cmd.resource, purpose)
        uow.commit()
    return page.items, MEMBERS_PAGE.encode(page.next_key, household=cmd.household_id)
