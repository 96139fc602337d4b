"""Households on in-memory fakes: a person in at most one household, roles, audit and facts."""
from __future__ import annotations

import pytest

from brobygger.membership.v1 import membership_facts_pb2 as facts
from services.common.errors import FailedPrecondition, InvalidArgument, NotFound
from services.membership.domain.household import Household, HouseholdRole
from services.membership.service_layer import commands, handlers
from tests.service_layer.test_membership import COORDINATOR, ORG, amina, register, store, uow  # noqa: F401

ADDED, REMOVED = facts.HouseholdMembershipChanged.CHANGE_ADDED, facts.HouseholdMembershipChanged.CHANGE_REMOVED


def create(uow, display_name="Familien Hussain", request_id=""):
    return handlers.create_household(
        commands.CreateHousehold("mir", Household(id="", display_name=display_name), COORDINATOR, request_id), uow())


def add(uow, household, person, role=HouseholdRole.CHILD, request_id=""):
    return handlers.add_household_member(
        commands.AddHouseholdMember("mir", household.id, person.id, role, COORDINATOR, request_id), uow())


def remove(uow, household, person, request_id=""):
    return handlers.remove_household_member(
        commands.RemoveHouseholdMember("mir", household.id, person.id, COORDINATOR, request_id), uow())


def members(uow, household, page_size=0, page_token="", purpose="follow-up of homework help"):
    return handlers.list_household_members(
        commands.ListHouseholdMembers(household.id, f"{ORG}/households/{household.id}", page_size, page_token,
                                      COORDINATOR, purpose), uow())


def get_person(uow, person):
    return handlers.get_person(commands.GetPerson(person.id, f"{ORG}/persons/{person.id}", COORDINATOR, "check"),
                               uow())


def test_a_household_is_created_once_per_request_id_and_read_back(uow, store):
    h = create(uow, request_id="r-1")
    assert create(uow, request_id="r-1") == h
    assert h.id and h.display_name == "Familien Hussain" and h.create_time is not None
    got = handlers.get_household(commands.GetHousehold(h.id, f"{ORG}/households/{h.id}", COORDINATOR), uow())
    assert got == h
    assert len(store.state.table("households")) == 1
    assert [(a.action, a.resource, a.purpose) for a in store.state.audit] == [
        ("household.create", f"{ORG}/households/{h.id}", ""), ("household.read", f"{ORG}/households/{h.id}", "")]


def test_a_display_name_is_checked(uow, store):
    with pytest.raises(InvalidArgument) as err:
        create(uow, display_name="x" * 101)
    assert [v.field for v in err.value.violations] == ["household.display_name"]
    with pytest.raises(InvalidArgument):
        create(uow, display_name="Familien\u202eHussain")
    assert store.state.table("households") == {}


def test_members_are_added_with_their_roles_listed_in_order_and_their_person_names_the_household(uow, store):
    h = create(uow)
    mother, son = register(uow), register(uow, amina(given_name="Bilal", birth_year=2014))
    add(uow, h, mother, HouseholdRole.PARENT_OR_GUARDIAN)
    add(uow, h, son, HouseholdRole.CHILD)
    listed, token = members(uow, h)
    assert [(m.person_id, m.role) for m in listed] == [(mother.id, HouseholdRole.PARENT_OR_GUARDIAN),
                                                        (son.id, HouseholdRole.CHILD)]
    assert token == ""
    assert get_person(uow, son).household_id == h.id
    assert [(f.message.household_id, f.message.person_id, f.message.role, f.message.change)
            for f in store.state.facts if f.type.endswith("household_membership_changed.v1")] == [
        (h.id, mother.id, HouseholdRole.PARENT_OR_GUARDIAN, ADDED), (h.id, son.id, HouseholdRole.CHILD, ADDED)]
    changed = [f for f in store.state.facts if f.type.endswith("household_membership_changed.v1")]
    assert all(f.key == f.message.person_id for f in changed)
    assert "Amina" not in str([f.message for f in changed]) and "Hussain" not in str([f.message for f in changed])
    assert [a.action for a in store.state.audit if a.action.startswith("household.member")][-1] == \
        "household.member.list"


