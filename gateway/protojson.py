"""JSON <-> protobuf for the REST API, following the proto3 JSON mapping.

Fields keep their proto names (snake_case), enums are written by name
("GENDER_FEMALE"), timestamps as RFC 3339 strings, 64-bit integers as JSON
numbers when they fit (a decimal string is accepted on input, as the mapping
says). Parsers must accept the lowerCamelCase JSON names too, so they do.

A body is checked against the message descriptor before it is parsed, so every
problem is reported at once and names its field by the same path the services
use in their field violations, e.g. ``person.birth_year`` or
``attendance.head_count.gender``. Decode bodies with :func:`loads`: a JSON
integer longer than any protobuf integer is kept as a :class:`LongInteger`
(never turned into an int, which Python refuses past 4300 digits), so it too is
reported by its field with the range the field allows. A timestamp must lie in
the range a protobuf Timestamp holds, 0001-01-01T00:00:00Z to
9999-12-31T23:59:59Z.

Statistics cells are not written in the plain mapping: a :class:`Cell` becomes
``{"value": 12}`` or ``{"value": null, "suppressed": "primary"}`` so that a
suppressed figure can never be mistaken for 0.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any, Iterable

from google.protobuf import json_format, message_factory
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from brobygger.reporting.v1 import reporting_pb2

F = FieldDescriptor

CELL = reporting_pb2.Cell.DESCRIPTOR.full_name
NODE_RESULT = reporting_pb2.NodeResult.DESCRIPTOR.full_name
NODE_PRIVACY_BUDGET = reporting_pb2.NodePrivacyBudget.DESCRIPTOR.full_name
# A node that answered with a refusal the analyst can act on, rather than not answering.
REFUSALS = frozenset({"PRIVACY_BUDGET_EXHAUSTED"})

INT32_TYPES = {F.TYPE_INT32, F.TYPE_SINT32, F.TYPE_SFIXED32}
UINT32_TYPES = {F.TYPE_UINT32, F.TYPE_FIXED32}
INT64_TYPES = {F.TYPE_INT64, F.TYPE_SINT64, F.TYPE_SFIXED64}
UINT64_TYPES = {F.TYPE_UINT64, F.TYPE_FIXED64}
FLOAT_TYPES = {F.TYPE_FLOAT, F.TYPE_DOUBLE}

RANGES = {
    **{t: (-(2**31), 2**31 - 1) for t in INT32_TYPES},
    **{t: (0, 2**32 - 1) for t in UINT32_TYPES},
    **{t: (-(2**63), 2**63 - 1) for t in INT64_TYPES},
    **{t: (0, 2**64 - 1) for t in UINT64_TYPES},
}

# Well-known types written as JSON strings.
STRING_WKT = {"google.protobuf.Timestamp", "google.protobuf.Duration", "google.protobuf.FieldMask"}

_INTEGER_TEXT = re.compile(r"^-?[0-9]{1,20}$")
# 2**64 - 1 has 20 digits: a JSON integer with more fits no protobuf integer field.
MAX_INTEGER_DIGITS = 20
TIMESTAMP_HINT = ("an RFC 3339 timestamp from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z, "
                  "such as 2025-03-08T10:00:00Z")

SUPPRESSION_NAMES = {
    reporting_pb2.SUPPRESSION_PRIMARY: "primary",
    reporting_pb2.SUPPRESSION_SECONDARY: "secondary",
    reporting_pb2.SUPPRESSION_UNSPECIFIED: "unspecified",
}


class BodyError(Exception):
    """The JSON does not fit the message; ``errors`` is a list of (field path, what is wrong)."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{f}: {d}" for f, d in errors))
        self.errors = errors


@dataclass(frozen=True)
class LongInteger:
    """A JSON integer of more than MAX_INTEGER_DIGITS digits, kept undecoded (only its length is known)."""

    digits: int
    negative: bool


def _parse_int(text: str) -> int | LongInteger:
    digits = len(text) - text.startswith("-")
    if digits > MAX_INTEGER_DIGITS:
        return LongInteger(digits, text.startswith("-"))
    return int(text)


def loads(text: str | bytes) -> Any:
    """json.loads for request bodies: integers too long for any protobuf field become LongInteger.
    Raises what json.loads raises (JSONDecodeError, RecursionError, UnicodeDecodeError)."""
    return json.loads(text, parse_int=_parse_int)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _fields_by_key(desc: Descriptor) -> dict[str, FieldDescriptor]:
    keys: dict[str, FieldDescriptor] = {}
    for f in desc.fields:
        keys[f.name] = f
        keys.setdefault(f.json_name, f)
    return keys


