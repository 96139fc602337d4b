"""Groups, a group's page, a person's groups and roles, and the people list's filters, on Flask's test client
over fake channels."""
from __future__ import annotations

import re

import grpc

from brobygger.membership.v1 import membership_pb2
from tests.gateway.test_web_persons import AMINA, MEMBERSHIP, with_purpose
from tests.gateway.web_support import rich_error

G = "organizations/mir/groups/mir-ung"
GROUPS = [membership_pb2.Group(name="organizations/mir/groups/linderud", kind=membership_pb2.GROUP_KIND_CHAPTER,
                               display_name="MiR Linderud"),
          membership_pb2.Group(name=G, kind=membership_pb2.GROUP_KIND_GROUP, display_name="MiR-Ung")]
BOARD = membership_pb2.RoleAssignment(name=f"{AMINA.name}/roleAssignments/a1", role=membership_pb2.ROLE_BOARD_MEMBER,
                                      start_date="2025-03-01", group=G, person=AMINA.name)
GUIDE = membership_pb2.RoleAssignment(name=f"{AMINA.name}/roleAssignments/a2", role=membership_pb2.ROLE_GUIDE,
                                      start_date="2024-01-01", end_date="2024-12-31", person=AMINA.name)


def calls(channels, rpc):
    return [c[1] for c in channels["membership"].calls if c[0].endswith("/" + rpc)]


def answers(channels, groups=GROUPS, mine=(), roles=()):
    m = channels["membership"]
    m.on(MEMBERSHIP + "ListGroups", lambda r: membership_pb2.ListGroupsResponse(groups=groups))
    m.on(MEMBERSHIP + "GetGroup", lambda r: next(g for g in groups if g.name == r.name))
    m.on(MEMBERSHIP + "GetPerson", lambda r: AMINA)
    m.on(MEMBERSHIP + "ListMembershipYears", lambda r: membership_pb2.ListMembershipYearsResponse())
    m.on(MEMBERSHIP + "ListGroupMembers", lambda r: membership_pb2.ListGroupMembersResponse(group_members=[
        membership_pb2.GroupMember(name=f"{g}/members/p1", person=AMINA.name, group=g) for g in mine]
        if r.parent.endswith("/-") else [membership_pb2.GroupMember(name=f"{r.parent}/members/p1", person=AMINA.name,
                                                                   group=r.parent)]))
    m.on(MEMBERSHIP + "ListRoleAssignments", lambda r: membership_pb2.ListRoleAssignmentsResponse(role_assignments=roles))
    m.on(MEMBERSHIP + "BatchGetPersons", lambda r: membership_pb2.BatchGetPersonsResponse(persons=[AMINA] * len(r.names)))


def test_the_groups_page_lists_chapters_and_groups_and_creates_one(web, channels):
    token = with_purpose(web)
    answers(channels)
    text = web.get("/groups").get_data(as_text=True)
    assert "MiR Linderud" in text and "lokallag" in text and 'href="/groups/mir-ung"' in text and "Grupper" in text
    channels["membership"].on(MEMBERSHIP + "CreateGroup", lambda r: membership_pb2.Group(
        name=f"organizations/mir/groups/{r.group_id}", kind=r.group.kind, display_name=r.group.display_name))
    answer = web.post("/groups", data={"csrf_token": token, "request_id": "g-1", "display_name": "MiR Furuset",
                                       "group_id": "furuset", "kind": "GROUP_KIND_CHAPTER"})
    assert answer.status_code == 302 and answer.headers["Location"] == "/groups/furuset"
    [created] = calls(channels, "CreateGroup")
    assert (created.group_id, created.group.kind, created.group.display_name, created.request_id) == (
        "furuset", membership_pb2.GROUP_KIND_CHAPTER, "MiR Furuset", "g-1")


def test_a_refused_group_is_said_in_the_pages_language_next_to_the_fields(web, channels):
    token = with_purpose(web)
    answers(channels)
    channels["membership"].on(MEMBERSHIP + "CreateGroup", lambda r: (_ for _ in ()).throw(rich_error(
        grpc.StatusCode.INVALID_ARGUMENT, "INVALID_FIELDS", "The group has invalid fields: group_id.",
        [("group_id", "must be a short lower-case id like 'linderud' or 'mir-ung'"),
         ("group.kind", "is required: GROUP_KIND_CHAPTER or GROUP_KIND_GROUP")])))
    page = web.post("/groups", data={"csrf_token": token, "display_name": "MiR Furuset", "group_id": "Furuset!"})
    text = page.get_data(as_text=True)
    assert page.status_code == 400 and "Skriv en kort id med små bokstaver" in text and "Velg type." in text
    assert 'value="Furuset!"' in text and "lower-case" not in text
    channels["membership"].on(MEMBERSHIP + "CreateGroup", lambda r: (_ for _ in ()).throw(rich_error(
        grpc.StatusCode.ALREADY_EXISTS, "GROUP_EXISTS", "A group with the id 'linderud' exists already.",
        [("group_id", "is taken")])))
    text = web.post("/groups", data={"csrf_token": token, "display_name": "X", "group_id": "linderud",
                                     "kind": "GROUP_KIND_CHAPTER"}).get_data(as_text=True)
    assert "Det finnes allerede en gruppe med denne id-en." in text and "Velg en annen id." in text


