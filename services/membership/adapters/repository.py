"""Persons, membership years and households in and out of the database.

The abstract repositories say what the service layer may ask; the SQL ones
answer it. Tests of the service layer use in-memory ones (tests/fakes.py).
"""
from __future__ import annotations

import abc
import datetime as dt

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.common.pagination import Key, Page, sql_page
from services.common.vocabulary import PAYING_STATES
from services.membership.adapters.orm import (
    group_members, groups, household_members, households, membership_years, persons, renewal_entries, renewals,
    role_assignments,
)
from services.membership.domain.group import Group, GroupMember
from services.membership.domain.household import Household, HouseholdMember
from services.membership.domain.model import MembershipYear, Person
from services.membership.domain.person_filter import PersonFilter
from services.membership.domain.renewal import AppliedRenewal, Entry, FeeSource, Outcome, Plan, Reason
from services.membership.domain.roles import RoleAssignment
from services.membership.domain.search import name_words


class PersonRepository(abc.ABC):
    """Persons come back with household_id set from the household members (never stored by add/update)."""

    @abc.abstractmethod
    def add(self, person: Person) -> None: ...

    @abc.abstractmethod
    def get(self, person_id: str) -> Person | None: ...

    @abc.abstractmethod
    def update(self, person: Person) -> None:
        """Replace the stored person with the same id (its create_time kept)."""

    @abc.abstractmethod
    def get_many(self, person_ids: list[str]) -> dict[str, Person]:
        """The persons of those ids that exist, by id."""

    @abc.abstractmethod
    def page(self, after: Key | None, limit: int, *, words: list[str] | None = None,
             chapter: str = "", where: PersonFilter | None = None) -> Page[Person]:
        """Newest first, keyed by (create_time, id); with words, only persons each of whose words starts a
        word of their name (services.membership.domain.search); with chapter, only that chapter's; with
        where, only those its every filter holds for (services.membership.domain.person_filter)."""


class MembershipYearRepository(abc.ABC):
    @abc.abstractmethod
    def put(self, year: MembershipYear) -> None:
        """Insert the year or replace the one recorded for the same person and year."""

    @abc.abstractmethod
    def get(self, person_id: str, year: int) -> MembershipYear | None: ...

    @abc.abstractmethod
    def page(self, person_id: str, after: Key | None, limit: int) -> Page[MembershipYear]:
        """A person's years in order, keyed by (year,)."""


class HouseholdRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, household: Household) -> None: ...

    @abc.abstractmethod
    def get(self, household_id: str) -> Household | None: ...

    @abc.abstractmethod
    def member_of(self, person_id: str) -> HouseholdMember | None:
        """The person's membership of a household, if any (a person is in at most one)."""

    @abc.abstractmethod
    def put_member(self, member: HouseholdMember) -> None:
        """Insert the membership or replace the person's one (its create_time kept)."""

    @abc.abstractmethod
    def remove_member(self, person_id: str) -> None: ...

    @abc.abstractmethod
    def members(self, household_id: str, after: Key | None, limit: int) -> Page[HouseholdMember]:
        """A household's members in the order they were added, keyed by (create_time, person_id)."""


def _to_person(row) -> Person:
    return Person(
        id=row.id, given_name=row.given_name, family_name=row.family_name, birth_year=row.birth_year,
        gender=row.gender, preferred_languages=[x for x in row.preferred_languages.split(",") if x],
        email=row.email, phone=row.phone, postal_code=row.postal_code, municipality=row.municipality,
        chapter=row.chapter, create_time=row.create_time, update_time=row.update_time,
        household_id=row.household_id or "",
    )


# Persons with the household they are a member of, if any.
_PERSONS = sa.select(persons, household_members.c.household_id).select_from(
    persons.outerjoin(household_members, household_members.c.person_id == persons.c.id))


def _filtered(f: PersonFilter) -> list[sa.ColumnElement]:
    """The conditions of a filter, each a semi-join on an index whose key starts with the person's id (or the
    group's id and the person's id), so each person the listing passes is checked with one index lookup."""
    out: list[sa.ColumnElement] = []
    if f.group_id:
        out.append(sa.exists().where(group_members.c.group_id == f.group_id,
                                     group_members.c.person_id == persons.c.id))
    if f.household_id:
        out.append(household_members.c.household_id == f.household_id)
    if f.membership_year:
        year = [membership_years.c.person_id == persons.c.id, membership_years.c.year == f.membership_year]
        if f.paying:
            year.append(membership_years.c.payment_state.in_(sorted(int(s) for s in PAYING_STATES)))
        out.append(sa.exists().where(*year))
    if f.role:
        out.append(sa.exists().where(
            role_assignments.c.person_id == persons.c.id, role_assignments.c.role == f.role,
            role_assignments.c.start_date <= f.role_date,
            sa.or_(role_assignments.c.end_date.is_(None), role_assignments.c.end_date >= f.role_date)))
    return out


