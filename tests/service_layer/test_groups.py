"""Groups, their members and people's roles on in-memory fakes: ids, kinds, chapters, periods, audit and facts;
and listing persons by group, household, membership year and role."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from brobygger.membership.v1 import membership_facts_pb2 as facts
from services.common.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from services.common.timestamps import today
from services.membership.domain.group import Group, GroupKind
from services.membership.domain.household import Household, HouseholdRole
from services.membership.domain.model import MembershipYear, PaymentState
from services.membership.domain.roles import Role
from services.membership.service_layer import commands, groups, handlers
from tests.service_layer.test_membership import COORDINATOR, ORG, amina, register, store, uow  # noqa: F401

ADDED, REMOVED = facts.GroupMembershipChanged.CHANGE_ADDED, facts.GroupMembershipChanged.CHANGE_REMOVED


def create(uow, group_id="mir-ung-styret", kind=GroupKind.GROUP, display_name="Styret i MiR-Ung", request_id=""):
    return groups.create_group(commands.CreateGroup("mir", Group(group_id, kind, display_name), COORDINATOR,
                                                    request_id), uow())


def add(uow, group_id, person, request_id=""):
    return groups.add_group_member(commands.AddGroupMember("mir", group_id, person.id, COORDINATOR, request_id),
                                   uow())


def members(uow, group_id, person_id="", purpose="planning the youth wing's meeting", **kw):
    return groups.list_group_members(commands.ListGroupMembers(
        "mir", group_id, f"{ORG}/groups/{group_id}", person_id, actor=COORDINATOR, purpose=purpose, **kw), uow())


def assign(uow, person, role=Role.VOLUNTEER, start="2026-01-01", end="", group_id="", request_id=""):
    return groups.assign_role(commands.AssignRole("mir", person.id, role, start, end, group_id, COORDINATOR,
                                                  request_id), uow())


def roles(uow, person_id="-", role=0, active_on="", purpose="the yearly report's volunteers", **kw):
    return groups.list_role_assignments(commands.ListRoleAssignments(
        "mir", person_id, f"{ORG}/persons/{person_id}", role, active_on, actor=COORDINATOR, purpose=purpose, **kw),
        uow())


def listed(uow, **filters):
    people, _token = handlers.list_persons(commands.ListPersons(ORG, 0, "", COORDINATOR, "planning", **filters), uow())
    return sorted(p.given_name for p in people)


def changed(store, kind):
    return [f.message for f in store.state.facts if f.type.endswith(f"{kind}.v1")]


# ---------------------------------------------------------------------------- groups


def test_a_group_is_created_once_per_request_id_by_its_short_id(uow, store):
    g = create(uow, request_id="r-1")
    assert create(uow, request_id="r-1") == g
    assert (g.id, g.kind, g.display_name) == ("mir-ung-styret", GroupKind.GROUP, "Styret i MiR-Ung")
    got = groups.get_group(commands.GetGroup(g.id, f"{ORG}/groups/{g.id}", COORDINATOR), uow())
    assert got == g
    assert [(a.action, a.resource, a.purpose) for a in store.state.audit] == [
        ("group.create", f"{ORG}/groups/mir-ung-styret", "GROUP_KIND_GROUP")]


def test_an_id_taken_is_already_exists(uow):
    with pytest.raises(AlreadyExists) as err:
        create(uow, group_id="linderud", kind=GroupKind.CHAPTER, display_name="Linderud again")
    assert err.value.reason == "GROUP_EXISTS" and "organizations/mir/groups/linderud" in err.value.message


@pytest.mark.parametrize("group_id, kind, display_name, fields", [
    ("Linderud", GroupKind.CHAPTER, "MiR Linderud", ["group_id"]),
    ("", GroupKind.CHAPTER, "MiR Linderud", ["group_id"]),
    ("stovner", 0, "MiR Stovner", ["group.kind"]),
    ("stovner", GroupKind.CHAPTER, " ", ["group.display_name"]),
    ("stovner", GroupKind.CHAPTER, "x" * 101, ["group.display_name"]),
    ("stovner", 7, "MiR\u202eStovner", ["group.kind", "group.display_name"]),
])
def test_a_group_is_checked(uow, store, group_id, kind, display_name, fields):
    with pytest.raises(InvalidArgument) as err:
        create(uow, group_id, kind, display_name)
    assert [v.field for v in err.value.violations] == fields
    assert set(store.state.table("groups")) == {"linderud", "mir-ung", "furuset"}


def test_groups_are_listed_by_id_and_kind_and_paged(uow):
    create(uow)
    everything, _ = groups.list_groups(commands.ListGroups(), uow())
    assert [g.id for g in everything] == ["furuset", "linderud", "mir-ung", "mir-ung-styret"]
    chapters, _ = groups.list_groups(commands.ListGroups(kind=GroupKind.CHAPTER), uow())
    assert [g.id for g in chapters] == ["furuset", "linderud", "mir-ung"]
    first, token = groups.list_groups(commands.ListGroups(page_size=2), uow())
    rest, last = groups.list_groups(commands.ListGroups(page_size=2, page_token=token), uow())
    assert [g.id for g in first + rest] == [g.id for g in everything] and last == ""
    with pytest.raises(InvalidArgument):
        groups.list_groups(commands.ListGroups(page_size=2, page_token=token, kind=GroupKind.GROUP), uow())


def test_a_display_name_is_corrected_and_nothing_else(uow, store):
    g = groups.update_group(commands.UpdateGroup("mir", "linderud", "MiR Linderud og Vestli", ("display_name",),
                                                 COORDINATOR), uow())
    assert (g.display_name, g.kind) == ("MiR Linderud og Vestli", GroupKind.CHAPTER)
    assert g.update_time > store.state.table("groups")["furuset"].update_time
    for mask in ((), ("kind",), ("display_name", "kind")):
        with pytest.raises(InvalidArgument) as err:
            groups.update_group(commands.UpdateGroup("mir", "linderud", "X", mask, COORDINATOR), uow())
        assert err.value.reason == "INVALID_UPDATE_MASK"
    with pytest.raises(NotFound):
        groups.update_group(commands.UpdateGroup("mir", "nope", "X", ("display_name",), COORDINATOR), uow())


def test_members_are_added_once_listed_in_order_and_removed_with_facts_of_ids(uow, store):
    g = create(uow)
    amina_, bilal = register(uow), register(uow, amina(given_name="Bilal", birth_year=2008))
    add(uow, g.id, amina_)
    add(uow, g.id, bilal)
    add(uow, g.id, bilal)  # again: nothing changes
    page, token = members(uow, g.id)
    assert [m.person_id for m in page] == [amina_.id, bilal.id] and token == ""
    assert [m.group_id for m in members(uow, "-", person_id=bilal.id)[0]] == [g.id]
    groups.remove_group_member(commands.RemoveGroupMember("mir", g.id, amina_.id, COORDINATOR, "rm-1"), uow())
    assert groups.remove_group_member(commands.RemoveGroupMember("mir", g.id, amina_.id, COORDINATOR, "rm-1"),
                                      uow()).person_id == amina_.id  # a retry
    assert [m.person_id for m in members(uow, g.id)[0]] == [bilal.id]
    assert [(m.group_id, m.person_id, m.kind, m.change) for m in changed(store, "group_membership_changed")] == [
        (g.id, amina_.id, GroupKind.GROUP, ADDED), (g.id, bilal.id, GroupKind.GROUP, ADDED),
        (g.id, amina_.id, GroupKind.GROUP, REMOVED)]
    assert "Amina" not in str(changed(store, "group_membership_changed"))
    actions = [(a.action, a.resource, a.purpose) for a in store.state.audit if a.action.startswith("group.member")]
    assert actions[0] == ("group.member.add", f"{ORG}/groups/{g.id}/members/{amina_.id}", "")
    assert ("group.member.list", f"{ORG}/groups/{g.id}", "planning the youth wing's meeting") in actions
    assert ("group.member.list", f"{ORG}/persons/{bilal.id}", "planning the youth wing's meeting") in actions
    with pytest.raises(NotFound) as err:
        groups.remove_group_member(commands.RemoveGroupMember("mir", g.id, amina_.id, COORDINATOR), uow())
    assert err.value.reason == "GROUP_MEMBER_NOT_FOUND"


def test_member_listings_need_a_purpose_and_a_person_for_all_groups(uow):
    person = register(uow)
    with pytest.raises(InvalidArgument) as err:
        members(uow, "linderud", purpose="")
    assert err.value.reason == "PURPOSE_REQUIRED"
    with pytest.raises(InvalidArgument) as err:
        members(uow, "-")
    assert err.value.reason == "PERSON_REQUIRED"
    with pytest.raises(InvalidArgument):
        members(uow, "linderud", person_id=person.id)
    with pytest.raises(NotFound):
        members(uow, "nope")
    with pytest.raises(NotFound):
        add(uow, "nope", person)
    with pytest.raises(NotFound) as err:
        add(uow, "linderud", dataclasses.replace(person, id="nobody"))
    assert err.value.reason == "PERSON_NOT_FOUND"


# ---------------------------------------------------------------------------- a person's chapter


def test_a_chapter_must_be_a_chapter_group(uow, store):
    create(uow, "veiledere", GroupKind.GROUP, "Veiledergruppen")
    for chapter, what in (("stovner", "names no chapter"), ("veiledere", "is a group, not a chapter")):
        with pytest.raises(FailedPrecondition) as err:
            register(uow, amina(chapter=chapter))
        assert err.value.reason == "CHAPTER_NOT_FOUND" and what in err.value.message
        assert "furuset, linderud, mir-ung" in err.value.message
        assert [v.field for v in err.value.violations] == ["person.chapter"]
    assert store.state.table("persons") == {}
    create(uow, "stovner", GroupKind.CHAPTER, "MiR Stovner")
    assert register(uow, amina(chapter="stovner")).chapter == "stovner"
    assert register(uow, amina(chapter="")).chapter == ""


def test_a_correction_of_the_chapter_is_checked_and_other_corrections_are_not(uow, store):
    person = register(uow)
    store.state.table("groups").pop("linderud")  # as if the chapter were gone: other fields still correct
    handlers.update_person(commands.UpdatePerson(dataclasses.replace(person, phone="+47 400 00 000"), "p",
                                                 ("phone",), COORDINATOR), uow())
    with pytest.raises(FailedPrecondition):
        handlers.update_person(commands.UpdatePerson(dataclasses.replace(person, chapter="stovner"), "p",
                                                     ("chapter",), COORDINATOR), uow())
    moved = handlers.update_person(commands.UpdatePerson(dataclasses.replace(person, chapter="furuset"), "p",
                                                         ("chapter",), COORDINATOR), uow())
    assert moved.chapter == "furuset"


# ---------------------------------------------------------------------------- roles


def test_a_role_is_assigned_for_a_period_within_a_group_and_ended(uow, store):
    person = register(uow)
    a = assign(uow, person, Role.BOARD_MEMBER, "2025-03-01", group_id="mir-ung", request_id="a-1")
    assert assign(uow, person, Role.BOARD_MEMBER, "2025-03-01", group_id="mir-ung", request_id="a-1") == a
    assert (a.role, a.start_date, a.end_date, a.group_id) == (Role.BOARD_MEMBER, dt.date(2025, 3, 1), None, "mir-ung")
    done = groups.end_role(commands.EndRole("mir", person.id, a.id, "2026-02-28", COORDINATOR), uow())
    assert done.end_date == dt.date(2026, 2, 28) and done.update_time >= a.update_time
    again = groups.end_role(commands.EndRole("mir", person.id, a.id, "2026-02-28", COORDINATOR), uow())
    assert again == done
    assert [(m.assignment_id, m.role, m.group_id, m.start_date, m.end_date)
            for m in changed(store, "role_assignment_changed")] == [
        (a.id, Role.BOARD_MEMBER, "mir-ung", "2025-03-01", ""), (a.id, Role.BOARD_MEMBER, "mir-ung", "2025-03-01",
                                                                  "2026-02-28")]
    assert all(f.key == person.id for f in store.state.facts if f.type.endswith("role_assignment_changed.v1"))
    assert [(x.action, x.purpose) for x in store.state.audit if x.action.startswith("role.")] == [
        ("role.assign", "ROLE_BOARD_MEMBER"), ("role.end", "ended 2026-02-28"), ("role.end", "ended 2026-02-28")]
    with pytest.raises(FailedPrecondition) as err:
        groups.end_role(commands.EndRole("mir", person.id, a.id, "2026-03-31", COORDINATOR), uow())
    assert err.value.reason == "ROLE_ALREADY_ENDED"


def test_a_role_and_its_period_are_checked(uow, store):
    person = register(uow)
    ahead = (today() + dt.timedelta(days=400)).isoformat()
    with pytest.raises(InvalidArgument) as err:
        assign(uow, person, 0, "2026-13-01")
    assert [v.field for v in err.value.violations] == ["role_assignment.role", "role_assignment.start_date"]
    with pytest.raises(InvalidArgument) as err:
        assign(uow, person, Role.GUIDE, "2026-05-01", "2026-04-30")
    assert [v.field for v in err.value.violations] == ["role_assignment.end_date"]
    with pytest.raises(InvalidArgument) as err:
        assign(uow, person, Role.GUIDE, ahead)
    assert [v.field for v in err.value.violations] == ["role_assignment.start_date"]
    with pytest.raises(InvalidArgument):
        assign(uow, person, Role.GUIDE, "")
    with pytest.raises(NotFound) as err:
        assign(uow, person, Role.GUIDE, group_id="nope")
    assert err.value.reason == "GROUP_NOT_FOUND"
    a = assign(uow, person, Role.GUIDE, "2026-05-01")
    with pytest.raises(InvalidArgument) as err:
        groups.end_role(commands.EndRole("mir", person.id, a.id, "2026-04-30", COORDINATOR), uow())
    assert [v.field for v in err.value.violations] == ["end_date"]
    with pytest.raises(NotFound):
        groups.end_role(commands.EndRole("mir", "someone-else", a.id, "2026-06-01", COORDINATOR), uow())
    assert store.state.table("role_assignments")[a.id].end_date is None


def test_who_holds_a_role_on_a_day(uow, store):
    amina_, hodan, leyla = (register(uow, amina(given_name=n)) for n in ("Amina", "Hodan", "Leyla"))
    assign(uow, amina_, Role.GUIDE, "2025-01-01", "2025-12-31")
    assign(uow, hodan, Role.GUIDE, "2026-01-01")
    assign(uow, leyla, Role.VOLUNTEER, "2025-06-01")
    assign(uow, amina_, Role.BOARD_MEMBER, "2026-01-01")

    def holders(role, day):
        return sorted(store.state.table("persons")[a.person_id].given_name for a in roles(uow, role=role,
                                                                                          active_on=day)[0])

    assert holders(Role.GUIDE, "2025-12-31") == ["Amina"]
    assert holders(Role.GUIDE, "2026-01-01") == ["Hodan"]
    assert holders(0, "2026-01-01") == ["Amina", "Hodan", "Leyla"]
    mine, _ = roles(uow, amina_.id)
    assert [(a.role, a.start_date.year) for a in mine] == [(Role.BOARD_MEMBER, 2026), (Role.GUIDE, 2025)]
    first, token = roles(uow, page_size=3)
    rest, last = roles(uow, page_size=3, page_token=token)
    assert len(first) == 3 and len(rest) == 1 and last == ""
    with pytest.raises(InvalidArgument):
        roles(uow, role=Role.GUIDE, page_size=3, page_token=token)
    with pytest.raises(InvalidArgument) as err:
        roles(uow, active_on="1 May")
    assert [v.field for v in err.value.violations] == ["active_on"]
    with pytest.raises(InvalidArgument):
        roles(uow, purpose="")
    lines = [(a.action, a.resource) for a in store.state.audit if a.action == "role.list"]
    assert (("role.list", f"{ORG}/persons/-?role=ROLE_GUIDE")) in lines
    assert ("role.list", f"{ORG}/persons/{amina_.id}") in lines


# ---------------------------------------------------------------------------- listing persons by what they belong to


def year(uow, person, y, state):
    handlers.record_membership_year(commands.RecordMembershipYear(
        MembershipYear(person.id, y, 200 if state == PaymentState.PAID else 0, state), f"{ORG}/persons/{person.id}",
        COORDINATOR), uow())


def test_persons_are_listed_by_group_household_year_paying_and_role(uow, store):
    amina_, bilal, hodan = (register(uow, amina(given_name=n)) for n in ("Amina", "Bilal", "Hodan"))
    add(uow, "mir-ung", bilal)
    h = handlers.create_household(commands.CreateHousehold("mir", Household(""), COORDINATOR), uow())
    handlers.add_household_member(commands.AddHouseholdMember("mir", h.id, amina_.id, HouseholdRole.PARENT_OR_GUARDIAN,
                                                              COORDINATOR), uow())
    year(uow, amina_, 2026, PaymentState.PAID)
    year(uow, hodan, 2026, PaymentState.UNPAID)
    year(uow, bilal, 2025, PaymentState.WAIVED)
    assign(uow, hodan, Role.GUIDE, "2026-01-01")
    assign(uow, bilal, Role.GUIDE, "2024-01-01", "2024-12-31")
    assert listed(uow, group="mir-ung") == ["Bilal"]
    assert listed(uow, group=f"{ORG}/groups/mir-ung") == ["Bilal"]
    assert listed(uow, household=h.id) == listed(uow, household=f"{ORG}/households/{h.id}") == ["Amina"]
    assert listed(uow, membership_year=2026) == ["Amina", "Hodan"]
    assert listed(uow, membership_year=2026, paying=True) == ["Amina"]
    assert listed(uow, membership_year=2025, paying=True) == ["Bilal"]
    assert listed(uow, role=Role.GUIDE) == ["Hodan"]
    assert listed(uow, role=Role.GUIDE, role_date="2024-06-01") == ["Bilal"]
    assert listed(uow, role=Role.GUIDE, membership_year=2026, chapter="linderud") == ["Hodan"]
    assert listed(uow, role=Role.GUIDE, group="mir-ung") == []
    resources = [a.resource for a in store.state.audit if a.action == "person.list"]
    assert f"{ORG}?membership_year=2026&paying=true" in resources
    assert f"{ORG}?role=ROLE_GUIDE&role_date={today().isoformat()}" in resources


@pytest.mark.parametrize("filters, fields", [
    (dict(group="Not An Id"), ["group"]),
    (dict(group="organizations/mira/groups/linderud"), ["group"]),
    (dict(household="organizations/mir/persons/p1"), ["household"]),
    (dict(membership_year=1999), ["membership_year"]),
    (dict(paying=True), ["paying"]),
    (dict(role=9), ["role"]),
    (dict(role_date="2026-01-01"), ["role_date"]),
    (dict(role=3, role_date="yesterday"), ["role_date"]),
])
def test_listing_filters_are_checked(uow, filters, fields):
    with pytest.raises(InvalidArgument) as err:
        listed(uow, **filters)
    assert [v.field for v in err.value.violations] == fields


def test_a_page_token_holds_the_filters(uow):
    for n in ("Amina", "Bilal", "Hodan"):
        year(uow, register(uow, amina(given_name=n)), 2026, PaymentState.PAID)
    cmd = commands.ListPersons(ORG, 2, "", COORDINATOR, "planning", membership_year=2026)
    first, token = handlers.list_persons(cmd, uow())
    rest, last = handlers.list_persons(dataclasses.replace(cmd, page_token=token), uow())
    assert len(first) == 2 and len(rest) == 1 and last == ""
    for other in (dict(membership_year=2025), dict(paying=True), dict(membership_year=0)):
        with pytest.raises(InvalidArgument) as err:
            handlers.list_persons(dataclasses.replace(cmd, page_token=token, **other), uow())
        assert err.value.reason == "INVALID_PAGE_TOKEN"
