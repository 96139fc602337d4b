"""Membership use cases on in-memory fakes: every rule, no database, no server."""
from __future__ import annotations

import base64
import dataclasses
import datetime as dt

import pytest

from brobygger.membership.v1 import membership_facts_pb2 as facts
from services.common.audit import list_entries
from services.common.auth import Principal
from services.common.errors import InvalidArgument, NotFound, PermissionDenied
from services.common.pagination import memory_page
from services.common.vocabulary import Gender
from services.membership.adapters.repository import (
    GroupRepository, HouseholdRepository, MembershipYearRepository, PersonRepository, RoleRepository,
)
from services.membership.domain.group import Group, GroupKind
from services.membership.domain import search
from services.membership.domain.model import MembershipYear, PaymentState, Person
from services.membership.service_layer import commands, handlers
from services.membership.service_layer.unit_of_work import MembershipUnitOfWork
from tests.fakes import FakeUnitOfWork, State, Store
from tests.service_layer.consent_fakes import FakeConsents


class FakePersons(PersonRepository):
    def __init__(self, rows: dict, members: dict, state: State | None = None) -> None:
        self.rows, self.members, self.state = rows, members, state

    def _holds(self, p, where) -> bool:
        """Whether every filter of where holds for p (what the SQL's semi-joins answer)."""
        if where is None:
            return True
        t = self.state.table
        member = self.members.get(p.id)
        year = t("membership_years").get((p.id, where.membership_year))
        return ((not where.group_id or (where.group_id, p.id) in t("group_members"))
                and (not where.household_id or (member is not None and member.household_id == where.household_id))
                and (not where.membership_year or (year is not None and (not where.paying or year.is_paying)))
                and (not where.role or any(a.person_id == p.id and a.role == where.role and a.held_on(where.role_date)
                                           for a in t("role_assignments").values())))

    def _out(self, person):
        member = self.members.get(person.id)
        return dataclasses.replace(person, household_id=member.household_id if member else "")

    def add(self, person):
        self.rows[person.id] = dataclasses.replace(person, household_id="")

    def update(self, person):
        assert person.id in self.rows
        self.rows[person.id] = dataclasses.replace(person, household_id="")

    def get(self, person_id):
        return self._out(self.rows[person_id]) if person_id in self.rows else None

    def get_many(self, person_ids):
        return {i: self._out(self.rows[i]) for i in person_ids if i in self.rows}

    def page(self, after, limit, *, words=None, chapter="", where=None):
        chosen = [self._out(p) for p in self.rows.values()
                  if search.matches(search.name_words(p.given_name, p.family_name), words or [])
                  and (not chapter or p.chapter == chapter) and self._holds(p, where)]
        return memory_page(chosen, lambda p: (p.create_time, p.id), after, limit, descending=True)


class FakeHouseholds(HouseholdRepository):
    def __init__(self, rows: dict, members: dict) -> None:
        self.rows, self.joined = rows, members

    def add(self, household):
        self.rows[household.id] = household

    def get(self, household_id):
        return self.rows.get(household_id)

    def member_of(self, person_id):
        return self.joined.get(person_id)

    def put_member(self, member):
        current = self.joined.get(member.person_id)
        self.joined[member.person_id] = (
            dataclasses.replace(member, create_time=current.create_time) if current else member)

    def remove_member(self, person_id):
        del self.joined[person_id]

    def members(self, household_id, after, limit):
        mine = [m for m in self.joined.values() if m.household_id == household_id]
        return memory_page(mine, lambda m: (m.create_time, m.person_id), after, limit)


class FakeYears(MembershipYearRepository):
    def __init__(self, rows: dict) -> None:
        self.rows = rows

    def put(self, year):
        self.rows[(year.person_id, year.year)] = year

    def get(self, person_id, year):
        return self.rows.get((person_id, year))

    def page(self, person_id, after, limit):
        mine = [y for (p, _), y in self.rows.items() if p == person_id]
        return memory_page(mine, lambda y: (y.year,), after, limit)


