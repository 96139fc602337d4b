"""Every read of a person or a case is written to the audit log, in the
service's own database, with who read it, why, and the trace id."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.common import telemetry
from services.common.db import utcnow


def record(conn: Connection, audit_log: sa.Table, principal, action: str, resource: str, purpose: str = "") -> None:
    conn.execute(
        audit_log.insert().values(
            at=utcnow(),
            actor=(principal.username or principal.subject)[:200] if principal else "unknown",
            actor_client=(principal.client_id or "")[:200] if principal else "",
            action=action,
            resource=resource[:300],
            purpose=(purpose or "")[:200],
            trace_id=telemetry.current_trace_id(),
        )
    )
