"""Groups, their members and roles in the membership service against a real gRPC server, real SQLite and
PostgreSQL, the real broker and real signed tokens; and ListPersons by group, household, year and role."""
from __future__ import annotations

import datetime as dt

import grpc
import pytest
import sqlalchemy as sa
from cloudevents.v1.kafka import KafkaMessage, from_binary
from google.protobuf import field_mask_pb2

from brobygger.membership.v1 import membership_facts_pb2, membership_pb2
from tests.conftest import bearer
from tests.services.kafka_read import read_topic
from tests.services.test_membership import amina, coord, failure, node, register, stub  # noqa: F401
from tests.support import without_ids

ORG = "organizations/mir"
GROUP_KIND, CHAPTER_KIND = membership_pb2.GROUP_KIND_GROUP, membership_pb2.GROUP_KIND_CHAPTER
TODAY = dt.date.today()


def create(stub, md, group_id="mir-ung-styret", kind=GROUP_KIND, display_name="Styret i MiR-Ung", request_id=""):
    return stub.CreateGroup(membership_pb2.CreateGroupRequest(
        parent=ORG, group_id=group_id, group=membership_pb2.Group(kind=kind, display_name=display_name),
        request_id=request_id), metadata=md, timeout=10)


def add(stub, md, group, person):
    return stub.AddGroupMember(membership_pb2.AddGroupMemberRequest(group=group, person=person.name), metadata=md,
                               timeout=10)


def assign(stub, md, person, role=membership_pb2.ROLE_VOLUNTEER, start="2026-01-01", end="", group=""):
    return stub.AssignRole(membership_pb2.AssignRoleRequest(parent=person.name, role_assignment=membership_pb2.RoleAssignment(
        role=role, start_date=start, end_date=end, group=group)), metadata=md, timeout=10)


def persons(stub, md, **filters):
    page = stub.ListPersons(membership_pb2.ListPersonsRequest(parent=ORG, purpose="planning", **filters),
                            metadata=md, timeout=10)
    return sorted(p.given_name for p in page.persons)


def test_groups_are_created_read_listed_and_corrected(stub, coord):
    g = create(stub, coord, request_id="00000000-0000-4000-8000-000000000001")
    assert create(stub, coord, request_id="00000000-0000-4000-8000-000000000001") == g
    assert (g.name, g.kind, g.display_name) == (f"{ORG}/groups/mir-ung-styret", GROUP_KIND, "Styret i MiR-Ung")
    assert stub.GetGroup(membership_pb2.GetGroupRequest(name=g.name), metadata=coord) == g
    chapters = stub.ListGroups(membership_pb2.ListGroupsRequest(parent=ORG, kind=CHAPTER_KIND), metadata=coord)
    assert [x.name.rsplit("/", 1)[1] for x in chapters.groups] == ["furuset", "linderud", "mir-ung"]
    page = stub.ListGroups(membership_pb2.ListGroupsRequest(parent=ORG, page_size=3), metadata=coord)
    rest = stub.ListGroups(membership_pb2.ListGroupsRequest(parent=ORG, page_size=3,
                                                            page_token=page.next_page_token), metadata=coord)
    assert [x.name for x in rest.groups] == [g.name] and rest.next_page_token == ""
    fixed = stub.UpdateGroup(membership_pb2.UpdateGroupRequest(
        group=membership_pb2.Group(name=g.name, display_name="MiR-Ungs styre"),
        update_mask=field_mask_pb2.FieldMask(paths=["display_name"])), metadata=coord)
    assert fixed.display_name == "MiR-Ungs styre" and fixed.update_time.ToDatetime() >= g.update_time.ToDatetime()
    problem = failure(lambda: create(stub, coord, "linderud", CHAPTER_KIND, "Linderud"))
    assert (problem.code, problem.reason) == (grpc.StatusCode.ALREADY_EXISTS, "GROUP_EXISTS")
    problem = failure(lambda: create(stub, coord, "Linderud!", CHAPTER_KIND, ""))
    assert {f for f, _ in problem.violations} == {"group_id", "group.display_name"}