class FakeGroups(GroupRepository):
    def __init__(self, rows: dict, members: dict) -> None:
        self.rows, self.joined = rows, members

    def add(self, group):
        self.rows[group.id] = group

    def get(self, group_id):
        return self.rows.get(group_id)

    def update(self, group):
        self.rows[group.id] = group

    def page(self, after, limit, *, kind=0):
        return memory_page([g for g in self.rows.values() if not kind or g.kind == kind], lambda g: (g.id,), after,
                           limit)

    def ids(self, kind, limit):
        return sorted(g.id for g in self.rows.values() if g.kind == kind)[:limit]

    def member(self, group_id, person_id):
        return self.joined.get((group_id, person_id))

    def add_member(self, member):
        self.joined[(member.group_id, member.person_id)] = member

    def remove_member(self, group_id, person_id):
        del self.joined[(group_id, person_id)]

    def members(self, group_id, after, limit):
        mine = [m for m in self.joined.values() if m.group_id == group_id]
        return memory_page(mine, lambda m: (m.create_time, m.person_id), after, limit)

    def of_person(self, person_id, after, limit):
        mine = [m for m in self.joined.values() if m.person_id == person_id]
        return memory_page(mine, lambda m: (m.group_id,), after, limit)


class FakeRoles(RoleRepository):
    def __init__(self, rows: dict) -> None:
        self.rows = rows

    def add(self, assignment):
        self.rows[assignment.id] = assignment

    def get(self, assignment_id):
        return self.rows.get(assignment_id)

    def update(self, assignment):
        self.rows[assignment.id] = assignment

    def page(self, after, limit, *, person_id="", role=0, active_on=None):
        chosen = [a for a in self.rows.values() if (not person_id or a.person_id == person_id)
                  and (not role or a.role == role) and (active_on is None or a.held_on(active_on))]
        return memory_page(chosen, lambda a: (a.start_date, a.id), after, limit, descending=True)


class FakeMembershipUnitOfWork(FakeUnitOfWork, MembershipUnitOfWork):
    def open(self, state: State) -> None:
        self.persons = FakePersons(state.table("persons"), state.table("household_members"), state)
        self.groups = FakeGroups(state.table("groups"), state.table("group_members"))
        self.roles = FakeRoles(state.table("role_assignments"))
        self.years = FakeYears(state.table("membership_years"))
        self.households = FakeHouseholds(state.table("households"), state.table("household_members"))
        self.consents = FakeConsents(state.table("consents"))


COORDINATOR = Principal(subject="u-1", username="coordinator-mir", client_id="brobygger-web",
                        orgs=frozenset({"mir"}), roles=frozenset({"coordinator"}))
OTHER = dataclasses.replace(COORDINATOR, subject="u-2", username="coordinator-2")
NODE_SERVICE = Principal(subject="s-1", username="service-account-node-mir", client_id="node-mir",
                         orgs=frozenset({"mir"}), roles=frozenset({"node-service"}))
ORG = "organizations/mir"


# The chapters the tests' people name (a person's chapter must be a chapter group).
CHAPTERS = {"linderud": "MiR Linderud", "mir-ung": "MiR-Ung", "furuset": "MiR Furuset"}


def with_chapters(store: Store) -> Store:
    when = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    for chapter_id, display_name in CHAPTERS.items():
        store.state.table("groups")[chapter_id] = Group(chapter_id, GroupKind.CHAPTER, display_name, when, when)
    return store


@pytest.fixture
def store():
    return with_chapters(Store())


@pytest.fixture
def uow(store):
    return lambda: FakeMembershipUnitOfWork(store)


def amina(**overrides) -> Person:
    fields = dict(id="", given_name="Amina", family_name="Hussain", birth_year=1984, gender=Gender.FEMALE,
                  preferred_languages=["ur", "nb"], phone="+47 912 34 567", postal_code="0957",
                  municipality="Oslo", chapter="linderud")
    fields.update(overrides)
    return Person(**fields)


def register(uow, person=None, request_id="", actor=COORDINATOR) -> Person:
    return handlers.register_person(commands.RegisterPerson(person or amina(), actor, request_id), uow())


def test_register_stores_the_person_and_stages_a_fact_without_personal_data(uow, store):
    person = register(uow)
    assert person.id and person.create_time is not None
    assert store.state.table("persons")[person.id].given_name == "Amina"
    [fact] = store.state.facts
    assert fact.key == person.id and fact.type == "no.brobygger.membership.person_registered.v1"
    assert fact.message == facts.PersonRegistered(person_id=person.id, birth_year=1984, gender=Gender.FEMALE,
                                                  registered_date=person.create_time.date().isoformat())