def _is_map(f: FieldDescriptor) -> bool:
    return f.message_type is not None and f.message_type.GetOptions().map_entry


def _type_hint(f: FieldDescriptor) -> str:
    t = f.type
    if t in INT32_TYPES | UINT32_TYPES | INT64_TYPES | UINT64_TYPES:
        return "a whole number"
    if t in FLOAT_TYPES:
        return "a number"
    if t == F.TYPE_BOOL:
        return "true or false"
    if t == F.TYPE_ENUM:
        return "one of " + ", ".join(v.name for v in f.enum_type.values if v.number != 0)
    if t == F.TYPE_MESSAGE:
        if f.message_type.full_name == "google.protobuf.Timestamp":
            return TIMESTAMP_HINT
        return "a JSON object"
    return "a string"


def _check_scalar(value: Any, f: FieldDescriptor, path: str, out: list) -> None:
    t = f.type
    if t == F.TYPE_STRING or t == F.TYPE_BYTES:
        if not isinstance(value, str):
            out.append((path, "must be a string"))
        return
    if t == F.TYPE_BOOL:
        if not isinstance(value, bool):
            out.append((path, "must be true or false"))
        return
    if t == F.TYPE_ENUM:
        if isinstance(value, str) and f.enum_type.values_by_name.get(value) is not None:
            return
        if isinstance(value, int) and not isinstance(value, bool) and value in f.enum_type.values_by_number:
            return
        out.append((path, f"must be {_type_hint(f)}"))
        return
    if t in FLOAT_TYPES:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            out.append((path, "must be a number"))
        elif isinstance(value, str) and value not in ("NaN", "Infinity", "-Infinity"):
            try:
                float(value)
            except ValueError:
                out.append((path, "must be a number"))
        return
    # integers
    low, high = RANGES[t]
    if isinstance(value, LongInteger):
        out.append((path, f"must be between {low} and {high}"))
        return
    number: int | None = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) and math.isfinite(value) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and _INTEGER_TEXT.match(value):
        number = int(value)
    if number is None:
        out.append((path, f"must be a whole number between {low} and {high}"))
        return
    if not low <= number <= high:
        out.append((path, f"must be between {low} and {high}"))


def _check_value(value: Any, f: FieldDescriptor, path: str, out: list) -> None:
    if f.type == F.TYPE_MESSAGE:
        full = f.message_type.full_name
        if full in STRING_WKT:
            if not isinstance(value, str) or not _is_string_wkt(value, f.message_type):
                out.append((path, f"must be {_type_hint(f)}"))
            return
        if full.startswith("google.protobuf."):
            return  # Struct, Value, wrappers: left to the parser
        check_message(value, f.message_type, path, out)
        return
    _check_scalar(value, f, path, out)


def _is_string_wkt(value: str, desc: Descriptor) -> bool:
    """Whether value is a Timestamp, Duration or FieldMask in its JSON form, within the type's range."""
    try:
        message_factory.GetMessageClass(desc)().FromJsonString(value)
    except (ValueError, TypeError, OverflowError, AttributeError):
        return False
    return True


def check_message(
    value: Any, desc: Descriptor, path: str, out: list, exclude: Iterable[str] = ()
) -> None:
    """Append (field path, problem) for everything in ``value`` that does not fit ``desc``."""
    if not isinstance(value, dict):
        out.append((path or "body", "must be a JSON object"))
        return
    keys = _fields_by_key(desc)
    excluded = set(exclude)
    allowed = [f.name for f in desc.fields if f.name not in excluded]
    seen_oneofs: dict[str, str] = {}
    for key, item in value.items():
        f = keys.get(key) if isinstance(key, str) else None
        field_path = _join(path, str(key))
        if f is None or f.name in excluded:
            out.append((field_path, "is not a field of this resource; known fields: " + ", ".join(allowed)))
            continue
        field_path = _join(path, f.name)
        if item is None:
            continue  # null means the default value
        oneof = f.containing_oneof
        if oneof is not None and len(oneof.fields) > 1:
            other = seen_oneofs.get(oneof.name)
            if other is not None:
                out.append((field_path, f"cannot be set together with {_join(path, other)}; give one of them"))
                continue
            seen_oneofs[oneof.name] = f.name
        if _is_map(f):
            if not isinstance(item, dict):
                out.append((field_path, "must be a JSON object"))
                continue
            value_field = f.message_type.fields_by_name["value"]
            for k, v in item.items():
                if v is not None:
                    _check_value(v, value_field, f"{field_path}[{k!r}]", out)
            continue
        if f.is_repeated:
            if not isinstance(item, list):
                out.append((field_path, f"must be a JSON array of {_type_hint(f).removeprefix('a ')}"))
                continue
            for i, element in enumerate(item):
                if element is None:
                    out.append((f"{field_path}[{i}]", "must not be null"))
                else:
                    _check_value(element, f, f"{field_path}[{i}]", out)
            continue
        _check_value(item, f, field_path, out)


