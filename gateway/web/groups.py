"""Groups (coordinators): the local chapters and other groups, a group's page with its members (adding and
removing them, correcting its name), and on a person's page their groups and roles with forms to add a group,
give a role for a period and end it.

Reads of members and roles go through the purpose in force (gateway.web.purpose), so the membership service's
audit log says who looked and why. Names appear in pages, never in URLs or titles.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Callable

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from brobygger.membership.v1 import membership_pb2, membership_pb2_grpc
from gateway.web import labels
from gateway.web.purpose import current_purpose, need_purpose
from gateway.web.ui import ServiceRefusal, area, call, channel, form_request_id, nav_item, request_id

if TYPE_CHECKING:
    from flask import Blueprint

    from gateway.app import Gateway

ROLES = ("coordinator",)
MAX_GROUPS = 200  # a node's groups fit one page of ListGroups

nav_item("groups.index", _l("Groups"), _l("Local chapters and groups, and who is a member"), ROLES)


def last(name: str) -> str:
    return name.rsplit("/", 1)[-1]


def kind_of(number: int) -> str:
    return labels.label(labels.GROUP_KIND, membership_pb2.GroupKind.DESCRIPTOR, number)


def role_of(number: int) -> str:
    return labels.label(labels.ROLE, membership_pb2.Role.DESCRIPTOR, number)


def all_groups(membership, parent: str, kind: int = 0) -> list:
    found, _r = call(membership.ListGroups, membership_pb2.ListGroupsRequest(parent=parent, page_size=MAX_GROUPS,
                                                                            kind=kind), service="membership")
    return list(found.groups) if found else []


def local_refusal(errors: dict[str, str]) -> ServiceRefusal:
    return ServiceRefusal(400, "INVALID_ARGUMENT", _("Check the fields marked below."), errors)


# What the membership service says of groups and roles in English, as the page says it; by the start of a field's
# description, and by a refusal's reason.
FIELD_STARTS = (
    ("is required: must be a date like", _l("Write a date, for example 2026-03-01.")),
    ("must be a date like", _l("Write a date, for example 2026-03-01.")),
    ("cannot be before the start date", _l("The last day cannot be before the first day.")),
    ("must be from", _l("The date is too early or too far ahead.")),
    ("cannot be after", _l("The date is more than a year ahead.")),
    ("must be a short lower-case id", _l("Write a short id in small letters, digits and hyphens, for example "
                                          "linderud or mir-ung.")),
    ("is required, e.g. 'MiR Linderud'", _l("Write the name, for example MiR Linderud.")),
    ("is required: GROUP_KIND", _l("Choose the kind.")),
    ("is required: ROLE", _l("Choose the role.")),
    ("is taken", _l("Choose another id.")),
)
REASONS = {
    "GROUP_EXISTS": _l("A group with this id exists already."),
    "GROUP_NOT_FOUND": _l("There is no such group. Choose one from the list."),
    "GROUP_MEMBER_NOT_FOUND": _l("The person is not a member of that group."),
    "PERSON_NOT_FOUND": _l("There is nobody with that id. The id is shown on the person's page."),
    "ROLE_ALREADY_ENDED": _l("The role has ended already. To hold it again, give it anew."),
    "ROLE_ASSIGNMENT_NOT_FOUND": _l("There is no such role for this person."),
}


def localized(refusal: ServiceRefusal | None) -> ServiceRefusal | None:
    """A refusal of the membership service about groups and roles in the page's language."""
    if refusal is None:
        return None
    fields = {}
    for name, text in refusal.fields.items():
        fields[name] = next((str(t) for start, t in FIELD_STARTS if text.startswith(start)), text)
    message = str(REASONS[refusal.reason]) if refusal.reason in REASONS else refusal.message
    return ServiceRefusal(refusal.status, refusal.reason, message, fields, refusal.retry_after)