def test_invalid_person_names_every_field_and_changes_nothing(uow, store):
    with pytest.raises(InvalidArgument) as err:
        register(uow, amina(given_name=" ", birth_year=1850, postal_code="12", gender=0, chapter="Linderud!",
                            preferred_languages=["Urdu"], email="nope", phone="12"))
    assert {v.field for v in err.value.violations} == {
        "person.given_name", "person.birth_year", "person.postal_code", "person.gender", "person.chapter",
        "person.preferred_languages[0]", "person.email", "person.phone"}
    assert store.commits == 0 and not store.state.facts


def test_get_person_is_audited_with_who_and_why(uow, store):
    person = register(uow)
    got = handlers.get_person(commands.GetPerson(person.id, f"organizations/mir/persons/{person.id}", COORDINATOR,
                                                 "follow-up"), uow())
    assert got == person
    assert [(a.actor, a.action, a.purpose) for a in store.state.audit] == [("coordinator-mir", "person.read",
                                                                            "follow-up")]


def test_an_unknown_person_is_not_found_and_nothing_is_audited(uow, store):
    with pytest.raises(NotFound) as err:
        handlers.get_person(commands.GetPerson("nobody", "organizations/mir/persons/nobody", COORDINATOR, "why"),
                            uow())
    assert err.value.reason == "PERSON_NOT_FOUND"
    assert store.state.audit == []


def test_profile_reads_are_audited_for_statistics(uow, store):
    person = register(uow)
    got = handlers.get_person_profile(commands.GetPersonProfile(person.id, "r", COORDINATOR), uow())
    assert (got.birth_year, got.gender) == (1984, Gender.FEMALE)
    assert [(a.action, a.purpose) for a in store.state.audit] == [("person.profile.read", "statistics")]


def test_a_profile_read_for_a_volunteer_names_the_volunteer_and_the_service(uow, store):
    person = register(uow)
    relayed = dataclasses.replace(NODE_SERVICE, on_behalf_of="volunteer-mir")
    handlers.get_person_profile(commands.GetPersonProfile(person.id, "r", relayed), uow())
    handlers.get_person_profile(commands.GetPersonProfile(person.id, "r", NODE_SERVICE), uow())
    assert [(a.actor, a.client) for a in store.state.audit] == [
        ("volunteer-mir", "service-account-node-mir on behalf of volunteer-mir"),
        ("service-account-node-mir", "node-mir")]


def persons_listing(page_size=0, page_token="", purpose="planning the swimming group", actor=COORDINATOR):
    return commands.ListPersons(ORG, page_size, page_token, actor, purpose)


def years_listing(person_id, page_size=0, page_token="", purpose="annual fee reminder"):
    return commands.ListMembershipYears(person_id, f"{ORG}/persons/{person_id}", page_size, page_token, COORDINATOR,
                                        purpose)


READS = {
    "GetPerson": lambda uow, p, purpose: handlers.get_person(
        commands.GetPerson(p.id, f"{ORG}/persons/{p.id}", COORDINATOR, purpose), uow()),
    "BatchGetPersons": lambda uow, p, purpose: handlers.batch_get_persons(
        commands.BatchGetPersons("mir", (f"{ORG}/persons/{p.id}",), COORDINATOR, purpose), uow()),
    "SearchPersons": lambda uow, p, purpose: handlers.list_persons(
        commands.ListPersons(ORG, actor=COORDINATOR, purpose=purpose, query="ami"), uow()),
    "ListPersons": lambda uow, p, purpose: handlers.list_persons(persons_listing(purpose=purpose), uow()),
    "ListMembershipYears": lambda uow, p, purpose: handlers.list_membership_years(
        years_listing(p.id, purpose=purpose), uow()),
}


@pytest.mark.parametrize("read", sorted(READS))
@pytest.mark.parametrize("purpose, reason", [("", "PURPOSE_REQUIRED"), ("   ", "PURPOSE_REQUIRED"),
                                             ("x" * 201, "INVALID_PURPOSE"), ("follow-up\nof", "INVALID_PURPOSE"),
                                             ("follow\u202eup", "INVALID_PURPOSE")])
def test_every_read_of_personal_data_needs_a_purpose(uow, store, read, purpose, reason):
    person = register(uow)
    with pytest.raises(InvalidArgument) as err:
        READS[read](uow, person, purpose)
    assert err.value.reason == reason and [v.field for v in err.value.violations] == ["purpose"]
    assert "purpose" in err.value.message and "e.g." in err.value.message
    assert store.state.audit == []