def _to_year(row) -> MembershipYear:
    return MembershipYear(person_id=row.person_id, year=row.year, fee_nok=row.fee_nok,
                          payment_state=row.payment_state, paid_date=row.paid_date, update_time=row.update_time)


class SqlPersonRepository(PersonRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    @staticmethod
    def _values(p: Person) -> dict:
        return dict(
            given_name=p.given_name, family_name=p.family_name, birth_year=p.birth_year, gender=p.gender,
            preferred_languages=",".join(p.preferred_languages), email=p.email, phone=p.phone,
            postal_code=p.postal_code, municipality=p.municipality, chapter=p.chapter, update_time=p.update_time,
            search_words=name_words(p.given_name, p.family_name),
        )

    def add(self, p: Person) -> None:
        self.conn.execute(persons.insert().values(id=p.id, create_time=p.create_time, **self._values(p)))

    def update(self, p: Person) -> None:
        self.conn.execute(persons.update().where(persons.c.id == p.id).values(**self._values(p)))

    def get(self, person_id: str) -> Person | None:
        row = self.conn.execute(_PERSONS.where(persons.c.id == person_id)).first()
        return _to_person(row) if row else None

    def get_many(self, person_ids: list[str]) -> dict[str, Person]:
        if not person_ids:
            return {}
        rows = self.conn.execute(_PERSONS.where(persons.c.id.in_(sorted(set(person_ids))))).all()
        return {row.id: _to_person(row) for row in rows}

    def page(self, after: Key | None, limit: int, *, words: list[str] | None = None,
             chapter: str = "", where: PersonFilter | None = None) -> Page[Person]:
        query = _PERSONS
        for word in words or ():
            # The stored string puts a space before every word: ' amina khan' holds ' kh', not ' min'.
            query = query.where(persons.c.search_words.contains(f" {word}", autoescape=True))
        if chapter:
            query = query.where(persons.c.chapter == chapter)
        if where:
            query = query.where(*_filtered(where))
        return sql_page(self.conn, query, (persons.c.create_time, persons.c.id), after, limit, _to_person,
                        descending=True)


class SqlMembershipYearRepository(MembershipYearRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def _key(self, person_id: str, year: int):
        return (membership_years.c.person_id == person_id) & (membership_years.c.year == year)

    def put(self, m: MembershipYear) -> None:
        values = dict(fee_nok=m.fee_nok, payment_state=m.payment_state, paid_date=m.paid_date,
                      update_time=m.update_time)
        if self.get(m.person_id, m.year) is not None:
            self.conn.execute(membership_years.update().where(self._key(m.person_id, m.year)).values(**values))
        else:
            self.conn.execute(membership_years.insert().values(person_id=m.person_id, year=m.year, **values))

    def get(self, person_id: str, year: int) -> MembershipYear | None:
        row = self.conn.execute(sa.select(membership_years).where(self._key(person_id, year))).first()
        return _to_year(row) if row else None

    def page(self, person_id: str, after: Key | None, limit: int) -> Page[MembershipYear]:
        query = sa.select(membership_years).where(membership_years.c.person_id == person_id)
        return sql_page(self.conn, query, (membership_years.c.year,), after, limit, _to_year)


def _to_member(row) -> HouseholdMember:
    return HouseholdMember(household_id=row.household_id, person_id=row.person_id, role=row.role,
                           create_time=row.create_time)


class SqlHouseholdRepository(HouseholdRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, h: Household) -> None:
        self.conn.execute(households.insert().values(id=h.id, display_name=h.display_name, create_time=h.create_time))

    def get(self, household_id: str) -> Household | None:
        row = self.conn.execute(sa.select(households).where(households.c.id == household_id)).first()
        return Household(id=row.id, display_name=row.display_name, create_time=row.create_time) if row else None

    def member_of(self, person_id: str) -> HouseholdMember | None:
        row = self.conn.execute(sa.select(household_members).where(household_members.c.person_id == person_id)).first()
        return _to_member(row) if row else None

    def put_member(self, m: HouseholdMember) -> None:
        if self.member_of(m.person_id) is not None:
            self.conn.execute(household_members.update().where(household_members.c.person_id == m.person_id)
                              .values(household_id=m.household_id, role=m.role))
        else:
            self.conn.execute(household_members.insert().values(
                person_id=m.person_id, household_id=m.household_id, role=m.role, create_time=m.create_time))

    def remove_member(self, person_id: str) -> None:
        self.conn.execute(household_members.delete().where(household_members.c.person_id == person_id))

    def members(self, household_id: str, after: Key | None, limit: int) -> Page[HouseholdMember]:
        query = sa.select(household_members).where(household_members.c.household_id == household_id)
        return sql_page(self.conn, query, (household_members.c.create_time, household_members.c.person_id), after,
                        limit, _to_member)


class RenewalRepository(abc.ABC):
    """Membership years by year (every person's), and the renewals applied."""

    @abc.abstractmethod
    def years_of(self, years: list[int]) -> list[MembershipYear]:
        """Every person's membership years of those years."""

    @abc.abstractmethod
    def add(self, renewal: AppliedRenewal) -> None: ...

    @abc.abstractmethod
    def get(self, renewal_id: str) -> AppliedRenewal | None: ...


class SqlRenewalRepository(RenewalRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def years_of(self, years: list[int]) -> list[MembershipYear]:
        if not years:
            return []
        query = (sa.select(membership_years).where(membership_years.c.year.in_(sorted(set(years))))
                 .order_by(membership_years.c.year, membership_years.c.person_id))
        return [_to_year(row) for row in self.conn.execute(query)]

    def add(self, r: AppliedRenewal) -> None:
        self.conn.execute(renewals.insert().values(id=r.id, from_year=r.plan.from_year, apply_time=r.apply_time))
        if r.plan.entries:
            self.conn.execute(renewal_entries.insert(), [dict(
                renewal_id=r.id, person_id=e.person_id, outcome=int(e.outcome), reason=int(e.reason),
                from_state=e.from_state, from_fee_nok=e.from_fee_nok, to_fee_nok=e.to_fee_nok,
                fee_source=int(e.fee_source or 0), to_state=e.to_state) for e in r.plan.entries])

    def get(self, renewal_id: str) -> AppliedRenewal | None:
        row = self.conn.execute(sa.select(renewals).where(renewals.c.id == renewal_id)).first()
        if row is None:
            return None
        rows = self.conn.execute(sa.select(renewal_entries).where(renewal_entries.c.renewal_id == renewal_id)
                                 .order_by(renewal_entries.c.person_id)).all()
        entries = tuple(Entry(e.person_id, Outcome(e.outcome), Reason(e.reason), e.from_state, e.from_fee_nok,
                              e.to_fee_nok, FeeSource(e.fee_source) if e.fee_source else None, e.to_state)
                        for e in rows)
        return AppliedRenewal(row.id, Plan(row.from_year, entries), row.apply_time)


# ---------------------------------------------------------------------------- groups and roles


class GroupRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, group: Group) -> None: ...

    @abc.abstractmethod
    def get(self, group_id: str) -> Group | None: ...

    @abc.abstractmethod
    def update(self, group: Group) -> None: ...

    @abc.abstractmethod
    def page(self, after: Key | None, limit: int, *, kind: int = 0) -> Page[Group]:
        """Groups by id, keyed by (id,); with kind, only that kind."""

    @abc.abstractmethod
    def ids(self, kind: int, limit: int) -> list[str]:
        """The first ids of groups of a kind, by id (to name them in a message)."""

    @abc.abstractmethod
    def member(self, group_id: str, person_id: str) -> GroupMember | None: ...

    @abc.abstractmethod
    def add_member(self, member: GroupMember) -> None: ...

    @abc.abstractmethod
    def remove_member(self, group_id: str, person_id: str) -> None: ...

    @abc.abstractmethod
    def members(self, group_id: str, after: Key | None, limit: int) -> Page[GroupMember]:
        """A group's members in the order they were added, keyed by (create_time, person_id)."""

    @abc.abstractmethod
    def of_person(self, person_id: str, after: Key | None, limit: int) -> Page[GroupMember]:
        """A person's memberships by group id, keyed by (group_id,)."""


class RoleRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, assignment: RoleAssignment) -> None: ...

    @abc.abstractmethod
    def get(self, assignment_id: str) -> RoleAssignment | None: ...

    @abc.abstractmethod
    def update(self, assignment: RoleAssignment) -> None: ...

    @abc.abstractmethod
    def page(self, after: Key | None, limit: int, *, person_id: str = "", role: int = 0,
             active_on: dt.date | None = None) -> Page[RoleAssignment]:
        """Newest start first, keyed by (start_date, id); with person_id only theirs, with role only that role,
        with active_on only those held on that day."""


def _to_group(row) -> Group:
    return Group(id=row.id, kind=row.kind, display_name=row.display_name, create_time=row.create_time,
                 update_time=row.update_time)


def _to_group_member(row) -> GroupMember:
    return GroupMember(group_id=row.group_id, person_id=row.person_id, create_time=row.create_time)


class SqlGroupRepository(GroupRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, g: Group) -> None:
        self.conn.execute(groups.insert().values(id=g.id, kind=g.kind, display_name=g.display_name,
                                                 create_time=g.create_time, update_time=g.update_time))

    def get(self, group_id: str) -> Group | None:
        row = self.conn.execute(sa.select(groups).where(groups.c.id == group_id)).first()
        return _to_group(row) if row else None

    def update(self, g: Group) -> None:
        self.conn.execute(groups.update().where(groups.c.id == g.id).values(display_name=g.display_name,
                                                                            update_time=g.update_time))

    def page(self, after: Key | None, limit: int, *, kind: int = 0) -> Page[Group]:
        query = sa.select(groups)
        if kind:
            query = query.where(groups.c.kind == kind)
        return sql_page(self.conn, query, (groups.c.id,), after, limit, _to_group)

    def ids(self, kind: int, limit: int) -> list[str]:
        return list(self.conn.execute(sa.select(groups.c.id).where(groups.c.kind == kind).order_by(groups.c.id)
                                      .limit(limit)).scalars())

    def _key(self, group_id: str, person_id: str):
        return (group_members.c.group_id == group_id) & (group_members.c.person_id == person_id)

    def member(self, group_id: str, person_id: str) -> GroupMember | None:
        row = self.conn.execute(sa.select(group_members).where(self._key(group_id, person_id))).first()
        return _to_group_member(row) if row else None

    def add_member(self, m: GroupMember) -> None:
        self.conn.execute(group_members.insert().values(group_id=m.group_id, person_id=m.person_id,
                                                        create_time=m.create_time))

    def remove_member(self, group_id: str, person_id: str) -> None:
        self.conn.execute(group_members.delete().where(self._key(group_id, person_id)))

    def members(self, group_id: str, after: Key | None, limit: int) -> Page[GroupMember]:
        query = sa.select(group_members).where(group_members.c.group_id == group_id)
        return sql_page(self.conn, query, (group_members.c.create_time, group_members.c.person_id), after, limit,
                        _to_group_member)

    def of_person(self, person_id: str, after: Key | None, limit: int) -> Page[GroupMember]:
        query = sa.select(group_members).where(group_members.c.person_id == person_id)
        return sql_page(self.conn, query, (group_members.c.group_id,), after, limit, _to_group_member)


def _to_assignment(row) -> RoleAssignment:
    return RoleAssignment(id=row.id, person_id=row.person_id, role=row.role, start_date=row.start_date,
                          end_date=row.end_date, group_id=row.group_id or "", create_time=row.create_time,
                          update_time=row.update_time)


class SqlRoleRepository(RoleRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, a: RoleAssignment) -> None:
        self.conn.execute(role_assignments.insert().values(
            id=a.id, person_id=a.person_id, role=a.role, start_date=a.start_date, end_date=a.end_date,
            group_id=a.group_id or None, create_time=a.create_time, update_time=a.update_time))

    def get(self, assignment_id: str) -> RoleAssignment | None:
        row = self.conn.execute(sa.select(role_assignments).where(role_assignments.c.id == assignment_id)).first()
        return _to_assignment(row) if row else None

    def update(self, a: RoleAssignment) -> None:
        self.conn.execute(role_assignments.update().where(role_assignments.c.id == a.id).values(
            end_date=a.end_date, update_time=a.update_time))

    def page(self, after: Key | None, limit: int, *, person_id: str = "", role: int = 0,
             active_on: dt.date | None = None) -> Page[RoleAssignment]:
        query = sa.select(role_assignments)
        if person_id:
            query = query.where(role_assignments.c.person_id == person_id)
        if role:
            query = query.where(role_assignments.c.role == role)
        if active_on is not None:
            query = query.where(role_assignments.c.start_date <= active_on,
                                sa.or_(role_assignments.c.end_date.is_(None), role_assignments.c.end_date >= active_on))
        return sql_page(self.conn, query, (role_assignments.c.start_date, role_assignments.c.id), after, limit,
                        _to_assignment, descending=True)
