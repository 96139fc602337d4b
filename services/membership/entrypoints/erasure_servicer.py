"""ErasureService: proto -> command -> handler -> proto."""
from __future__ import annotations

from typing import Callable

from brobygger.membership.v1 import erasure_pb2, erasure_pb2_grpc
from services.common.grpcserver import Access, current_principal
from services.common.names import ORGANIZATION
from services.common.timestamps import timestamp
from services.membership.domain.erasure import SERVICES, Erasure
from services.membership.service_layer import erasure as handlers
from services.membership.service_layer.unit_of_work import MembershipUnitOfWork

# Requesting an erasure: coordinators alone. The log names no one: the node's services may read it too.
ERASURE_POLICY = {
    "RequestErasure": Access(roles=frozenset({"coordinator"})),
    "GetErasure": Access(roles=frozenset({"coordinator", "node-service"})),
    "ListErasures": Access(roles=frozenset({"coordinator", "node-service"})),
    # A stuck erasure is resumed by a coordinator or by the node's operator (the node's service credentials).
    "ResendErasure": Access(roles=frozenset({"coordinator", "node-service"})),
}


def erasure_proto(e: Erasure, org: str) -> erasure_pb2.Erasure:
    msg = erasure_pb2.Erasure(name=handlers.ERASURE.format(org=org, erasure=e.id), reason=e.reason,
                              requester_role=e.requester_role, state=int(e.state), create_time=timestamp(e.create_time))
    if e.complete_time is not None:
        msg.complete_time.CopyFrom(timestamp(e.complete_time))
    for service in SERVICES:
        part = msg.services.add(service=service)
        at = e.services.get(service)
        if at is not None:
            part.complete_time.CopyFrom(timestamp(at))
    return msg


class ErasureServicer(erasure_pb2_grpc.ErasureServiceServicer):
    def __init__(self, uow: Callable[[], MembershipUnitOfWork], org: str) -> None:
        self.uow, self.org = uow, org

    def RequestErasure(self, request, context):
        cmd = handlers.RequestErasure(request.person, request.reason, request.confirm, current_principal(),
                                      request.request_id)
        return erasure_proto(handlers.request_erasure(cmd, self.uow(), self.org), self.org)

    def ResendErasure(self, request, context):
        cmd = handlers.ResendErasure(request.name, current_principal(), request.request_id)
        return erasure_proto(handlers.resend_erasure(cmd, self.uow(), self.org), self.org)

    def GetErasure(self, request, context):
        return erasure_proto(handlers.get_erasure(request.name, self.uow(), self.org), self.org)

    def ListErasures(self, request, context):
        ORGANIZATION.parse(request.parent, "parent", org=self.org)
        items, token = handlers.list_erasures(handlers.ListErasures(request.page_size, request.page_token), self.uow())
        return erasure_pb2.ListErasuresResponse(erasures=[erasure_proto(e, self.org) for e in items],
                                                next_page_token=token)
