"""The themes and target groups page, and the activity form offering a list's labels, on Flask's test client."""
from __future__ import annotations

import grpc

from brobygger.events.v1 import activity_lists_pb2 as pb
from tests.gateway.web_support import MIR_TOKEN, VOLUNTEER_TOKEN, csrf_token, login, rich_error

LISTS = "/brobygger.events.v1.ActivityListsService/"
ORG = "organizations/mir"


def answers(channels, themes=(), groups=()):
    e = channels["events"]
    e.on(LISTS + "ListThemes", lambda r: pb.ListThemesResponse(
        themes=[pb.Theme(name=f"{ORG}/themes/{c}", label=label) for c, label in themes]))
    e.on(LISTS + "ListTargetGroups", lambda r: pb.ListTargetGroupsResponse(
        target_groups=[pb.TargetGroup(name=f"{ORG}/targetGroups/{c}", label=label) for c, label in groups]))


def test_the_activity_form_offers_the_lists_labels_or_free_text_without_a_list(web, channels):
    answers(channels, themes=[("homework-help", "Leksehjelp")])
    login(web, MIR_TOKEN)
    text = web.get("/activities/new").get_data(as_text=True)
    assert '<select id="f-theme" name="theme"' in text and '<option value="homework-help">Leksehjelp</option>' in text
    assert '<input id="f-target_group" name="target_group" type="text"' in text  # no target groups: free text


def test_adding_a_theme_and_a_refusal_next_to_its_field(web, channels):
    answers(channels)
    channels["events"].on(LISTS + "CreateTheme", lambda r: pb.Theme(name=f"{ORG}/themes/{r.theme_id}",
                                                                    label=r.theme.label))
    login(web, MIR_TOKEN)
    token = csrf_token(web, "/activity-lists")
    done = web.post("/activity-lists/themes", data={"csrf_token": token, "theme_id": "homework-help",
                                                    "theme_label": "Leksehjelp"})
    assert done.status_code == 302
    [(_m, request, _t)] = [c for c in channels["events"].calls if c[0].endswith("/CreateTheme")]
    assert (request.theme_id, request.theme.label) == ("homework-help", "Leksehjelp")
    channels["events"].on(LISTS + "CreateTargetGroup", lambda r: (_ for _ in ()).throw(rich_error(
        grpc.StatusCode.INVALID_ARGUMENT, "INVALID_FIELDS", "The target group has invalid fields.",
        [("target_group_id", "1 to 60 lower-case letters"), ("target_group.label", "is required")])))
    page = web.post("/activity-lists/target-groups", data={"csrf_token": token, "target_group_id": "Mødre"})
    text = page.get_data(as_text=True)
    assert page.status_code == 400 and 'id="e-target_group_id"' in text and 'id="e-group_label"' in text
    assert 'value="Mødre"' in text


def test_the_lists_are_for_coordinators(web, channels):
    answers(channels)
    login(web, VOLUNTEER_TOKEN)
    assert web.get("/activity-lists").status_code == 403