def test_a_purpose_is_stored_without_surrounding_blanks_and_may_be_200_characters(uow, store):
    person = register(uow)
    READS["GetPerson"](uow, person, "  follow-up  ")
    READS["GetPerson"](uow, person, "x" * 200)
    assert [a.purpose for a in store.state.audit] == ["follow-up", "x" * 200]


def test_each_listing_of_persons_is_audited_once_with_its_parent_and_purpose(uow, store):
    for i in range(3):
        register(uow, amina(given_name=f"P{i}"))
    people, token = handlers.list_persons(persons_listing(page_size=2), uow())
    handlers.list_persons(persons_listing(page_size=2, page_token=token, purpose="second page"), uow())
    assert len(people) == 2
    assert [(a.actor, a.action, a.resource, a.purpose) for a in store.state.audit] == [
        ("coordinator-mir", "person.list", ORG, "planning the swimming group"),
        ("coordinator-mir", "person.list", ORG, "second page")]


def test_a_listing_of_membership_years_is_audited_with_the_person(uow, store):
    person = register(uow)
    record(uow, year(person.id))
    years, _ = handlers.list_membership_years(years_listing(person.id), uow())
    assert [y.year for y in years] == [2026]
    assert [(a.action, a.resource, a.purpose) for a in store.state.audit] == [
        ("membership_year.list", f"{ORG}/persons/{person.id}", "annual fee reminder")]


def test_a_repeated_request_id_registers_once_and_answers_the_same(uow, store):
    first = register(uow, request_id="r-1")
    again = register(uow, request_id="r-1")
    assert again == first
    assert len(store.state.table("persons")) == 1 and len(store.state.facts) == 1
    assert store.state.requests == {"RegisterPerson:u-1:r-1": first.id}


def test_a_request_id_is_the_callers_own(uow, store):
    first = register(uow, request_id="r-1")
    theirs = register(uow, request_id="r-1", actor=OTHER)
    assert theirs.id != first.id and len(store.state.table("persons")) == 2


def test_a_too_long_request_id_is_refused(uow):
    with pytest.raises(InvalidArgument) as err:
        register(uow, request_id="x" * 101)
    assert err.value.reason == "INVALID_REQUEST_ID"


def test_persons_are_listed_newest_first_in_pages(uow):
    ids = [register(uow, amina(given_name=f"P{i}")).id for i in range(5)]
    seen, token = [], ""
    while True:
        people, token = handlers.list_persons(persons_listing(2, token), uow())
        assert len(people) <= 2
        seen += [p.id for p in people]
        if not token:
            break
    assert seen == list(reversed(ids))


@pytest.mark.parametrize("token", ["garbage!", "e30", "eyJrIjpbMV19"])
def test_a_page_token_not_issued_by_the_listing_is_refused(uow, token):
    with pytest.raises(InvalidArgument) as err:
        handlers.list_persons(persons_listing(2, token), uow())
    assert err.value.reason == "INVALID_PAGE_TOKEN"


def test_a_negative_page_size_is_refused(uow):
    with pytest.raises(InvalidArgument) as err:
        handlers.list_persons(persons_listing(-1), uow())
    assert err.value.reason == "INVALID_PAGE_SIZE"


def year(person_id: str, **overrides) -> MembershipYear:
    fields = dict(person_id=person_id, year=2026, fee_nok=200, payment_state=PaymentState.PAID, paid_date="2026-02-01")
    fields.update(overrides)
    return MembershipYear(**fields)


def record(uow, y: MembershipYear, request_id=""):
    return handlers.record_membership_year(
        commands.RecordMembershipYear(y, f"organizations/mir/persons/{y.person_id}", COORDINATOR, request_id), uow())


def test_a_membership_year_is_recorded_replaced_and_counted_as_a_fact(uow, store):
    person = register(uow)
    record(uow, year(person.id, payment_state=PaymentState.UNPAID, fee_nok=200, paid_date=""))
    record(uow, year(person.id))
    rows = store.state.table("membership_years")
    assert list(rows) == [(person.id, 2026)] and rows[(person.id, 2026)].is_paying
    recorded = [f.message for f in store.state.facts if isinstance(f.message, facts.MembershipYearRecorded)]
    assert [(m.year, m.payment_state, m.birth_year) for m in recorded] == [
        (2026, PaymentState.UNPAID, 1984), (2026, PaymentState.PAID, 1984)]