def field_names(value: Any, desc: Descriptor) -> tuple[str, ...]:
    """The proto names of the fields a checked JSON object holds (lowerCamelCase keys too), in its order."""
    keys = _fields_by_key(desc)
    return tuple(keys[k].name for k in value if k in keys) if isinstance(value, dict) else ()


def parse(value: Any, message_class: type[Message], *, path: str = "", exclude: Iterable[str] = ()) -> Message:
    """Build ``message_class`` from decoded JSON; raises :class:`BodyError` naming the fields."""
    errors: list[tuple[str, str]] = []
    check_message(value, message_class.DESCRIPTOR, path, errors, exclude)
    if errors:
        raise BodyError(errors)
    message = message_class()
    try:
        json_format.ParseDict(value, message, ignore_unknown_fields=False)
    except json_format.ParseError as exc:
        raise BodyError([(_field_of_parse_error(str(exc), message_class.DESCRIPTOR, path), _reason_of(str(exc)))])
    return message


def _field_of_parse_error(text: str, desc: Descriptor, path: str) -> str:
    """'... at Person.shared_contact.phone.' -> 'person.shared_contact.phone' (with path 'person')."""
    marker = text.rfind(" at ")
    if marker != -1:
        where = text[marker + 4:].rstrip(".").strip()
        parts = where.split(".")
        if parts and parts[0] == desc.name:
            rest = ".".join(parts[1:])
            return _join(path, rest) if rest else (path or "body")
    if text.startswith("Failed to parse ") and " field" in text:
        name = text[len("Failed to parse "):].split(" field", 1)[0]
        return _join(path, name)
    return path or "body"


def _reason_of(text: str) -> str:
    """Keep the parser's explanation but never echo long input back."""
    explanation = text.split(": ", 1)[-1] if text.startswith("Failed to parse ") else text
    marker = explanation.rfind(" at ")
    if marker != -1:
        explanation = explanation[:marker]
    explanation = explanation.strip().rstrip(".")
    return (explanation[:160] + "...") if len(explanation) > 160 else explanation or "is not valid"


# ---------------------------------------------------------------------- output

def render_cell(cell: reporting_pb2.Cell) -> dict:
    kind = cell.WhichOneof("kind")
    if kind == "value":
        return {"value": int(cell.value)}
    if kind == "suppressed":
        return {"value": None, "suppressed": SUPPRESSION_NAMES.get(cell.suppressed, "unspecified")}
    return {"value": None}


def node_status(answered: bool, error: str) -> str:
    """ok: the node answered; refused: it said why not (error, error_message); unavailable: no answer."""
    if answered:
        return "ok"
    return "refused" if error in REFUSALS else "unavailable"


def to_dict(message: Message) -> dict:
    """The proto3 JSON mapping of ``message`` with snake_case names, every field
    present (defaults included) and statistics cells rendered explicitly."""
    data = json_format.MessageToDict(
        message,
        preserving_proto_field_name=True,
        always_print_fields_with_no_presence=True,
        unquote_int64_if_possible=True,
    )
    _post_process(message, data)
    return data


def _post_process(message: Message, data: dict) -> None:
    desc = message.DESCRIPTOR
    if desc.full_name == NODE_RESULT:
        data["status"] = node_status(message.WhichOneof("result") == "statistics", message.error)
    elif desc.full_name == NODE_PRIVACY_BUDGET:
        data["status"] = node_status(message.WhichOneof("result") == "budget", message.error)
    for f in desc.fields:
        if f.message_type is None or _is_map(f) or f.message_type.full_name.startswith("google.protobuf."):
            continue
        value = getattr(message, f.name)
        if f.message_type.full_name == CELL:
            if f.is_repeated:
                data[f.name] = [render_cell(c) for c in value]
            elif f.containing_oneof is None or message.HasField(f.name):
                data[f.name] = render_cell(value)
            continue
        if f.is_repeated:
            for item, item_data in zip(value, data.get(f.name, [])):
                _post_process(item, item_data)
        elif message.HasField(f.name) and isinstance(data.get(f.name), dict):
            _post_process(value, data[f.name])
