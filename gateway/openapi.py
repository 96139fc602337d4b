"""The OpenAPI 3.1 document, built from the registered operations and the proto
message descriptors (never written by hand, so it follows the contracts)."""
from __future__ import annotations

import re
from typing import Iterable

from google.protobuf.descriptor import Descriptor, EnumDescriptor, FieldDescriptor

from gateway import protojson
from gateway.api import ID_PATTERN, IDEMPOTENCY_HEADER, Operation
from gateway.problems import PROBLEM_MEDIA_TYPE, STATUS_TITLES

F = FieldDescriptor
REF = "#/components/schemas/"

# Output-only fields: the services set them; a value sent in a body is ignored.
READ_ONLY = {"name", "create_time", "update_time", "generate_time"}

PROBLEM_RESPONSES = {
    400: ("BadRequest", "The request is malformed; errors names each field and what is wrong."),
    401: ("Unauthorized", "No valid bearer token. Get one from the identity provider."),
    403: ("Forbidden", "The token is valid but may not do this here (reason WRONG_ORGANIZATION or ROLE_REQUIRED)."),
    404: ("NotFound", "No such resource at this organisation."),
    409: ("Conflict", "Already exists, or the resource's state does not allow this (FAILED_PRECONDITION)."),
    415: ("UnsupportedMediaType", "The body is not application/json."),
    429: ("TooManyRequests", "Slow down; retry after the Retry-After seconds."),
    500: ("InternalError", "Something failed on our side; trace_id helps the operator find it."),
    503: ("ServiceUnavailable", "A service or the identity provider cannot be reached; retry shortly."),
    504: ("GatewayTimeout", "A service did not answer in time."),
}

CELL_SCHEMA = {
    "type": "object",
    "title": "Cell",
    "description": "One figure. A count is {\"value\": 12}; a hidden figure is {\"value\": null, "
                   "\"suppressed\": \"primary\"} (a small count) or \"secondary\" (hidden so a small count "
                   "cannot be recomputed from a total). A suppressed figure is not 0.",
    "properties": {
        "value": {"type": ["integer", "null"], "minimum": 0},
        "suppressed": {"type": "string", "enum": sorted(set(protojson.SUPPRESSION_NAMES.values()))},
    },
    "required": ["value"],
    "additionalProperties": False,
}

PROBLEM_SCHEMA = {
    "type": "object",
    "title": "Problem",
    "description": "RFC 9457 problem details.",
    "properties": {
        "type": {"type": "string", "format": "uri",
                 "examples": ["https://brobygger.no/problems/person-not-found"]},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "reason": {"type": "string", "pattern": "^[A-Z][A-Z0-9_]*$", "examples": ["PERSON_NOT_FOUND"]},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string", "examples": ["person.birth_year"]},
                    "detail": {"type": "string"},
                },
                "required": ["field", "detail"],
            },
        },
        "trace_id": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
        "retry_after_seconds": {"type": "integer", "minimum": 1,
                                "description": "With 429 or 503, when the service said: the seconds to wait "
                                               "before trying again (as Retry-After)."},
    },
    "required": ["type", "title", "status", "reason"],
}

HEALTH_SCHEMA = {
    "type": "object",
    "title": "Health",
    "properties": {
        "status": {"type": "string", "enum": ["SERVING", "NOT_SERVING"]},
        "mode": {"type": "string", "enum": ["node", "hub"]},
        "organization": {"type": "string"},
        "services": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "address": {"type": "string"},
                    "service": {"type": "string", "description": "The gRPC service whose health was checked."},
                    "status": {"type": "string", "description": "grpc.health.v1 status (SERVING, NOT_SERVING, "
                                                                "SERVICE_UNKNOWN) or the gRPC error code."},
                },
                "required": ["name", "address", "status"],
            },
        },
    },
    "required": ["status", "services"],
}


