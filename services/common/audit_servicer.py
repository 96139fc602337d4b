"""ListAuditEntries, as every service that keeps an audit log serves it (membership, events, referral,
reporting): proto -> command -> services.common.audit.list_entries -> proto."""
from __future__ import annotations

from typing import Callable

from brobygger.type.v1 import audit_pb2
from services.common.audit import AuditEntry, ListAuditEntries, list_entries
from services.common.grpcserver import Access, current_principal
from services.common.names import ORGANIZATION
from services.common.timestamps import timestamp
from services.common.unit_of_work import UnitOfWork

# A node's audit log is read by its coordinators only.
AUDIT_LOG_POLICY = {"ListAuditEntries": Access(roles=frozenset({"coordinator"}))}


def audit_entry_proto(e: AuditEntry) -> audit_pb2.AuditEntry:
    return audit_pb2.AuditEntry(sequence=e.sequence, create_time=timestamp(e.at), actor=e.actor, client=e.client,
                                action=e.action, resource=e.resource, purpose=e.purpose, trace_id=e.trace_id)


class AuditLogServicer:
    """Mixed into a servicer that has ``uow`` and ``org``; it names its response message."""

    uow: Callable[[], UnitOfWork]
    org: str
    list_audit_entries_response: type

    def ListAuditEntries(self, request, context):
        ORGANIZATION.parse(request.parent, "parent", org=self.org)
        cmd = ListAuditEntries(request.parent, request.resource, request.actor, request.page_size,
                               request.page_token, current_principal())
        entries, token = list_entries(cmd, self.uow())
        return self.list_audit_entries_response(audit_entries=[audit_entry_proto(e) for e in entries],
                                                next_page_token=token)
