"""ActivityListsService: proto -> command -> handler -> proto. No SQL, Kafka or JWT code here."""
from __future__ import annotations

from typing import Callable

from brobygger.events.v1 import activity_lists_pb2 as pb
from brobygger.events.v1 import activity_lists_pb2_grpc
from services.common.grpcserver import Access, current_principal
from services.common.names import ORGANIZATION, NamePattern
from services.common.timestamps import timestamp
from services.events.domain.activity_lists import TARGET_GROUPS, THEMES, ListEntry
from services.events.service_layer import activity_lists as handlers
from services.events.service_layer.unit_of_work import EventsUnitOfWork

THEME = NamePattern("organizations/{org}/themes/{theme}")
TARGET_GROUP = NamePattern("organizations/{org}/targetGroups/{target_group}")

_READ = Access(roles=frozenset({"coordinator", "volunteer", "node-service"}))
LISTS_POLICY = {"ListThemes": _READ, "ListTargetGroups": _READ}  # the others: coordinators (the default)


class ActivityListsServicer(activity_lists_pb2_grpc.ActivityListsServiceServicer):
    def __init__(self, uow: Callable[[], EventsUnitOfWork], org: str) -> None:
        self.uow, self.org = uow, org

    def _theme(self, e: ListEntry) -> pb.Theme:
        return pb.Theme(name=THEME.format(org=self.org, theme=e.code), label=e.label,
                        create_time=timestamp(e.create_time))

    def _group(self, e: ListEntry) -> pb.TargetGroup:
        return pb.TargetGroup(name=TARGET_GROUP.format(org=self.org, target_group=e.code), label=e.label,
                              create_time=timestamp(e.create_time))

    def CreateTheme(self, request, context):
        ORGANIZATION.parse(request.parent, "parent", org=self.org)
        entry = ListEntry(THEMES, request.theme_id, " ".join(request.theme.label.split()))
        return self._theme(handlers.add_entry(handlers.AddEntry(entry, current_principal(), request.request_id),
                                              self.uow()))

    def ListThemes(self, request, context):
        ORGANIZATION.parse(request.parent, "parent", org=self.org)
        return pb.ListThemesResponse(themes=[self._theme(e) for e in handlers.list_entries(THEMES, self.uow())])

    def UpdateTheme(self, request, context):
        code = THEME.parse(request.theme.name, "theme.name", org=self.org)["theme"]
        cmd = handlers.UpdateLabel(ListEntry(THEMES, code, " ".join(request.theme.label.split())),
                                   request.theme.name, tuple(request.update_mask.paths), current_principal(),
                                   request.request_id)
        return self._theme(handlers.update_label(cmd, self.uow()))

    def CreateTargetGroup(self, request, context):
        ORGANIZATION.parse(request.parent, "parent", org=self.org)
        entry = ListEntry(TARGET_GROUPS, request.target_group_id, " ".join(request.target_group.label.split()))
        return self._group(handlers.add_entry(handlers.AddEntry(entry, current_principal(), request.request_id),
                                              self.uow()))

    def ListTargetGroups(self, request, context):
        ORGANIZATION.parse(request.parent, "parent", org=self.org)
        return pb.ListTargetGroupsResponse(
            target_groups=[self._group(e) for e in handlers.list_entries(TARGET_GROUPS, self.uow())])

    def UpdateTargetGroup(self, request, context):
        code = TARGET_GROUP.parse(request.target_group.name, "target_group.name", org=self.org)["target_group"]
        cmd = handlers.UpdateLabel(ListEntry(TARGET_GROUPS, code, " ".join(request.target_group.label.split())),
                                   request.target_group.name, tuple(request.update_mask.paths), current_principal(),
                                   request.request_id)
        return self._group(handlers.update_label(cmd, self.uow()))