class SchemaBuilder:
    """JSON Schemas (2020-12, as OpenAPI 3.1 uses) for proto messages in the proto3 JSON mapping."""

    def __init__(self) -> None:
        self.schemas: dict[str, dict] = {
            "Problem": PROBLEM_SCHEMA,
            "Health": HEALTH_SCHEMA,
            protojson.CELL: CELL_SCHEMA,
        }

    def ref(self, desc: Descriptor) -> dict:
        name = desc.full_name
        if name not in self.schemas:
            self.schemas[name] = {}  # placeholder: recursive messages end here
            self.schemas[name] = self.message(desc)
        return {"$ref": REF + name}

    def enum_ref(self, desc: EnumDescriptor) -> dict:
        name = desc.full_name
        if name not in self.schemas:
            self.schemas[name] = {"type": "string", "title": desc.name, "enum": [v.name for v in desc.values]}
        return {"$ref": REF + name}

    def message(self, desc: Descriptor, exclude: Iterable[str] = ()) -> dict:
        skip = set(exclude)
        properties = {f.name: self.field(f) for f in desc.fields if f.name not in skip}
        schema: dict = {"type": "object", "title": desc.name, "properties": properties,
                        "additionalProperties": False}
        choices = [
            [f.name for f in o.fields if f.name not in skip]
            for o in desc.oneofs if len(o.fields) > 1
        ]
        if choices:
            schema["description"] = " ".join(f"Set at most one of {', '.join(c)}." for c in choices if c)
            exclusive = [{"required": [a, b]} for c in choices for i, a in enumerate(c) for b in c[i + 1:]]
            if exclusive:
                schema["not"] = {"anyOf": exclusive}
        if desc.full_name == protojson.NODE_RESULT:
            properties["status"] = {"type": "string", "enum": ["ok", "refused", "unavailable"],
                                    "description": "ok: statistics holds the node's figures; refused: the node "
                                                   "answered no, error says why (PRIVACY_BUDGET_EXHAUSTED) and "
                                                   "error_message what to do; unavailable: error says why the "
                                                   "node did not answer."}
            schema["required"] = ["organization", "status"]
        elif desc.full_name == protojson.NODE_PRIVACY_BUDGET:
            properties["status"] = {"type": "string", "enum": ["ok", "unavailable"],
                                    "description": "ok: budget holds the analyst's budget at the node; "
                                                   "unavailable: error says why the node did not answer."}
            schema["required"] = ["organization", "status"]
        return schema

    def field(self, f: FieldDescriptor) -> dict:
        if f.message_type is not None and f.message_type.GetOptions().map_entry:
            value = f.message_type.fields_by_name["value"]
            return {"type": "object", "additionalProperties": self.single(value)}
        item = self.single(f)
        schema = {"type": "array", "items": item} if f.is_repeated else item
        if f.name in READ_ONLY and not f.is_repeated:
            schema = {**schema, "readOnly": True} if "$ref" not in schema else {"allOf": [schema], "readOnly": True}
        return schema

    def single(self, f: FieldDescriptor) -> dict:
        t = f.type
        if t == F.TYPE_MESSAGE:
            full = f.message_type.full_name
            if full == "google.protobuf.Timestamp":
                return {"type": "string", "format": "date-time"}
            if full == "google.protobuf.Duration":
                return {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?s$"}
            if full.startswith("google.protobuf."):
                return {}
            return self.ref(f.message_type)
        if t == F.TYPE_ENUM:
            return self.enum_ref(f.enum_type)
        if t == F.TYPE_STRING:
            return {"type": "string"}
        if t == F.TYPE_BYTES:
            return {"type": "string", "contentEncoding": "base64"}
        if t == F.TYPE_BOOL:
            return {"type": "boolean"}
        if t in protojson.FLOAT_TYPES:
            return {"type": "number"}
        low, high = protojson.RANGES[t]
        if t in protojson.INT64_TYPES | protojson.UINT64_TYPES:
            return {"type": ["integer", "string"], "format": "int64" if t in protojson.INT64_TYPES else "uint64",
                    "description": "A 64-bit integer: a JSON number, or a decimal string as the proto3 JSON "
                                   "mapping allows."}
        return {"type": "integer", "format": "int32" if t in protojson.INT32_TYPES else "uint32",
                "minimum": low, "maximum": high}


def openapi_path(rule: str) -> str:
    """/api/v1/persons/<id:person_id> -> /api/v1/persons/{person_id}"""
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)


def _problem_response_ref(status: int) -> dict:
    return {"$ref": f"#/components/responses/{PROBLEM_RESPONSES[status][0]}"}