def test_a_paid_year_needs_its_fee_and_a_past_paid_date(uow):
    person = register(uow)
    with pytest.raises(InvalidArgument) as err:
        record(uow, year(person.id, fee_nok=0, paid_date="2999-01-01"))
    assert {(v.field, v.description) for v in err.value.violations} >= {
        ("membership_year.fee_nok", "a paid membership needs the fee that was paid"),
        ("membership_year.paid_date", "cannot be in the future")}


def test_a_year_for_an_unknown_person_is_not_found_and_stages_nothing(uow, store):
    with pytest.raises(NotFound):
        record(uow, year("nobody"))
    assert store.state.facts == [] and store.commits == 0


def test_a_repeated_year_request_answers_the_year(uow, store):
    person = register(uow)
    first = record(uow, year(person.id), request_id="y-1")
    again = record(uow, year(person.id, fee_nok=999), request_id="y-1")
    assert again == first and len(store.state.facts) == 2  # the registration and one year


def test_years_are_listed_in_order_in_pages_of_one_person(uow):
    person, other = register(uow), register(uow, amina(given_name="Other"))
    for y in (2024, 2026, 2025):
        record(uow, year(person.id, year=y))
    record(uow, year(other.id, year=2023))
    cmd = years_listing(person.id, page_size=2)
    first, token = handlers.list_membership_years(cmd, uow())
    rest, last = handlers.list_membership_years(dataclasses.replace(cmd, page_token=token), uow())
    assert [y.year for y in first + rest] == [2024, 2025, 2026] and last == ""
    with pytest.raises(InvalidArgument):  # a token of one person's listing is not another's
        handlers.list_membership_years(years_listing(other.id, 2, token), uow())


def test_years_of_an_unknown_person_are_not_found_and_nothing_is_audited(uow, store):
    with pytest.raises(NotFound):
        handlers.list_membership_years(years_listing("nobody"), uow())
    assert store.state.audit == []


# ---------------------------------------------------------------------------- the audit log


def audit_log(uow, actor=COORDINATOR, **kw):
    return list_entries(commands.ListAuditEntries(ORG, actor=actor, **kw), uow())


def test_coordinators_read_the_audit_log_newest_first_and_the_read_is_audited(uow, store):
    person = register(uow)
    name = f"{ORG}/persons/{person.id}"
    READS["GetPerson"](uow, person, "follow-up")
    handlers.list_persons(persons_listing(), uow())
    entries, token = audit_log(uow)
    assert token == ""
    assert [(e.actor, e.client, e.action, e.resource, e.purpose) for e in entries] == [
        ("coordinator-mir", "brobygger-web", "person.list", ORG, "planning the swimming group"),
        ("coordinator-mir", "brobygger-web", "person.read", name, "follow-up")]
    assert entries[0].sequence > entries[1].sequence and entries[0].at is not None
    # The read of the log is itself a line of it, seen on the next read.
    newest, _ = audit_log(uow, page_size=1)
    assert [(e.action, e.resource, e.purpose) for e in newest] == [("audit.list", f"{ORG}/auditEntries",
                                                                     "audit review")]


def test_the_audit_log_filters_by_resource_and_actor_and_pages(uow, store):
    person = register(uow)
    name = f"{ORG}/persons/{person.id}"
    for purpose in ("first", "second", "third"):
        READS["GetPerson"](uow, person, purpose)
    handlers.get_person(commands.GetPerson(person.id, name, OTHER, "theirs"), uow())
    seen, token = [], ""
    while True:
        page, token = audit_log(uow, resource=name, by_actor="coordinator-mir", page_size=2, page_token=token)
        assert len(page) <= 2
        seen += [e.purpose for e in page]
        if not token:
            break
    assert seen == ["third", "second", "first"]
    by_other, _ = audit_log(uow, by_actor="coordinator-2")
    assert [e.purpose for e in by_other] == ["theirs"]
    # Each read of the log is audited with its filters.
    assert store.state.audit[-1].resource == f"{ORG}/auditEntries?actor=coordinator-2"
    with pytest.raises(InvalidArgument) as err:  # a token of one filter's listing is not another's
        _, token = audit_log(uow, resource=name, page_size=1)
        audit_log(uow, resource=f"{name}x", page_token=token)
    assert err.value.reason == "INVALID_PAGE_TOKEN"


def test_audit_log_filters_are_checked(uow, store):
    with pytest.raises(InvalidArgument) as err:
        audit_log(uow, resource="r" * 301, by_actor="a\u200bb")
    assert {v.field for v in err.value.violations} == {"resource", "actor"}
    assert store.state.audit == []


# ---------------------------------------------------------------------------- searching


