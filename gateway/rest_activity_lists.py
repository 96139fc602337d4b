"""Node mode: the node's themes and target groups (the events process's ActivityListsService) under /api/v1:
/themes and /targetGroups, each listed, added to (POST with theme_id or target_group_id) and relabelled."""
from __future__ import annotations

from typing import Mapping

import grpc
from google.protobuf import field_mask_pb2

from brobygger.events.v1 import activity_lists_pb2 as pb
from brobygger.events.v1 import activity_lists_pb2_grpc
from gateway.api import API_PREFIX, Api, Body, Call, Operation, Param


def register(api: Api, channels: Mapping[str, grpc.Channel], org: str) -> None:
    lists = activity_lists_pb2_grpc.ActivityListsServiceStub(channels["events"])
    parent = f"organizations/{org}"
    timeout = api.timeout
    label_only = field_mask_pb2.FieldMask(paths=["label"])

    @api.route(Operation("GET", f"{API_PREFIX}/themes", "listThemes", "The node's themes, by label", "activities",
                         "events", pb.ListThemesResponse, not_found=False,
                         description="Volunteers too. An empty list: activities take a theme as free text."))
    def list_themes(c: Call):
        return lists.ListThemes(pb.ListThemesRequest(parent=parent), timeout=timeout)

    @api.route(Operation(
        "POST", f"{API_PREFIX}/themes", "createTheme", "Add a theme to the node's list", "activities", "events",
        pb.Theme, status=201, body=Body(pb.Theme, "theme"), idempotent=True,
        query=(Param("theme_id", "Required: the code, lower-case letters, digits and hyphens, e.g. homework-help.",
                     required=True),),
        description="Body {\"label\": \"Leksehjelp\"}. Once the list has an entry, an activity's theme must be "
                    "one of its codes (400 NOT_IN_LIST). Coordinators only.",
    ))
    def create_theme(c: Call):
        return lists.CreateTheme(pb.CreateThemeRequest(parent=parent, theme=c.body, theme_id=c.query["theme_id"],
                                                       request_id=c.request_id), timeout=timeout)

    @api.route(Operation(
        "PATCH", f"{API_PREFIX}/themes/<id:theme>", "updateTheme", "Correct a theme's label", "activities", "events",
        pb.Theme, body=Body(pb.Theme, "theme"), idempotent=True, description="The code stays. Coordinators only.",
    ))
    def update_theme(c: Call):
        body = pb.Theme(name=f"{parent}/themes/{c.path['theme']}", label=c.body.label)
        return lists.UpdateTheme(pb.UpdateThemeRequest(theme=body, update_mask=label_only, request_id=c.request_id),
                                 timeout=timeout)

    @api.route(Operation("GET", f"{API_PREFIX}/targetGroups", "listTargetGroups", "The node's target groups",
                         "activities", "events", pb.ListTargetGroupsResponse, not_found=False,
                         description="Volunteers too. An empty list: activities take a target group as free text."))
    def list_target_groups(c: Call):
        return lists.ListTargetGroups(pb.ListTargetGroupsRequest(parent=parent), timeout=timeout)

    @api.route(Operation(
        "POST", f"{API_PREFIX}/targetGroups", "createTargetGroup", "Add a target group to the node's list",
        "activities", "events", pb.TargetGroup, status=201, body=Body(pb.TargetGroup, "target_group"),
        idempotent=True,
        query=(Param("target_group_id", "Required: the code, e.g. mothers-and-children.", required=True),),
        description="Body {\"label\": \"Mødre og barn\"}. Coordinators only.",
    ))
    def create_target_group(c: Call):
        return lists.CreateTargetGroup(pb.CreateTargetGroupRequest(
            parent=parent, target_group=c.body, target_group_id=c.query["target_group_id"],
            request_id=c.request_id), timeout=timeout)

    @api.route(Operation(
        "PATCH", f"{API_PREFIX}/targetGroups/<id:target_group>", "updateTargetGroup",
        "Correct a target group's label", "activities", "events", pb.TargetGroup,
        body=Body(pb.TargetGroup, "target_group"), idempotent=True, description="Coordinators only.",
    ))
    def update_target_group(c: Call):
        body = pb.TargetGroup(name=f"{parent}/targetGroups/{c.path['target_group']}", label=c.body.label)
        return lists.UpdateTargetGroup(pb.UpdateTargetGroupRequest(target_group=body, update_mask=label_only,
                                                                   request_id=c.request_id), timeout=timeout)