def test_a_person_in_another_household_is_refused_naming_it(uow, store):
    first, second = create(uow), create(uow, "Familien Ali")
    person = register(uow)
    add(uow, first, person)
    facts_before = len(store.state.facts)
    with pytest.raises(FailedPrecondition) as err:
        add(uow, second, person)
    assert err.value.reason == "ALREADY_IN_HOUSEHOLD"
    assert f"{ORG}/households/{first.id}" in err.value.message and "remove them there first" in err.value.message
    assert len(store.state.facts) == facts_before
    assert get_person(uow, person).household_id == first.id


def test_adding_a_member_again_changes_the_role_and_keeps_the_join_time(uow, store):
    h, person = create(uow), register(uow)
    before = add(uow, h, person, HouseholdRole.OTHER)
    after = add(uow, h, person, HouseholdRole.PARTNER)
    assert (after.role, after.create_time) == (HouseholdRole.PARTNER, before.create_time)
    add(uow, h, person, HouseholdRole.PARTNER)  # nothing changes: no fact
    assert len([f for f in store.state.facts if f.type.endswith("household_membership_changed.v1")]) == 2


def test_a_removed_member_may_join_another_household(uow, store):
    first, second, person = create(uow), create(uow), register(uow)
    add(uow, first, person, HouseholdRole.PARENT_OR_GUARDIAN)
    removed = remove(uow, first, person, request_id="rm-1")
    assert removed.role == HouseholdRole.PARENT_OR_GUARDIAN
    assert remove(uow, first, person, request_id="rm-1").role == HouseholdRole.PARENT_OR_GUARDIAN  # a retry
    assert get_person(uow, person).household_id == ""
    assert members(uow, first)[0] == []
    add(uow, second, person)
    assert get_person(uow, person).household_id == second.id
    assert store.state.facts[-2].message.change == REMOVED


def test_removing_a_non_member_is_not_found(uow, store):
    h, person = create(uow), register(uow)
    with pytest.raises(NotFound) as err:
        remove(uow, h, person)
    assert err.value.reason == "HOUSEHOLD_MEMBER_NOT_FOUND"


@pytest.mark.parametrize("role", [0, 9])
def test_a_role_is_required(uow, role):
    h, person = create(uow), register(uow)
    with pytest.raises(InvalidArgument) as err:
        add(uow, h, person, role)
    assert [v.field for v in err.value.violations] == ["role"]
    assert "HOUSEHOLD_ROLE_PARENT_OR_GUARDIAN" in err.value.violations[0].description


def test_unknown_households_and_persons_are_not_found(uow, store):
    h, person = create(uow), register(uow)
    with pytest.raises(NotFound) as err:
        add(uow, Household(id="nope"), person)
    assert err.value.reason == "HOUSEHOLD_NOT_FOUND"
    with pytest.raises(NotFound) as err:
        add(uow, h, type(person)(**{**person.__dict__, "id": "nobody"}))
    assert err.value.reason == "PERSON_NOT_FOUND"
    with pytest.raises(NotFound):
        members(uow, Household(id="nope"))


def test_a_listing_of_members_needs_a_purpose_is_audited_and_pages(uow, store):
    h = create(uow)
    for i in range(3):
        add(uow, h, register(uow, amina(given_name=f"P{i}")))
    with pytest.raises(InvalidArgument) as err:
        members(uow, h, purpose="")
    assert err.value.reason == "PURPOSE_REQUIRED"
    first, token = members(uow, h, page_size=2)
    second, last = members(uow, h, page_size=2, page_token=token)
    assert len(first) == 2 and len(second) == 1 and last == ""
    assert [(a.action, a.resource, a.purpose) for a in store.state.audit if a.action == "household.member.list"] == [
        ("household.member.list", f"{ORG}/households/{h.id}", "follow-up of homework help")] * 2
    with pytest.raises(InvalidArgument):
        members(uow, create(uow), page_token=token)  # a token of another household's listing