VOLUNTEER = Principal(subject="u-3", username="volunteer-mir", client_id="brobygger-web",
                      orgs=frozenset({"mir"}), roles=frozenset({"volunteer"}))
PEOPLE = [("Amina", "Khan", "linderud"), ("Øyvind", "Ås", "linderud"), ("Åsne", "Bjørnstad-Ærø", "mir-ung"),
          ("Hüseyin", "Yılmaz", "linderud"), ("عليّ", "حسين", "linderud"), ("فاطمہ", "ملک", "mir-ung"),
          ("Muhammad", "Al-Hassan", "linderud"), ("Khadija", "Amin", "linderud")]


@pytest.fixture
def people(uow):
    return {f"{g} {f}": register(uow, amina(given_name=g, family_name=f, chapter=c)) for g, f, c in PEOPLE}


def search_names(uow, query, chapter="", actor=COORDINATOR, page_size=0):
    found, _ = handlers.list_persons(commands.ListPersons(ORG, page_size, "", actor, "adding to the session",
                                                          query, chapter), uow())
    return sorted(f"{p.given_name} {p.family_name}" for p in found)


@pytest.mark.parametrize("query, expected", [
    ("ami kh", ["Amina Khan", "Khadija Amin"]),  # each word starts a word of the name, in any order
    ("AMINA kh", ["Amina Khan"]),
    ("min", []),  # inside a word is no match
    ("oyv", ["Øyvind Ås"]), ("ØYV ås", ["Øyvind Ås"]), ("as", ["Åsne Bjørnstad-Ærø", "Øyvind Ås"]),
    ("bjornstad aer", ["Åsne Bjørnstad-Ærø"]), ("bjørnstadærø", ["Åsne Bjørnstad-Ærø"]),
    ("huseyin yil", ["Hüseyin Yılmaz"]),
    ("علي", ["عليّ حسين"]), ("علی حس", ["عليّ حسين"]),  # shadda dropped; Urdu and Arabic yeh alike
    ("فاطمه", []), ("فاطمہ مل", ["فاطمہ ملک"]), ("ملك", ["فاطمہ ملک"]),  # Arabic kaf finds Urdu keheh
    ("al-hassan", ["Muhammad Al-Hassan"]), ("alhas", ["Muhammad Al-Hassan"]), ("hassan", ["Muhammad Al-Hassan"]),
])
def test_a_search_matches_the_start_of_each_word_whatever_the_case_and_accents(uow, people, query, expected):
    assert search_names(uow, query) == expected


def test_a_search_combines_with_a_chapter_and_a_chapter_alone_filters(uow, people):
    assert search_names(uow, "as", chapter="mir-ung") == ["Åsne Bjørnstad-Ærø"]
    assert search_names(uow, "", chapter="mir-ung") == ["Åsne Bjørnstad-Ærø", "فاطمہ ملک"]


def test_a_search_pages_newest_first_and_its_token_belongs_to_its_query(uow, people):
    cmd = commands.ListPersons(ORG, 2, "", COORDINATOR, "adding to the session", "a", "linderud")
    seen, token = [], ""
    while True:
        page, token = handlers.list_persons(dataclasses.replace(cmd, page_token=token), uow())
        assert len(page) <= 2
        seen += [p.id for p in page]
        if not token:
            break
        assert "Amina" not in base64.urlsafe_b64decode(token + "==").decode()  # only a digest of the query
    expected = [p.id for n, p in reversed(people.items())
                if p.chapter == "linderud" and search.matches(search.name_words(p.given_name, p.family_name), ["a"])]
    assert seen == expected and len(seen) == 4  # Amina Khan, Øyvind Ås, Muhammad Al-Hassan, Khadija Amin
    _, token = handlers.list_persons(cmd, uow())
    for other in (dataclasses.replace(cmd, query="ami"), dataclasses.replace(cmd, chapter="mir-ung"),
                  dataclasses.replace(cmd, query="")):
        with pytest.raises(InvalidArgument) as err:
            handlers.list_persons(dataclasses.replace(other, page_token=token), uow())
        assert err.value.reason == "INVALID_PAGE_TOKEN"
    # The same words, written otherwise, are the same query.
    handlers.list_persons(dataclasses.replace(cmd, query=" A ", page_token=token), uow())