def test_a_groups_page_shows_its_members_and_adds_and_removes_them(web, channels):
    token = with_purpose(web)
    answers(channels)
    text = web.get("/groups/mir-ung").get_data(as_text=True)
    assert "MiR-Ung" in text and 'href="/persons/p1"' in text and "Amina Khan" in text
    [listing] = calls(channels, "ListGroupMembers")
    assert (listing.parent, listing.purpose) == (G, "oppfølging av en familie")
    assert "Amina" not in text.split("<title>")[1].split("</title>")[0]
    channels["membership"].on(MEMBERSHIP + "AddGroupMember", lambda r: membership_pb2.GroupMember())
    channels["membership"].on(MEMBERSHIP + "RemoveGroupMember", lambda r: membership_pb2.GroupMember())
    assert web.post("/groups/mir-ung/members", data={"csrf_token": token, "person": "p2"}).status_code == 302
    assert calls(channels, "AddGroupMember")[0].person == "organizations/mir/persons/p2"
    assert web.post("/groups/mir-ung/members/p1/remove", data={"csrf_token": token}).status_code == 302
    assert calls(channels, "RemoveGroupMember")[0].name == f"{G}/members/p1"
    page = web.post("/groups/mir-ung/members", data={"csrf_token": token, "person": ""})
    assert page.status_code == 400 and "id" in page.get_data(as_text=True)


def test_a_persons_page_shows_their_groups_and_roles_with_forms(web, channels):
    with_purpose(web)
    answers(channels, mine=[G], roles=[BOARD, GUIDE])
    text = web.get("/persons/p1").get_data(as_text=True)
    assert 'href="/groups/mir-ung"' in text and "Ta ut av MiR-Ung" in text
    assert "styremedlem" in text and "veileder" in text and "Avslutt rollen som styremedlem" in text
    assert "Avslutt rollen som veileder" not in text  # an ended role has no end form
    assert 'action="/persons/p1/roles/a1/end"' in text and 'action="/persons/p1/roles"' in text
    joinable = re.search(r'<select id="f-join".*?</select>', text, re.S).group(0)
    assert "MiR Linderud" in joinable and "MiR-Ung" not in joinable  # only groups they are not in
    [mine] = [r for r in calls(channels, "ListGroupMembers")]
    assert (mine.parent, mine.person, mine.purpose) == ("organizations/mir/groups/-", AMINA.name,
                                                        "oppfølging av en familie")
    [roles] = calls(channels, "ListRoleAssignments")
    assert (roles.parent, roles.purpose) == (AMINA.name, "oppfølging av en familie")
    assert len(set(re.findall(r'id="(f-[^"]+)"', text))) == len(re.findall(r'id="(f-[^"]+)"', text))  # no id twice


def test_a_role_is_given_and_ended_from_the_persons_page(web, channels):
    token = with_purpose(web)
    answers(channels, roles=[BOARD])
    channels["membership"].on(MEMBERSHIP + "AssignRole", lambda r: BOARD)
    channels["membership"].on(MEMBERSHIP + "EndRole", lambda r: BOARD)
    channels["membership"].on(MEMBERSHIP + "AddGroupMember", lambda r: membership_pb2.GroupMember())
    answer = web.post("/persons/p1/roles", data={"csrf_token": token, "request_id": "r-1", "role": "ROLE_VOLUNTEER",
                                                 "group": "mir-ung", "start_date": "2026-02-01", "end_date": ""})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/persons/p1#roles-title")
    [given] = calls(channels, "AssignRole")
    assert (given.parent, given.role_assignment.role, given.role_assignment.group, given.role_assignment.start_date,
            given.request_id) == (AMINA.name, membership_pb2.ROLE_VOLUNTEER, G, "2026-02-01", "r-1")
    assert web.post("/persons/p1/roles/a1/end", data={"csrf_token": token, "end_a1": "2026-06-30"}).status_code == 302
    [ended] = calls(channels, "EndRole")
    assert (ended.name, ended.end_date) == (BOARD.name, "2026-06-30")
    assert web.post("/persons/p1/groups", data={"csrf_token": token, "join": "linderud"}).status_code == 302
    assert calls(channels, "AddGroupMember")[0].group == "organizations/mir/groups/linderud"