def chapter_refusal(refusal: ServiceRefusal | None) -> ServiceRefusal | None:
    """A person's chapter that names no chapter, said in the page's language (the service says it in English)."""
    if refusal is None or refusal.reason != "CHAPTER_NOT_FOUND":
        return refusal
    return ServiceRefusal(refusal.status, refusal.reason, _(
        "There is no local chapter with that id. Write the id of one of the chapters on the Groups page, or "
        "create the chapter there first."), {"chapter": _("No local chapter has this id.")})


def blueprint(gw: Gateway):
    bp = area("groups", gw, roles=ROLES)
    membership = membership_pb2_grpc.MembershipServiceStub(channel(gw, "membership"))
    parent = f"organizations/{gw.settings.org}"

    def index_page(refusal: ServiceRefusal | None = None, values: dict | None = None, status: int = 200):
        groups = all_groups(membership, parent)
        kinds = labels.choices(labels.GROUP_KIND, membership_pb2.GroupKind.DESCRIPTOR, blank=_("Choose"))
        return render_template("groups/index.html", groups=groups, kind_of=kind_of, last=last, refusal=refusal,
                               values=values or {}, kinds=kinds, request_id=request_id()), status

    @bp.route("/groups", methods=["GET", "POST"])
    def index():
        if request.method == "GET":
            return index_page()
        form = request.form
        group = membership_pb2.Group(
            kind=labels.number_of(membership_pb2.GroupKind.DESCRIPTOR, form.get("kind", "")),
            display_name=form.get("display_name", "").strip())
        created, refusal = call(membership.CreateGroup, membership_pb2.CreateGroupRequest(
            parent=parent, group_id=form.get("group_id", "").strip(), group=group, request_id=form_request_id()),
            service="membership")
        refusal = localized(refusal)
        if refusal is not None:
            return index_page(refusal, form, refusal.status)
        flash(_("The group %(name)s is created.", name=created.display_name), "success")
        return redirect(url_for("groups.detail", group_id=last(created.name)))

    def members_of(name: str) -> list[tuple]:
        """The group's members as (member, person), read with the purpose in force."""
        listed, _r = call(membership.ListGroupMembers, membership_pb2.ListGroupMembersRequest(
            parent=name, page_size=200, purpose=current_purpose()), service="membership")
        members = list(listed.group_members)
        if not members:
            return []
        found: list = []
        for start in range(0, len(members), 100):  # BatchGetPersons takes 100 names at a time
            chunk = members[start:start + 100]
            people, _r = call(membership.BatchGetPersons, membership_pb2.BatchGetPersonsRequest(
                parent=parent, names=[m.person for m in chunk], purpose=current_purpose()), service="membership")
            found += zip(chunk, people.persons)
        return found

    def detail_page(group_id: str, refusal: ServiceRefusal | None = None, values: dict | None = None,
                    status: int = 200, name_refusal: ServiceRefusal | None = None):
        name = f"{parent}/groups/{group_id}"
        group, _r = call(membership.GetGroup, membership_pb2.GetGroupRequest(name=name), service="membership")
        return render_template("groups/detail.html", group=group, gid=group_id, kind_of=kind_of,
                               members=members_of(name), person_id=last, refusal=refusal, values=values or {},
                               name_refusal=name_refusal, request_id=request_id(),
                               chapter_kind=membership_pb2.GROUP_KIND_CHAPTER), status

    @bp.get("/groups/<id:group_id>")
    def detail(group_id: str):
        if (ask := need_purpose()):
            return ask
        return detail_page(group_id)

    @bp.post("/groups/<id:group_id>/name")
    def rename(group_id: str) -> Response | tuple:
        if (ask := need_purpose()):
            return ask
        _g, refusal = call(membership.UpdateGroup, membership_pb2.UpdateGroupRequest(
            group=membership_pb2.Group(name=f"{parent}/groups/{group_id}",
                                       display_name=request.form.get("display_name", "").strip()),
            update_mask={"paths": ["display_name"]}, request_id=form_request_id()), service="membership")
        refusal = localized(refusal)
        if refusal is not None:
            return detail_page(group_id, name_refusal=refusal, status=refusal.status)
        flash(_("The name is saved."), "success")
        return redirect(url_for("groups.detail", group_id=group_id))

    @bp.post("/groups/<id:group_id>/members")
    def add_member(group_id: str) -> Response | tuple:
        """Add a person by their id (shown on their page)."""
        if (ask := need_purpose()):
            return ask
        who = request.form.get("person", "").strip()
        if not who:
            return detail_page(group_id, local_refusal(
                {"person": _("Write the person's id in Brobygger: it is shown on their page.")}), request.form, 400)
        _m, refusal = call(membership.AddGroupMember, membership_pb2.AddGroupMemberRequest(
            group=f"{parent}/groups/{group_id}", person=who if "/" in who else f"{parent}/persons/{who}",
            request_id=form_request_id()), service="membership")
        refusal = localized(refusal)
        if refusal is not None:
            return detail_page(group_id, refusal, request.form, refusal.status)
        flash(_("The person is added to the group."), "success")
        return redirect(url_for("groups.detail", group_id=group_id))

    @bp.post("/groups/<id:group_id>/members/<id:person_id>/remove")
    def remove_member(group_id: str, person_id: str) -> Response | tuple:
        if (ask := need_purpose()):
            return ask
        _m, refusal = call(membership.RemoveGroupMember, membership_pb2.RemoveGroupMemberRequest(
            name=f"{parent}/groups/{group_id}/members/{person_id}", request_id=form_request_id()),
            service="membership")
        refusal = localized(refusal)
        if refusal is not None:
            return detail_page(group_id, refusal, None, refusal.status)
        flash(_("The person is no longer a member of the group."), "success")
        return redirect(url_for("groups.detail", group_id=group_id))

    return bp