def test_a_search_is_audited_as_a_search_without_the_query(uow, store, people):
    store.state.audit.clear()
    search_names(uow, "ami kh", chapter="linderud")
    search_names(uow, "", chapter="linderud")
    assert [(a.actor, a.action, a.resource, a.purpose) for a in store.state.audit] == [
        ("coordinator-mir", "person.search", f"{ORG}?chapter=linderud", "adding to the session"),
        ("coordinator-mir", "person.list", f"{ORG}?chapter=linderud", "adding to the session")]
    assert not any("ami" in repr(a).lower() or " kh" in repr(a).lower() for a in store.state.audit)


def test_volunteers_search_but_do_not_list_the_register(uow, store, people):
    assert search_names(uow, "amina kh", actor=VOLUNTEER) == ["Amina Khan"]
    for chapter in ("", "linderud"):
        with pytest.raises(PermissionDenied) as err:
            search_names(uow, " ", chapter=chapter, actor=VOLUNTEER)
        assert err.value.reason == "QUERY_REQUIRED" and [v.field for v in err.value.violations] == ["query"]
    assert [a.action for a in store.state.audit if a.actor == "volunteer-mir"] == ["person.search"]


@pytest.mark.parametrize("query, chapter, field", [
    ("a" * 101, "", "query"), ("ami\u202ekh", "", "query"), ("- ' .", "", "query"), ("a b c d e f g", "", "query"),
    ("ami", "Linderud!", "chapter"),
])
def test_bad_search_filters_are_refused_naming_the_field(uow, store, query, chapter, field):
    with pytest.raises(InvalidArgument) as err:
        search_names(uow, query, chapter=chapter)
    assert [v.field for v in err.value.violations] == [field]
    assert query not in err.value.message or not query.strip()
    assert store.state.audit == []


# ---------------------------------------------------------------------------- correcting


def update(uow, person_id, mask, actor=COORDINATOR, request_id="", **values):
    patch = amina(id=person_id, given_name="", family_name="", birth_year=0, gender=0, preferred_languages=[],
                  phone="", postal_code="", municipality="", chapter="")
    patch = dataclasses.replace(patch, **values)
    return handlers.update_person(commands.UpdatePerson(patch, f"{ORG}/persons/{person_id}", tuple(mask), actor,
                                                        request_id), uow())


def test_an_update_changes_only_the_masked_fields_and_tells_reporting_the_profile(uow, store):
    person = register(uow)
    updated = update(uow, person.id, ["phone", "birth_year", "email"], phone="+47 400 00 000", birth_year=1986,
                     given_name="Ignored")
    assert (updated.phone, updated.birth_year, updated.email, updated.given_name) == ("+47 400 00 000", 1986, "",
                                                                                     "Amina")
    assert updated.update_time > person.update_time and updated.create_time == person.create_time
    assert store.state.table("persons")[person.id] == updated
    fact = store.state.facts[-1]
    assert fact.type == "no.brobygger.membership.person_updated.v1" and fact.key == person.id
    assert fact.message == facts.PersonUpdated(person_id=person.id, changed_fields=["phone", "birth_year"],
                                               birth_year=1986, gender=Gender.FEMALE,
                                               updated_date=updated.update_time.date().isoformat())
    [line] = store.state.audit
    assert (line.actor, line.action, line.resource, line.purpose) == (
        "coordinator-mir", "person.update", f"{ORG}/persons/{person.id}", "correction of phone, birth_year")


def test_an_update_that_changes_nothing_stages_no_fact(uow, store):
    person = register(uow)
    same = update(uow, person.id, ["chapter", "chapter"], chapter="linderud")
    assert same == person and len(store.state.facts) == 1
    assert store.state.audit[-1].purpose == "correction: nothing changed"


@pytest.mark.parametrize("mask", [[], [""], ["*"], ["phone", "*"]])
def test_an_empty_or_wildcard_mask_is_refused_listing_the_fields(uow, store, mask):
    person = register(uow)
    with pytest.raises(InvalidArgument) as err:
        update(uow, person.id, mask, phone="+47 400 00 000")
    assert err.value.reason == "UPDATE_MASK_REQUIRED" and [v.field for v in err.value.violations] == ["update_mask"]
    assert "given_name, family_name, birth_year, gender, preferred_languages, email, phone, postal_code, " \
           "municipality, chapter" in err.value.message
    assert len(store.state.facts) == 1 and store.state.audit == []


