"""The node's themes and target groups (coordinators): both lists on one page, with a form to add to each.
The activity forms offer a list's labels once it has entries (activities.py asks list_choices)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from brobygger.events.v1 import activity_lists_pb2 as pb
from brobygger.events.v1 import activity_lists_pb2_grpc
from gateway.problems import Problem
from gateway.web.ui import ServiceRefusal, area, call, channel, form_request_id, request_id

if TYPE_CHECKING:
    from gateway.app import Gateway

ROLES = ("coordinator",)


def _stub(gw: Gateway):
    return activity_lists_pb2_grpc.ActivityListsServiceStub(channel(gw, "events"))


def list_choices(gw: Gateway, values: dict | None = None) -> dict[str, list[tuple[str, str]]]:
    """(code, label) of the node's themes and target groups, for the activity forms: empty for a list the node
    does not keep (the field is then free text). A value saved before the lists stays on offer."""
    stub, parent = _stub(gw), f"organizations/{gw.settings.org}"
    try:
        themes, _r1 = call(stub.ListThemes, pb.ListThemesRequest(parent=parent), service="events")
        groups, _r2 = call(stub.ListTargetGroups, pb.ListTargetGroupsRequest(parent=parent), service="events")
    except Problem:  # the forms with free text rather than no form
        return {"themes": [], "target_groups": []}
    out = {"themes": [(t.name.rsplit("/", 1)[1], t.label) for t in (themes.themes if themes else [])],
           "target_groups": [(g.name.rsplit("/", 1)[1], g.label) for g in (groups.target_groups if groups else [])]}
    for key, field in (("themes", "theme"), ("target_groups", "target_group")):
        held = (values or {}).get(field, "")
        if out[key]:
            if held and held not in {code for code, _l in out[key]}:
                out[key].append((held, held))
            out[key].insert(0, ("", _("None")))
    return out


def _rename(refusal: ServiceRefusal, label_field: str) -> None:
    """The service names the label "theme.label" (a form field "label"); this page's field is label_field."""
    refusal.fields = {label_field if k == "label" else k: v for k, v in refusal.fields.items()}


def blueprint(gw: Gateway):
    bp = area("lists", gw, roles=ROLES)
    stub = _stub(gw)
    parent = f"organizations/{gw.settings.org}"

    def page(refusals: dict[str, ServiceRefusal] | None = None, values: dict | None = None, status: int = 200):
        themes, _r = call(stub.ListThemes, pb.ListThemesRequest(parent=parent), service="events")
        groups, _r = call(stub.ListTargetGroups, pb.ListTargetGroupsRequest(parent=parent), service="events")
        return render_template("lists/index.html", themes=themes.themes if themes else [],
                               groups=groups.target_groups if groups else [], refusals=refusals or {},
                               values=values or {}, request_id=request_id()), status

    @bp.get("/activity-lists")
    def index():
        return page()

    @bp.post("/activity-lists/themes")
    def add_theme():
        made, refusal = call(stub.CreateTheme, pb.CreateThemeRequest(
            parent=parent, theme_id=request.form.get("theme_id", "").strip(),
            theme=pb.Theme(label=request.form.get("theme_label", "").strip()), request_id=form_request_id()),
            service="events")
        if refusal is not None:
            _rename(refusal, "theme_label")
            return page({"theme": refusal}, {"theme": request.form}, refusal.status)
        flash(_("The theme %(label)s is added.", label=made.label), "success")
        return redirect(url_for("lists.index"))

    @bp.post("/activity-lists/target-groups")
    def add_target_group():
        made, refusal = call(stub.CreateTargetGroup, pb.CreateTargetGroupRequest(
            parent=parent, target_group_id=request.form.get("target_group_id", "").strip(),
            target_group=pb.TargetGroup(label=request.form.get("group_label", "").strip()),
            request_id=form_request_id()), service="events")
        if refusal is not None:
            _rename(refusal, "group_label")
            return page({"group": refusal}, {"group": request.form}, refusal.status)
        flash(_("The target group %(label)s is added.", label=made.label), "success")
        return redirect(url_for("lists.index"))

    return bp
