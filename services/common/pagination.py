"""Page tokens (AIP-158): opaque to callers, validated on the way in."""
from __future__ import annotations

import base64
import json

from services.common.errors import FieldViolation, InvalidArgument

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


def page_size(value: int) -> int:
    if value < 0:
        raise InvalidArgument(
            "page_size must not be negative; use 0 for the default of 50, at most 200.",
            reason="INVALID_PAGE_SIZE",
            violations=[FieldViolation("page_size", "must be 0..200")],
        )
    return min(value or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


def encode(position: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(position, separators=(",", ":")).encode()).decode().rstrip("=")


def invalid_token() -> InvalidArgument:
    return InvalidArgument(
        "page_token is not one this service issued; pass next_page_token from the previous response unchanged.",
        reason="INVALID_PAGE_TOKEN",
        violations=[FieldViolation("page_token", "not a token from a previous response")],
    )


def decode(token: str, keys: tuple[str, ...] = ()) -> dict | None:
    """The position a token encodes, with every one of keys present; None for no token."""
    if not token:
        return None
    try:
        padded = token + "=" * (-len(token) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(value, dict) or any(k not in value for k in keys):
            raise ValueError
        return value
    except (ValueError, json.JSONDecodeError):
        raise invalid_token() from None