def _operation(op: Operation, builder: SchemaBuilder) -> dict:
    params: list[dict] = []
    for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", op.rule):
        schema = {"type": "string", "pattern": f"^{ID_PATTERN}$"} if converter == "id" else {"type": "string"}
        params.append({"name": name, "in": "path", "required": True, "schema": schema,
                       "description": "The id: the last segment of the resource's name."})
    for p in op.query:
        params.append({"name": p.name, "in": "query", "required": p.required, "schema": p.schema(),
                       "description": p.description})
    if op.idempotent:
        params.append({"$ref": "#/components/parameters/IdempotencyKey"})
    success: dict = {
        "description": STATUS_TITLES.get(op.status, "OK") if op.status != 200 else "OK",
        "content": {"application/json": {"schema": builder.ref(op.response.DESCRIPTOR)}},
    }
    if op.status == 201:
        success["description"] = "Created"
    if op.location:
        success["headers"] = {"Location": {"description": "Where the new resource can be read.",
                                           "schema": {"type": "string"}}}
    statuses = [400, 401, 403, 429, 500, 503, 504]
    if op.not_found:
        statuses.append(404)
    if op.method != "GET":
        statuses.append(409)
    if op.body is not None:
        statuses.append(415)
    responses = {str(op.status): success}
    responses.update({str(s): _problem_response_ref(s) for s in sorted(statuses)})
    out: dict = {
        "operationId": op.operation_id,
        "summary": op.summary,
        "tags": [op.tag],
        "parameters": params,
        "responses": responses,
    }
    if op.description:
        out["description"] = op.description
    if op.body is not None:
        desc = op.body.message.DESCRIPTOR
        schema = builder.message(desc, op.body.exclude) if op.body.exclude else builder.ref(desc)
        out["requestBody"] = {
            "required": op.body.required,
            "description": op.body.description or (
                f"The {op.body.field.replace('_', ' ')} in the proto3 JSON mapping (snake_case names, enums by "
                "name). Field errors are reported with paths such as "
                f"{op.body.field}.<field>." if op.body.field else "The action's parameters, if any."),
            "content": {"application/json": {"schema": schema}},
        }
    return out


def build(
    operations: Iterable[Operation], *, mode: str, org: str, oidc_issuer: str, audience: str, version: str
) -> dict:
    builder = SchemaBuilder()
    paths: dict[str, dict] = {}
    tags: dict[str, None] = {}
    for op in operations:
        paths.setdefault(openapi_path(op.rule), {})[op.method.lower()] = _operation(op, builder)
        tags.setdefault(op.tag)
    paths["/healthz"] = {"get": {
        "operationId": "health", "summary": "Health of the gateway's upstream gRPC services", "tags": ["operations"],
        "security": [],
        "responses": {
            "200": {"description": "Every upstream service is SERVING.",
                    "content": {"application/json": {"schema": {"$ref": REF + "Health"}}}},
            "503": {"description": "At least one upstream service is not SERVING.",
                    "content": {"application/json": {"schema": {"$ref": REF + "Health"}}}},
        },
    }}
    paths["/openapi.json"] = {"get": {
        "operationId": "openapi", "summary": "This document", "tags": ["operations"], "security": [],
        "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {"schema": {
            "type": "object"}}}}},
    }}
    if mode == "hub":
        title = "Brobygger federation hub API"
        about = ("Federated statistics across the organisations of the federation: aggregates only, under each "
                 "node's disclosure control. Every /api route needs a bearer token with the analyst role.")
    else:
        title = f"Brobygger node API ({org})"
        about = (f"The REST API of organisation {org!r}'s node. Every /api route needs a bearer token of a user "
                 f"of {org!r}. Bodies and answers use the proto3 JSON mapping with snake_case names and enums "
                 "by name. Errors are application/problem+json (RFC 9457); FAILED_PRECONDITION from a service "
                 "is answered with 409.")
    responses = {
        PROBLEM_RESPONSES[s][0]: {
            "description": PROBLEM_RESPONSES[s][1],
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": REF + "Problem"}}},
        }
        for s in sorted(PROBLEM_RESPONSES)
    }
    responses["Unauthorized"]["headers"] = {"WWW-Authenticate": {
        "description": 'Bearer realm="brobygger", error="invalid_token"', "schema": {"type": "string"}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version, "description": about,
                 "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"}},
        "tags": [{"name": t} for t in tags] + [{"name": "operations"}],
        "security": [{"oidc": []}, {"bearer": []}],
        "paths": paths,
        "components": {
            "schemas": dict(sorted(builder.schemas.items())),
            "responses": responses,
            "parameters": {"IdempotencyKey": {
                "name": IDEMPOTENCY_HEADER, "in": "header", "required": False,
                "description": "Makes a retry a no-op: the same key returns the first result. Use a new UUID "
                               "per intended change.",
                "schema": {"type": "string", "minLength": 1, "maxLength": 128},
            }},
            "securitySchemes": {
                "oidc": {"type": "openIdConnect",
                         "openIdConnectUrl": f"{oidc_issuer.rstrip('/')}/.well-known/openid-configuration"},
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                           "description": f"An access token issued by {oidc_issuer} for audience {audience}."},
            },
        },
    }
