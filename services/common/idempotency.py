"""Mutating RPCs take an optional request_id (AIP-155): a retry returns the
first answer instead of doing the work twice. The key is stored in the same
transaction as the change."""
from __future__ import annotations

from typing import Callable, TypeVar

import sqlalchemy as sa
from google.protobuf.message import Message
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from services.common.db import UnitOfWork, utcnow
from services.common.errors import FieldViolation, InvalidArgument

M = TypeVar("M", bound=Message)


class _Race(Exception):
    pass


def check_request_id(request_id: str) -> None:
    if len(request_id) > 100:
        raise InvalidArgument(
            "request_id is longer than 100 characters; use a UUID.",
            reason="INVALID_REQUEST_ID",
            violations=[FieldViolation("request_id", "at most 100 characters, e.g. a UUID")],
        )


def _caller() -> str:
    """Whose request_id it is: another caller reusing an id gets no one else's answer."""
    from services.common.grpcserver import current_principal

    try:
        return current_principal().subject[:40]
    except LookupError:
        return ""


def run(
    engine: Engine,
    table: sa.Table,
    request_id: str,
    method: str,
    response_type: type[M],
    work: Callable[[Connection], M],
) -> M:
    """Run work(conn) in one transaction, at most once per request_id."""
    check_request_id(request_id)
    if not request_id:
        with UnitOfWork(engine) as uow:
            return work(uow.conn)
    key = f"{method}:{_caller()}:{request_id}"
    for attempt in range(2):
        try:
            with UnitOfWork(engine) as uow:
                row = uow.conn.execute(sa.select(table.c.response).where(table.c.request_id == key)).first()
                if row is not None:
                    return response_type.FromString(row.response)
                result = work(uow.conn)
                try:
                    with uow.conn.begin_nested():
                        uow.conn.execute(
                            table.insert().values(
                                request_id=key, method=method, response=result.SerializeToString(), created_at=utcnow()
                            )
                        )
                except IntegrityError as exc:
                    raise _Race() from exc
                return result
        except _Race:
            if attempt:
                raise
    raise AssertionError("unreachable")
