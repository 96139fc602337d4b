"""The REST operations as data, and the plumbing every one of them shares.

An :class:`Operation` says everything about a route that a client needs (method,
path, query parameters, body, response message, success status); the same list
serves Flask's routing and the OpenAPI document, so the two cannot drift apart.

Per request, :class:`Api` authenticates the bearer token, authorises the
principal (node: member of this node's organisation; hub: analyst), keeps the
token in ``flask.g`` for the gRPC channels to forward, decodes query parameters
and the JSON body, turns the ``Idempotency-Key`` header into the request_id,
calls the handler and writes the answer in the proto3 JSON mapping. Any gRPC
error becomes a problem answer (see gateway.problems).

A request body is read before anything else, and at most the route's limit of
it (request.max_content_length, see gateway.body_limits). werkzeug refuses a
larger Content-Length, but a chunked body (Transfer-Encoding: chunked, no
Content-Length) it silently cuts at the limit, and what is left may still
parse; so the limit is counted here while reading, and a larger body is
refused with 413 on every route.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar, Mapping

import grpc
from flask import Flask, Response, g, has_request_context, request
from google.protobuf.descriptor import EnumDescriptor
from google.protobuf.message import Message
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import BaseConverter

from gateway import protojson
from gateway.problems import (RETRY_AFTER_SECONDS, Problem, from_rpc_error, invalid_fields, json_response,
                              www_authenticate)
from services.common.auth import AuthError, bearer_from_header

API_PREFIX = "/api/v1"
# Resource ids as the services mint and accept them (services.common.names).
ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_-]{0,62}"
IDEMPOTENCY_HEADER = "Idempotency-Key"
_IDEMPOTENCY_RE = re.compile(r"^[\x21-\x7e]{1,128}$")
_INT_RE = re.compile(r"^[0-9]{1,10}$")
MAX_QUERY_STRING = 1024
READ_CHUNK = 64 * 1024


class IdConverter(BaseConverter):
    """A path segment holding one resource id; never ':' so '<id>:accept' routes stay distinct."""

    regex = ID_PATTERN


@dataclass(frozen=True)
class Param:
    """A query parameter."""

    name: str
    description: str
    kind: str = "string"  # string | integer | date | enum | boolean
    required: bool = False
    minimum: int = 0
    maximum: int = 2**31 - 1
    enum: EnumDescriptor | None = None
    # A parameter that may be given more than once (names=a&names=b): parse() then gets the list of values.
    repeated: ClassVar[bool] = False

    def schema(self) -> dict:
        if self.kind == "integer":
            return {"type": "integer", "minimum": self.minimum, "maximum": self.maximum}
        if self.kind == "date":
            return {"type": "string", "format": "date", "examples": ["2025-01-31"]}
        if self.kind == "enum" and self.enum is not None:
            return {"type": "string", "enum": [v.name for v in self.enum.values]}
        if self.kind == "boolean":
            return {"type": "boolean", "default": False}
        return {"type": "string", "maxLength": MAX_QUERY_STRING}

    def parse(self, raw: str | None, errors: list[tuple[str, str]]) -> Any:
        if raw is None or raw == "":
            if self.required:
                errors.append((self.name, "is required"))
            if self.kind == "boolean":
                return False
            return 0 if self.kind in ("integer", "enum") else ""
        if self.kind == "boolean":
            if raw not in ("true", "false"):
                errors.append((self.name, "must be true or false"))
                return False
            return raw == "true"
        if self.kind == "integer":
            if not _INT_RE.match(raw) or not self.minimum <= int(raw) <= self.maximum:
                errors.append((self.name, f"must be a whole number from {self.minimum} to {self.maximum}"))
                return 0
            return int(raw)
        if self.kind == "date":
            try:
                if len(raw) != 10:
                    raise ValueError
                dt.date.fromisoformat(raw)
            except ValueError:
                errors.append((self.name, "must be a date written YYYY-MM-DD, e.g. 2025-01-31"))
                return ""
            return raw
        if self.kind == "enum" and self.enum is not None:
            value = self.enum.values_by_name.get(raw)
            if value is None:
                errors.append((self.name, "must be one of " + ", ".join(v.name for v in self.enum.values)))
                return 0
            return value.number
        if len(raw) > MAX_QUERY_STRING:
            errors.append((self.name, f"must be at most {MAX_QUERY_STRING} characters"))
            return ""
        return raw


@dataclass(frozen=True)
class Body:
    """The JSON request body: ``message`` with its field paths prefixed by ``field``
    (e.g. 'person'), or, when ``field`` is empty, the request message itself
    minus ``exclude`` (the fields taken from the path and headers)."""

    message: type[Message]
    field: str = ""
    exclude: frozenset[str] = frozenset()
    required: bool = True
    description: str = ""


@dataclass(frozen=True)
class Operation:
    method: str
    rule: str
    operation_id: str
    summary: str
    tag: str
    service: str
    response: type[Message]
    status: int = 200
    body: Body | None = None
    query: tuple[Param, ...] = ()
    description: str = ""
    idempotent: bool = False
    location: bool = False
    not_found: bool = True
    # Service field paths -> the names the REST client used (e.g. period.start_date -> start_date).
    field_aliases: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Call:
    """What a handler gets: decoded path ids, query, body and request_id; body_fields names the fields the
    JSON body held (by their proto names), e.g. to derive an update mask from them."""

    path: dict[str, str]
    query: dict[str, Any]
    body: Message | None
    request_id: str
    # The body's top-level fields the client sent, by proto name (e.g. for an update_mask left out).
    body_fields: tuple[str, ...] = ()


Handler = Callable[[Call], Message]


def current_token() -> str:
    """The bearer token of the request being served (set by Api.authenticate): forwarded to the services."""
    if has_request_context():
        return g.get("bearer_token", "")
    return ""


def location_of(name: str) -> str:
    """organizations/mir/persons/42 -> /api/v1/persons/42"""
    parts = name.split("/", 2)
    if len(parts) == 3 and parts[0] == "organizations":
        return f"{API_PREFIX}/{parts[2]}".replace("/membershipYears/", "/membership-years/")
    return ""


class Api:
    """Registers operations on a Flask app and runs them."""

    def __init__(
        self,
        app: Flask,
        verifier,
        authorize: Callable[[Any], None],
        *,
        timeout: float,
    ) -> None:
        self.app = app
        self.verifier = verifier
        self.authorize = authorize
        self.timeout = timeout
        self.operations: list[Operation] = []

    # ---------------------------------------------------------------- routing
    def route(self, op: Operation) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            def view(**path: str) -> Response:
                return self._run(op, handler, path)

            view.__name__ = op.operation_id
            self.app.add_url_rule(op.rule, endpoint=op.operation_id, view_func=view, methods=[op.method])
            self.operations.append(op)
            return handler

        return register

    def _run(self, op: Operation, handler: Handler, path: dict[str, str]) -> Response:
        raw = self.read_limited(request.max_content_length)
        self.authenticate()
        errors: list[tuple[str, str]] = []
        query = {p.name: p.parse(request.args.getlist(p.name) if p.repeated else request.args.get(p.name), errors)
                 for p in op.query}
        if errors:
            raise invalid_fields(errors, "query")
        request_id = self.idempotency_key() if op.idempotent else ""
        body, body_fields = self.read_body(op.body, raw) if op.body is not None else (None, ())
        try:
            result = handler(Call(path=path, query=query, body=body, request_id=request_id, body_fields=body_fields))
        except grpc.RpcError as exc:
            raise from_rpc_error(exc, op.service, field_aliases=op.field_aliases) from None
        headers = {}
        if op.location:
            where = location_of(getattr(result, "name", ""))
            if where:
                headers["Location"] = where
        return json_response(protojson.to_dict(result), op.status, headers)

    # ---------------------------------------------------------------- per request
    def authenticate(self) -> None:
        try:
            token = bearer_from_header(request.headers.get("Authorization"))
            principal = self.verifier.verify(token)
        except AuthError as exc:
            if getattr(exc, "status", 401) == 503:
                raise Problem(503, exc.reason, exc.message, headers={"Retry-After": RETRY_AFTER_SECONDS}) from None
            raise Problem(401, exc.reason, exc.message,
                          headers={"WWW-Authenticate": www_authenticate(exc.message)}) from None
        g.bearer_token = token
        g.principal = principal
        self.authorize(principal)

    @staticmethod
    def idempotency_key() -> str:
        key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
        if key and not _IDEMPOTENCY_RE.match(key):
            raise invalid_fields(
                [(IDEMPOTENCY_HEADER, "must be 1 to 128 visible ASCII characters, e.g. a UUID")], "request")
        return key

    @staticmethod
    def read_limited(limit: int | None) -> bytes:
        """The request body, read in chunks; RequestEntityTooLarge (413) as soon as it passes limit bytes."""
        if request.content_length is not None or not request.environ.get("wsgi.input_terminated"):
            # By Content-Length: werkzeug refuses one over the limit and reads no further than it says.
            return request.stream.read()
        # Chunked: the server ends the stream when the body ends; count it here.
        stream = request.environ["wsgi.input"]
        if limit is None:
            return stream.read()
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = stream.read(min(READ_CHUNK, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise RequestEntityTooLarge()
        return b"".join(chunks)

    @staticmethod
    def read_body(body: Body, raw: bytes) -> tuple[Message, tuple[str, ...]]:
        """The body as its message, and the names of the fields it held."""
        name = body.field or "body"
        if not raw.strip():
            if body.required:
                raise invalid_fields([(name, "is required: send a JSON object")], "request body")
            data: Any = {}
        else:
            mimetype = request.mimetype
            if mimetype and mimetype != "application/json" and not mimetype.endswith("+json"):
                raise Problem(415, "UNSUPPORTED_MEDIA_TYPE",
                              f"The body is {mimetype}; send it as application/json.",
                              headers={"Accept": "application/json"})
            try:
                data = protojson.loads(raw.decode("utf-8"))
            except UnicodeDecodeError:
                raise Problem(400, "INVALID_JSON", "The request body is not UTF-8 encoded JSON.",
                              errors=[(name, "is not UTF-8")]) from None
            except json.JSONDecodeError as exc:
                raise Problem(400, "INVALID_JSON",
                              f"The request body is not valid JSON: {exc.msg} at line {exc.lineno}, "
                              f"column {exc.colno}.", errors=[(name, "is not valid JSON")]) from None
            except RecursionError:
                raise Problem(400, "INVALID_JSON", "The request body is nested too deeply.",
                              errors=[(name, "is nested too deeply")]) from None
        try:
            message = protojson.parse(data, body.message, path=body.field, exclude=body.exclude)
        except protojson.BodyError as exc:
            raise invalid_fields(exc.errors, "request body") from None
        return message, protojson.field_names(data, body.message.DESCRIPTOR)
