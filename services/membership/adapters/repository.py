"""Persons and membership years in and out of the database."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.membership.adapters.orm import membership_years, persons
from services.membership.domain.model import MembershipYear, Person


def _to_person(row) -> Person:
    return Person(
        id=row.id, given_name=row.given_name, family_name=row.family_name, birth_year=row.birth_year,
        gender=row.gender, preferred_languages=[x for x in row.preferred_languages.split(",") if x],
        email=row.email, phone=row.phone, postal_code=row.postal_code, municipality=row.municipality,
        chapter=row.chapter, create_time=row.create_time, update_time=row.update_time,
    )


def add_person(conn: Connection, p: Person) -> None:
    conn.execute(persons.insert().values(
        id=p.id, given_name=p.given_name, family_name=p.family_name, birth_year=p.birth_year, gender=p.gender,
        preferred_languages=",".join(p.preferred_languages), email=p.email, phone=p.phone,
        postal_code=p.postal_code, municipality=p.municipality, chapter=p.chapter,
        create_time=p.create_time, update_time=p.update_time,
    ))


def get_person(conn: Connection, person_id: str) -> Person | None:
    row = conn.execute(sa.select(persons).where(persons.c.id == person_id)).first()
    return _to_person(row) if row else None


def list_persons(conn: Connection, limit: int, before: tuple | None) -> tuple[list[Person], tuple | None]:
    """Newest first; returns the page and the (create_time, id) to continue before, if any."""
    q = sa.select(persons).order_by(persons.c.create_time.desc(), persons.c.id.desc()).limit(limit + 1)
    if before is not None:
        q = q.where(sa.tuple_(persons.c.create_time, persons.c.id) < sa.tuple_(*before))
    rows = conn.execute(q).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return [_to_person(r) for r in rows], ((rows[-1].create_time, rows[-1].id) if more else None)


def upsert_membership_year(conn: Connection, m: MembershipYear) -> None:
    key = (membership_years.c.person_id == m.person_id) & (membership_years.c.year == m.year)
    values = dict(fee_nok=m.fee_nok, payment_state=m.payment_state, paid_date=m.paid_date, update_time=m.update_time)
    if conn.execute(sa.select(membership_years.c.year).where(key)).first():
        conn.execute(membership_years.update().where(key).values(**values))
    else:
        conn.execute(membership_years.insert().values(person_id=m.person_id, year=m.year, **values))


def list_membership_years(conn: Connection, person_id: str, limit: int, after_year: int | None) -> tuple[list[MembershipYear], int | None]:
    q = sa.select(membership_years).where(membership_years.c.person_id == person_id).order_by(membership_years.c.year).limit(limit + 1)
    if after_year is not None:
        q = q.where(membership_years.c.year > after_year)
    rows = conn.execute(q).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return (
        [MembershipYear(person_id=r.person_id, year=r.year, fee_nok=r.fee_nok, payment_state=r.payment_state,
                        paid_date=r.paid_date, update_time=r.update_time) for r in rows],
        rows[-1].year if more else None,
    )