def test_a_group_s_members_and_a_person_s_groups(stub, coord, node):
    g = create(stub, coord)
    amina_, bilal = register(stub, coord), register(stub, coord, amina(given_name="Bilal", birth_year=2008))
    m = add(stub, coord, g.name, amina_)
    assert (m.name, m.person, m.group) == (f"{g.name}/members/{amina_.name.rsplit('/', 1)[1]}", amina_.name, g.name)
    add(stub, coord, g.name, bilal)
    add(stub, coord, f"{ORG}/groups/linderud", bilal)
    listed = stub.ListGroupMembers(membership_pb2.ListGroupMembersRequest(parent=g.name, purpose="styremøte",
                                                                          page_size=1), metadata=coord)
    more = stub.ListGroupMembers(membership_pb2.ListGroupMembersRequest(
        parent=g.name, purpose="styremøte", page_size=1, page_token=listed.next_page_token), metadata=coord)
    assert [x.person for x in [*listed.group_members, *more.group_members]] == [amina_.name, bilal.name]
    mine = stub.ListGroupMembers(membership_pb2.ListGroupMembersRequest(
        parent=f"{ORG}/groups/-", person=bilal.name, purpose="follow-up"), metadata=coord)
    assert [x.group for x in mine.group_members] == [f"{ORG}/groups/linderud", g.name]
    stub.RemoveGroupMember(membership_pb2.RemoveGroupMemberRequest(name=m.name), metadata=coord)
    problem = failure(lambda: stub.RemoveGroupMember(membership_pb2.RemoveGroupMemberRequest(name=m.name),
                                                     metadata=coord))
    assert (problem.code, problem.reason) == (grpc.StatusCode.NOT_FOUND, "GROUP_MEMBER_NOT_FOUND")
    problem = failure(lambda: stub.ListGroupMembers(membership_pb2.ListGroupMembersRequest(
        parent=f"{ORG}/groups/-", purpose="follow-up"), metadata=coord))
    assert problem.reason == "PERSON_REQUIRED"
    audit = node.app.tables["audit_log"]
    with node.app.engine.connect() as conn:
        rows = conn.execute(sa.select(audit).where(audit.c.action.like("group.member.%")).order_by(audit.c.id)).all()
    assert [r.action for r in rows] == ["group.member.add"] * 3 + ["group.member.list"] * 3 + ["group.member.remove"]
    assert [r.purpose for r in rows if r.action == "group.member.list"] == ["styremøte", "styremøte", "follow-up"]


def test_a_person_s_chapter_must_be_a_chapter(stub, coord):
    create(stub, coord)
    for chapter in ("stovner", "mir-ung-styret"):
        problem = failure(lambda: register(stub, coord, amina(chapter=chapter)))
        assert (problem.code, problem.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "CHAPTER_NOT_FOUND")
        assert [f for f, _ in problem.violations] == ["person.chapter"]
    person = register(stub, coord)
    problem = failure(lambda: stub.UpdatePerson(membership_pb2.UpdatePersonRequest(
        person=membership_pb2.Person(name=person.name, chapter="stovner"),
        update_mask=field_mask_pb2.FieldMask(paths=["chapter"])), metadata=coord))
    assert problem.reason == "CHAPTER_NOT_FOUND"
    create(stub, coord, "stovner", CHAPTER_KIND, "MiR Stovner")
    assert register(stub, coord, amina(chapter="stovner")).chapter == "stovner"


def test_roles_with_periods_and_who_holds_them(stub, coord):
    amina_, hodan = register(stub, coord), register(stub, coord, amina(given_name="Hodan"))
    board = assign(stub, coord, amina_, membership_pb2.ROLE_BOARD_MEMBER, "2025-03-01", group=f"{ORG}/groups/mir-ung")
    assert board.name.startswith(f"{amina_.name}/roleAssignments/") and board.group == f"{ORG}/groups/mir-ung"
    assert (board.start_date, board.end_date, board.person) == ("2025-03-01", "", amina_.name)
    guide = assign(stub, coord, hodan, membership_pb2.ROLE_GUIDE, "2026-01-01")
    ended = stub.EndRole(membership_pb2.EndRoleRequest(name=board.name, end_date="2025-12-31"), metadata=coord)
    assert ended.end_date == "2025-12-31"
    mine = stub.ListRoleAssignments(membership_pb2.ListRoleAssignmentsRequest(parent=amina_.name, purpose="check"),
                                    metadata=coord)
    assert [a.name for a in mine.role_assignments] == [board.name]
    on = stub.ListRoleAssignments(membership_pb2.ListRoleAssignmentsRequest(
        parent=f"{ORG}/persons/-", purpose="report", active_on="2026-02-01"), metadata=coord)
    assert [a.name for a in on.role_assignments] == [guide.name]
    on = stub.ListRoleAssignments(membership_pb2.ListRoleAssignmentsRequest(
        parent=f"{ORG}/persons/-", purpose="report", active_on="2025-06-01",
        role=membership_pb2.ROLE_BOARD_MEMBER), metadata=coord)
    assert [a.name for a in on.role_assignments] == [board.name]
    problem = failure(lambda: stub.EndRole(membership_pb2.EndRoleRequest(name=guide.name, end_date="2025-01-01"),
                                           metadata=coord))
    assert problem.code == grpc.StatusCode.INVALID_ARGUMENT and [f for f, _ in problem.violations] == ["end_date"]
    problem = failure(lambda: assign(stub, coord, hodan, 0, "1 March"))
    assert {f for f, _ in problem.violations} == {"role_assignment.role", "role_assignment.start_date"}