# ---------------------------------------------------------------------------- on a person's page


def person_sections(membership, parent: str, pid: str) -> dict[str, Any]:
    """What a person's page shows of their groups and roles, read with the purpose in force."""
    person = f"{parent}/persons/{pid}"
    groups = all_groups(membership, parent)
    names = {g.name: g.display_name for g in groups}
    mine, _r = call(membership.ListGroupMembers, membership_pb2.ListGroupMembersRequest(
        parent=f"{parent}/groups/-", person=person, page_size=200, purpose=current_purpose()), service="membership")
    joined = [m.group for m in mine.group_members] if mine else []
    roles, _r = call(membership.ListRoleAssignments, membership_pb2.ListRoleAssignmentsRequest(
        parent=person, page_size=100, purpose=current_purpose()), service="membership")
    return {
        "person_groups": [(last(g), names.get(g, last(g))) for g in joined],
        "joinable": [("", _("Choose"))] + [(last(g.name), f"{g.display_name} ({kind_of(g.kind)})") for g in groups
                                             if g.name not in joined],
        "group_options": [("", _("None"))] + [(last(g.name), g.display_name) for g in groups],
        "role_options": labels.choices(labels.ROLE, membership_pb2.Role.DESCRIPTOR, blank=_("Choose")),
        "assignments": list(roles.role_assignments) if roles else [],
        # A group's display name by its name or its id (a person's chapter is an id).
        "group_name": lambda name: names.get(name) or names.get(f"{parent}/groups/{name}") or last(name),
        "role_label": role_of, "last": last, "today": dt.date.today().isoformat(),
    }


