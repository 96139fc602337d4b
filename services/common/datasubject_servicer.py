"""DataSubjectService.ExportPersonData, as every service of a node serves it beside its own service:
proto -> command -> services.common.datasubject.export_person_data -> proto."""
from __future__ import annotations

from typing import Any, Callable

from google.protobuf import struct_pb2

from brobygger.datasubject.v1 import datasubject_pb2, datasubject_pb2_grpc
from services.common.audit_servicer import audit_entry_proto
from services.common.datasubject import ExportPersonData, ServiceExport, export_person_data
from services.common.grpcserver import Access, current_principal
from services.common.unit_of_work import UnitOfWork

# A person's export: the node's coordinators, and the node's own services (the operator's command line).
DATA_SUBJECT_POLICY = {"ExportPersonData": Access(roles=frozenset({"coordinator", "node-service"}))}


def _struct(row: dict[str, Any]) -> struct_pb2.Struct:
    s = struct_pb2.Struct()
    s.update(row)
    return s


def service_data_proto(data: ServiceExport) -> datasubject_pb2.ServiceData:
    return datasubject_pb2.ServiceData(
        service=data.service,
        tables=[datasubject_pb2.TableRows(table=t.table, description=t.description, rows=[_struct(r) for r in t.rows])
                for t in data.tables],
        audit_entries=[audit_entry_proto(e) for e in data.audit_entries])


class DataSubjectServicer(datasubject_pb2_grpc.DataSubjectServiceServicer):
    def __init__(self, uow: Callable[[], UnitOfWork], org: str,
                 guard: Callable[[UnitOfWork, str], None] | None = None) -> None:
        self.uow, self.org, self.guard = uow, org, guard

    def ExportPersonData(self, request, context):
        cmd = ExportPersonData(request.person, request.purpose, current_principal())
        return service_data_proto(export_person_data(cmd, self.uow(), self.org, self.guard))


def data_subject_registration(uow: Callable[[], UnitOfWork], org: str):
    """DataSubjectService beside a service's own (its policy: DATA_SUBJECT_POLICY)."""
    from services.common.runner import grpc_service

    return grpc_service(datasubject_pb2_grpc.add_DataSubjectServiceServicer_to_server, DataSubjectServicer(uow, org))


def erasure_worker(settings, uow: Callable[[], UnitOfWork], service: str, confirm: Callable[[str], Any], *,
                   token: Callable[[str], str] = lambda _p: ""):
    """A service's consumer of membership's PersonErasureRequested (its own consumer group)."""
    from services.common.consumer import IdempotentConsumer
    from services.common.datasubject import erasure_consumer
    from services.common.facts import topic
    from services.common.kafka import KafkaSecurity

    org = settings.org
    return IdempotentConsumer(
        uow, settings.kafka_bootstrap, consumer_name=f"{org}-{service}-erasure", group_id=f"{org}.{service}",
        topics=[topic(org, "membership")], handler=erasure_consumer(service, confirm, token),
        source_prefix=f"/organizations/{org}/", security=KafkaSecurity.from_settings(settings))