def test_a_mask_naming_what_cannot_be_corrected_is_refused_naming_each_path(uow):
    person = register(uow)
    with pytest.raises(InvalidArgument) as err:
        update(uow, person.id, ["phone", "name", "create_time", "household"])
    assert err.value.reason == "INVALID_UPDATE_MASK"
    assert [v.field for v in err.value.violations] == ["update_mask.paths[1]", "update_mask.paths[2]",
                                                       "update_mask.paths[3]"]
    assert "correctable" in err.value.message.lower()


def test_an_update_is_validated_as_a_registration_is(uow, store):
    person = register(uow)
    with pytest.raises(InvalidArgument) as err:
        update(uow, person.id, ["given_name", "email", "gender", "postal_code"], given_name=" ", email="nope",
               postal_code="12")
    assert {v.field for v in err.value.violations} == {"person.given_name", "person.email", "person.gender",
                                                       "person.postal_code"}
    assert store.state.table("persons")[person.id] == person and len(store.state.facts) == 1


def test_clearing_a_field_is_a_change(uow, store):
    person = register(uow)
    updated = update(uow, person.id, ["phone", "preferred_languages"])
    assert (updated.phone, updated.preferred_languages) == ("", [])
    assert list(store.state.facts[-1].message.changed_fields) == ["phone", "preferred_languages"]


def test_a_repeated_update_request_corrects_once(uow, store):
    person = register(uow)
    first = update(uow, person.id, ["birth_year"], request_id="u-1", birth_year=1985)
    again = update(uow, person.id, ["birth_year"], request_id="u-1", birth_year=1990)
    assert again == first and again.birth_year == 1985
    assert [f.type for f in store.state.facts].count("no.brobygger.membership.person_updated.v1") == 1


def test_an_update_of_an_unknown_person_is_not_found(uow, store):
    with pytest.raises(NotFound) as err:
        update(uow, "nobody", ["phone"], phone="+47 400 00 000")
    assert err.value.reason == "PERSON_NOT_FOUND" and store.commits == 0


# ---------------------------------------------------------------------------- reading a batch


def batch(uow, names, purpose="attendance at homework help", actor=COORDINATOR):
    return handlers.batch_get_persons(commands.BatchGetPersons("mir", tuple(names), actor, purpose), uow())


def test_a_batch_comes_back_in_the_order_asked_and_each_person_is_audited(uow, store, people):
    a, b, c = people["Amina Khan"], people["عليّ حسين"], people["Øyvind Ås"]
    store.state.audit.clear()
    names = [f"{ORG}/persons/{p.id}" for p in (b, a, c, b)]
    got = batch(uow, names, actor=VOLUNTEER)
    assert [p.id for p in got] == [b.id, a.id, c.id, b.id]
    assert [(x.actor, x.action, x.resource, x.purpose) for x in store.state.audit] == [
        ("volunteer-mir", "person.read", name, "attendance at homework help") for name in names[:3]]


def test_a_batch_with_missing_persons_fails_naming_them_and_reads_nothing(uow, store, people):
    a = people["Amina Khan"]
    store.state.audit.clear()
    with pytest.raises(NotFound) as err:
        batch(uow, [f"{ORG}/persons/gone1", f"{ORG}/persons/{a.id}", f"{ORG}/persons/gone2"])
    assert err.value.reason == "PERSON_NOT_FOUND"
    assert f"{ORG}/persons/gone1" in err.value.message and f"{ORG}/persons/gone2" in err.value.message
    assert [v.field for v in err.value.violations] == ["names[0]", "names[2]"]
    assert store.state.audit == []


def test_a_batch_naming_another_organisation_or_malformed_names_is_refused(uow, store, people):
    a = people["Amina Khan"]
    with pytest.raises(InvalidArgument) as err:
        batch(uow, [f"{ORG}/persons/{a.id}", "organizations/mira/persons/x1", "persons/x2"])
    assert err.value.reason == "WRONG_ORGANIZATION"
    assert [v.field for v in err.value.violations] == ["names[1]", "names[2]"]
    with pytest.raises(InvalidArgument) as err:
        batch(uow, ["persons/x2"])
    assert err.value.reason == "INVALID_NAME"
    for names in ([], [f"{ORG}/persons/{a.id}"] * 101):
        with pytest.raises(InvalidArgument) as err:
            batch(uow, names)
        assert err.value.reason == "INVALID_BATCH_SIZE" and err.value.violations[0].field == "names"
    assert store.state.audit == [] or all(x.action != "person.read" for x in store.state.audit)
    assert len(batch(uow, [f"{ORG}/persons/{a.id}"] * 100)) == 100
