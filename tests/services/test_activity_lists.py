"""The node's themes and target groups in the real events service, on SQLite and PostgreSQL: the lists, and an
activity refused a theme that is none of them."""
from __future__ import annotations

import grpc
import pytest
from google.protobuf import field_mask_pb2

from brobygger.events.v1 import activity_lists_pb2 as pb
from brobygger.events.v1 import activity_lists_pb2_grpc
from tests.services.test_events import (  # noqa: F401  (fixtures)
    ORG, coord, create_activity, failure, membership, node, stub, volunteer,
)


@pytest.fixture
def lists(node):
    with grpc.insecure_channel(node.address) as ch:
        yield activity_lists_pb2_grpc.ActivityListsServiceStub(ch)


def test_lists_of_the_node_and_activities_checked_against_them(lists, stub, coord, volunteer):
    before = create_activity(stub, coord, theme="svømming i fritiden")  # no list yet: free text
    theme = lists.CreateTheme(pb.CreateThemeRequest(parent=ORG, theme_id="swimming",
                                                    theme=pb.Theme(label="Svømming")), metadata=coord, timeout=10)
    assert theme.name == f"{ORG}/themes/swimming"
    lists.CreateTargetGroup(pb.CreateTargetGroupRequest(parent=ORG, target_group_id="mothers-and-children",
                                                        target_group=pb.TargetGroup(label="Mødre og barn")),
                            metadata=coord, timeout=10)
    taken = failure(lambda: lists.CreateTheme(pb.CreateThemeRequest(
        parent=ORG, theme_id="swimming", theme=pb.Theme(label="Igjen")), metadata=coord, timeout=10))
    assert (taken.code, taken.reason) == (grpc.StatusCode.ALREADY_EXISTS, "THEME_ALREADY_EXISTS")
    fixed = lists.UpdateTheme(pb.UpdateThemeRequest(theme=pb.Theme(name=theme.name, label="Svømming og bading"),
                                                    update_mask=field_mask_pb2.FieldMask(paths=["label"])),
                              metadata=coord, timeout=10)
    assert fixed.label == "Svømming og bading"
    # Volunteers read the lists (the activity pages show labels); they do not change them.
    assert [t.label for t in lists.ListThemes(pb.ListThemesRequest(parent=ORG), metadata=volunteer,
                                              timeout=10).themes] == ["Svømming og bading"]
    denied = failure(lambda: lists.CreateTheme(pb.CreateThemeRequest(
        parent=ORG, theme_id="yoga", theme=pb.Theme(label="Yoga")), metadata=volunteer, timeout=10))
    assert denied.code == grpc.StatusCode.PERMISSION_DENIED

    assert create_activity(stub, coord, theme="swimming", target_group="mothers-and-children").theme == "swimming"
    refused = failure(lambda: create_activity(stub, coord, theme="yoga", target_group="mothers-and-children"))
    assert (refused.code, refused.reason) == (grpc.StatusCode.INVALID_ARGUMENT, "NOT_IN_LIST")
    assert [f for f, _ in refused.violations] == ["activity.theme"]
    assert before.theme == "svømming i fritiden"