def person_routes(bp: Blueprint, membership, parent: str, show: Callable[..., Any]) -> None:
    """The person page's forms of groups and roles, on the persons blueprint (show renders the person's page
    with a refusal next to the form that was sent)."""

    def person(pid: str) -> str:
        return f"{parent}/persons/{pid}"

    @bp.post("/persons/<id:person_id>/groups")
    def join_group(person_id: str) -> Response | tuple:
        if (ask := need_purpose()):
            return ask
        group = request.form.get("join", "").strip()
        if not group:
            refusal = local_refusal({"join": _("Choose a group.")})
            return show(person_id, group_refusal=refusal, status=400)
        _m, refusal = call(membership.AddGroupMember, membership_pb2.AddGroupMemberRequest(
            group=f"{parent}/groups/{group}", person=person(person_id), request_id=form_request_id()),
            service="membership")
        refusal = localized(refusal)
        if refusal is not None:
            refusal.fields = {"join": text for text in refusal.fields.values()} or refusal.fields
            return show(person_id, group_refusal=refusal, status=refusal.status)
        flash(_("The person is added to the group."), "success")
        return redirect(url_for("persons.detail", person_id=person_id) + "#groups-title")

    @bp.post("/persons/<id:person_id>/groups/<id:group_id>/leave")
    def leave_group(person_id: str, group_id: str) -> Response | tuple:
        if (ask := need_purpose()):
            return ask
        _m, refusal = call(membership.RemoveGroupMember, membership_pb2.RemoveGroupMemberRequest(
            name=f"{parent}/groups/{group_id}/members/{person_id}", request_id=form_request_id()),
            service="membership")
        refusal = localized(refusal)
        if refusal is not None:
            return show(person_id, group_refusal=refusal, status=refusal.status)
        flash(_("The person is no longer a member of the group."), "success")
        return redirect(url_for("persons.detail", person_id=person_id) + "#groups-title")

    @bp.post("/persons/<id:person_id>/roles")
    def assign_role(person_id: str) -> Response | tuple:
        if (ask := need_purpose()):
            return ask
        form = request.form
        role = labels.number_of(membership_pb2.Role.DESCRIPTOR, form.get("role", ""))
        errors: dict[str, str] = {}
        if not role:
            errors["role"] = _("Choose the role.")
        if not form.get("start_date", "").strip():
            errors["start_date"] = _("Write the first day, for example %(day)s.", day=dt.date.today().isoformat())
        if errors:
            return show(person_id, role_refusal=local_refusal(errors), role_values=form, status=400)
        group = form.get("group", "").strip()
        _a, refusal = call(membership.AssignRole, membership_pb2.AssignRoleRequest(
            parent=person(person_id), role_assignment=membership_pb2.RoleAssignment(
                role=role, start_date=form.get("start_date", "").strip(), end_date=form.get("end_date", "").strip(),
                group=f"{parent}/groups/{group}" if group else ""), request_id=form_request_id()),
            service="membership")
        refusal = localized(refusal)
        if refusal is not None:
            return show(person_id, role_refusal=refusal, role_values=form, status=refusal.status)
        flash(_("The role is saved."), "success")
        return redirect(url_for("persons.detail", person_id=person_id) + "#roles-title")

    @bp.post("/persons/<id:person_id>/roles/<id:assignment_id>/end")
    def end_role(person_id: str, assignment_id: str) -> Response | tuple:
        if (ask := need_purpose()):
            return ask
        field = f"end_{assignment_id}"  # one form per role on the page, each field its own id
        end = request.form.get(field, "").strip()
        if not end:
            refusal = local_refusal({field: _("Write the last day the person held the role.")})
            return show(person_id, end_refusal=refusal, ending=assignment_id, status=400)
        _a, refusal = call(membership.EndRole, membership_pb2.EndRoleRequest(
            name=f"{person(person_id)}/roleAssignments/{assignment_id}", end_date=end, request_id=form_request_id()),
            service="membership")
        refusal = localized(refusal)
        if refusal is not None:
            refusal.fields = {field: text for text in refusal.fields.values()} or refusal.fields
            return show(person_id, end_refusal=refusal, ending=assignment_id, status=refusal.status)
        flash(_("The role is ended."), "success")
        return redirect(url_for("persons.detail", person_id=person_id) + "#roles-title")