def test_a_wrong_role_is_named_in_the_pages_language(web, channels):
    token = with_purpose(web)
    answers(channels, roles=[BOARD])
    page = web.post("/persons/p1/roles", data={"csrf_token": token, "role": "", "start_date": ""})
    text = page.get_data(as_text=True)
    assert page.status_code == 400 and "Velg rollen." in text and "Skriv første dag" in text
    assert not calls(channels, "AssignRole")
    channels["membership"].on(MEMBERSHIP + "EndRole", lambda r: (_ for _ in ()).throw(rich_error(
        grpc.StatusCode.INVALID_ARGUMENT, "INVALID_FIELDS", "end_date must be on or after the start date.",
        [("end_date", "cannot be before the start date")])))
    page = web.post("/persons/p1/roles/a1/end", data={"csrf_token": token, "end_a1": "2020-01-01"})
    text = page.get_data(as_text=True)
    assert page.status_code == 400 and "Siste dag kan ikke være før første dag." in text
    assert re.search(r'id="f-end_a1"[^>]*aria-invalid="true"', text)


def test_the_people_list_filters_by_chapter_group_year_paying_and_role(web, channels):
    token = with_purpose(web)
    answers(channels)
    channels["membership"].on(MEMBERSHIP + "ListPersons", lambda r: membership_pb2.ListPersonsResponse(
        persons=[AMINA], next_page_token="n2"))
    text = web.get("/persons").get_data(as_text=True)
    assert "Flere filtre" in text and "MiR Linderud" in text and "frivillig" in text
    page = web.post("/persons", data={"csrf_token": token, "chapter": "linderud", "group": "mir-ung",
                                      "membership_year": "2026", "paying": "1", "role": "ROLE_VOLUNTEER"})
    text = page.get_data(as_text=True)
    [listing] = calls(channels, "ListPersons")[-1:]
    assert (listing.chapter, listing.group, listing.membership_year, listing.paying, listing.role) == (
        "linderud", "mir-ung", 2026, True, membership_pb2.ROLE_VOLUNTEER)
    more = re.search(r'href="(/persons\?[^"]+)"', text).group(1).replace("&amp;", "&")
    assert "page_token=n2" in more and "group=mir-ung" in more and "membership_year=2026" in more
    web.get(more)
    again = calls(channels, "ListPersons")[-1]
    assert (again.page_token, again.group, again.paying, again.role) == ("n2", "mir-ung", True,
                                                                         membership_pb2.ROLE_VOLUNTEER)
    page = web.post("/persons", data={"csrf_token": token, "membership_year": "20x6", "paying": "1"})
    assert page.status_code == 400 and "Skriv et årstall" in page.get_data(as_text=True)


def test_a_chapter_that_does_not_exist_is_said_in_the_pages_language(web, channels):
    token = with_purpose(web)
    channels["membership"].on(MEMBERSHIP + "RegisterPerson", lambda r: (_ for _ in ()).throw(rich_error(
        grpc.StatusCode.FAILED_PRECONDITION, "CHAPTER_NOT_FOUND", "chapter 'stovner' names no chapter",
        [("person.chapter", "names no chapter of this organisation")])))
    page = web.post("/persons/new", data={"csrf_token": token, "given_name": "Amina", "gender": "GENDER_FEMALE",
                                          "chapter": "stovner"})
    text = page.get_data(as_text=True)
    assert page.status_code == 409 and "Det finnes ikke noe lokallag med den id-en" in text
    assert "Ingen lokallag har denne id-en." in text and 'value="stovner"' in text


def test_a_persons_chapter_is_named_and_links_to_its_page(web, channels):
    with_purpose(web)
    answers(channels)
    local = membership_pb2.Person()
    local.CopyFrom(AMINA)
    local.chapter = "linderud"
    channels["membership"].on(MEMBERSHIP + "GetPerson", lambda r: local)
    text = web.get("/persons/p1").get_data(as_text=True)
    assert re.search(r'<dt>Lokallag</dt><dd><a href="/groups/linderud">MiR Linderud</a></dd>', text)


def test_a_chapters_page_links_to_the_people_of_the_chapter_and_the_list_opens_filtered(web, channels):
    with_purpose(web)
    answers(channels)
    channels["membership"].on(MEMBERSHIP + "ListPersons", lambda r: membership_pb2.ListPersonsResponse(persons=[AMINA]))
    text = web.get("/groups/linderud").get_data(as_text=True)
    assert 'href="/persons?chapter=linderud"' in text and "Personer som har dette lokallaget" in text
    assert "Personer som har dette lokallaget" not in web.get("/groups/mir-ung").get_data(as_text=True)
    page = web.get("/persons?chapter=linderud").get_data(as_text=True)
    assert calls(channels, "ListPersons")[-1].chapter == "linderud"
    assert re.search(r'<option value="linderud" selected>MiR Linderud</option>', page) and "<details class=\"filters\" open>" in page