def test_persons_are_found_by_group_household_year_and_role(stub, coord):
    amina_, bilal, hodan = (register(stub, coord, amina(given_name=n)) for n in ("Amina", "Bilal", "Hodan"))
    add(stub, coord, f"{ORG}/groups/mir-ung", bilal)
    h = stub.CreateHousehold(membership_pb2.CreateHouseholdRequest(parent=ORG), metadata=coord)
    stub.AddHouseholdMember(membership_pb2.AddHouseholdMemberRequest(
        household=h.name, person=amina_.name, role=membership_pb2.HOUSEHOLD_ROLE_PARENT_OR_GUARDIAN), metadata=coord)
    for person, year, state in ((amina_, 2026, membership_pb2.PAYMENT_STATE_PAID),
                                (hodan, 2026, membership_pb2.PAYMENT_STATE_UNPAID)):
        stub.RecordMembershipYear(membership_pb2.RecordMembershipYearRequest(
            parent=person.name, membership_year=membership_pb2.MembershipYear(
                year=year, payment_state=state, fee_nok=200 if state == membership_pb2.PAYMENT_STATE_PAID else 0)),
            metadata=coord)
    assign(stub, coord, hodan, membership_pb2.ROLE_GUIDE, "2026-01-01")
    assign(stub, coord, bilal, membership_pb2.ROLE_GUIDE, "2024-01-01", "2024-12-31")
    assert persons(stub, coord, group="mir-ung") == ["Bilal"]
    assert persons(stub, coord, household=h.name) == ["Amina"]
    assert persons(stub, coord, membership_year=2026) == ["Amina", "Hodan"]
    assert persons(stub, coord, membership_year=2026, paying=True) == ["Amina"]
    assert persons(stub, coord, role=membership_pb2.ROLE_GUIDE) == ["Hodan"]
    assert persons(stub, coord, role=membership_pb2.ROLE_GUIDE, role_date="2024-05-01") == ["Bilal"]
    assert persons(stub, coord, role=membership_pb2.ROLE_GUIDE, query="ho", membership_year=2026) == ["Hodan"]
    page = stub.ListPersons(membership_pb2.ListPersonsRequest(parent=ORG, purpose="p", membership_year=2026,
                                                              page_size=1), metadata=coord)
    rest = stub.ListPersons(membership_pb2.ListPersonsRequest(parent=ORG, purpose="p", membership_year=2026,
                                                              page_size=1, page_token=page.next_page_token),
                            metadata=coord)
    assert sorted(p.given_name for p in [*page.persons, *rest.persons]) == ["Amina", "Hodan"]
    problem = failure(lambda: stub.ListPersons(membership_pb2.ListPersonsRequest(
        parent=ORG, purpose="p", paying=True, role=9), metadata=coord))
    assert {f for f, _ in problem.violations} == {"paying", "role"}


def test_groups_and_roles_are_for_coordinators_alone(stub, coord, issuer):
    person = register(stub, coord)
    for md in (bearer(issuer.token("volunteer-mir")), bearer(issuer.service_token("node-mir")),
               bearer(issuer.token("coordinator-mira"))):
        for call in (lambda: create(stub, md), lambda: add(stub, md, f"{ORG}/groups/linderud", person),
                     lambda: assign(stub, md, person),
                     lambda: stub.ListGroups(membership_pb2.ListGroupsRequest(parent=ORG), metadata=md),
                     lambda: stub.ListRoleAssignments(membership_pb2.ListRoleAssignmentsRequest(
                         parent=f"{ORG}/persons/-", purpose="x"), metadata=md)):
            assert failure(call).code == grpc.StatusCode.PERMISSION_DENIED


def test_the_role_fact_reaches_kafka_with_ids_and_dates_only(stub, coord, broker):
    person = register(stub, coord)
    a = assign(stub, coord, person, membership_pb2.ROLE_GUIDE, "2026-02-01", group=f"{ORG}/groups/linderud")
    add(stub, coord, f"{ORG}/groups/mir-ung", person)
    person_id = person.name.rsplit("/", 1)[1]

    def facts_of(kind):
        mine = lambda recs: [r for r in recs if r.key == person_id.encode() and kind in dict(r.headers).get("ce_type", b"")]  # noqa: E731,E501
        return mine(read_topic(broker.bootstrap, "mir.membership", until=lambda recs: bool(mine(recs))))

    [rec] = facts_of(b"no.brobygger.membership.role_assignment_changed.v1")
    event = from_binary(KafkaMessage(headers={k: v for k, v in rec.headers}, key=rec.key, value=rec.value),
                        data_unmarshaller=lambda raw: raw)
    fact = membership_facts_pb2.RoleAssignmentChanged.FromString(event.get_data())
    assert (fact.assignment_id, fact.person_id, fact.role, fact.group_id, fact.start_date, fact.end_date) == (
        a.name.rsplit("/", 1)[1], person_id, membership_pb2.ROLE_GUIDE, "linderud", "2026-02-01", "")
    [rec] = facts_of(b"no.brobygger.membership.group_membership_changed.v1")
    for secret in (b"Amina", b"Hussain", b"MiR"):
        assert secret not in without_ids(rec.value)


def test_the_migration_makes_a_chapter_of_every_chapter_stored_before(tmp_path):
    from alembic import command
    from alembic.config import Config

    from services.membership.bootstrap import MIGRATIONS

    url = f"sqlite:///{tmp_path}/before.db"
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url)
    command.upgrade(cfg, "0004")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for i, chapter in enumerate(("linderud", "mir-ung", "linderud", "")):
            conn.execute(sa.text("INSERT INTO persons (id, given_name, gender, chapter, create_time, update_time) "
                                 f"VALUES ('p{i}', 'A', 1, '{chapter}', '2026-01-01', '2026-01-01')"))
    command.upgrade(cfg, "head")
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, kind, display_name FROM groups ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [("linderud", 1, "Linderud"), ("mir-ung", 1, "Mir-Ung")]
    command.downgrade(cfg, "0004")
    engine.dispose()


def test_each_filter_of_a_listing_is_answered_by_an_index(tmp_path):
    """SQLite's plan of each filtered listing: every filter a lookup by a key or an index (never a scan of the
    table that holds the filter's rows), and the persons read by an index or their key."""
    from services.common.db import make_engine, migrate
    from services.membership.adapters.repository import SqlPersonRepository
    from services.membership.bootstrap import MIGRATIONS
    from services.membership.domain.person_filter import PersonFilter

    url = f"sqlite:///{tmp_path}/plans.db"
    migrate(url, MIGRATIONS)
    engine = make_engine(url)
    seen: list[tuple[str, tuple]] = []
    sa.event.listen(engine, "before_cursor_execute",
                    lambda conn, cursor, statement, params, context, many: seen.append((statement, params)))
    filters = {"group_members": PersonFilter(group_id="mir-ung"),
               "household_members": PersonFilter(household_id="h1"),
               "membership_years": PersonFilter(membership_year=2026, paying=True),
               "role_assignments": PersonFilter(role=3, role_date=TODAY)}
    with engine.connect() as conn:
        for table, where in filters.items():
            seen.clear()
            SqlPersonRepository(conn).page(None, 50, where=where)
            statement, params = seen[-1]
            plan = " | ".join(row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params))
            assert f"SCAN {table}" not in plan, plan
            assert f"SEARCH {table}" in plan and ("INDEX" in plan or "PRIMARY KEY" in plan), plan
            # Either newest first by the keyset's index, or from the filter's rows (a household) by the key.
            assert "SCAN persons USING INDEX ix_persons_created" in plan or "SEARCH persons" in plan, plan
    engine.dispose()
