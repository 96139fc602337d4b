"""Pages of a listing (AIP-158): page sizes, opaque page tokens, keyset paging.

A listing is ordered by a key (e.g. ``(create_time, id)``); a page token holds
the key of the last item served plus the listing's filters, so a token of one
listing cannot be used with another. Every service decodes tokens here, so
every bad token gets the same clear error.
"""
from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Callable, Generic, Sequence, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.common.errors import FieldViolation, InvalidArgument

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
MAX_TOKEN_LENGTH = 1000

T = TypeVar("T")
Key = tuple


def page_size(value: int) -> int:
    if value < 0 or value > 1_000_000:
        raise InvalidArgument(
            f"page_size must be 0..{MAX_PAGE_SIZE}; use 0 for the default of {DEFAULT_PAGE_SIZE}.",
            reason="INVALID_PAGE_SIZE",
            violations=[FieldViolation("page_size", f"must be 0..{MAX_PAGE_SIZE}")],
        )
    return min(value or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


def invalid_token(why: str = "not a token from a previous response of this listing") -> InvalidArgument:
    return InvalidArgument(
        "page_token is not one this listing issued; pass next_page_token from the previous response unchanged, "
        "with the same filters, or start again without a token.",
        reason="INVALID_PAGE_TOKEN",
        violations=[FieldViolation("page_token", why)],
    )


# How each kind of key part travels in a token.
_ENCODE: dict[type, Callable[[Any], Any]] = {
    str: str, int: int, dt.datetime: lambda v: v.isoformat(), dt.date: lambda v: v.isoformat(),
}
_DECODE: dict[type, Callable[[Any], Any]] = {
    str: lambda v: v if isinstance(v, str) else _bad(),
    int: lambda v: v if isinstance(v, int) and not isinstance(v, bool) else _bad(),
    dt.datetime: lambda v: dt.datetime.fromisoformat(v) if isinstance(v, str) else _bad(),
    dt.date: lambda v: dt.date.fromisoformat(v) if isinstance(v, str) else _bad(),
}


def _bad():
    raise ValueError("wrong type")


@dataclass(frozen=True)
class PageToken:
    """The token codec of one listing: the types of its key parts, e.g. PageToken((dt.datetime, str))."""

    key: tuple[type, ...]

    def encode(self, key: Key | None, **filters: Any) -> str:
        """The token for the page after key ('' when there is none)."""
        if key is None:
            return ""
        doc = {"k": [_ENCODE[t](v) for t, v in zip(self.key, key)], "f": filters}
        return base64.urlsafe_b64encode(json.dumps(doc, separators=(",", ":")).encode()).decode().rstrip("=")

    def decode(self, token: str, **filters: Any) -> Key | None:
        """The key a token continues after; None for no token. The filters must be those it was made with."""
        if not token:
            return None
        if len(token) > MAX_TOKEN_LENGTH:
            raise invalid_token("too long to be a token of this listing")
        try:
            doc = json.loads(base64.urlsafe_b64decode((token + "=" * (-len(token) % 4)).encode()))
            parts = doc["k"]
            if not isinstance(parts, list) or len(parts) != len(self.key):
                raise ValueError("wrong shape")
            key = tuple(_DECODE[t](v) for t, v in zip(self.key, parts))
            same_filters = doc.get("f") == filters
        except (ValueError, TypeError, KeyError, RecursionError, json.JSONDecodeError):
            raise invalid_token() from None
        if not same_filters:
            raise invalid_token("the listing's filters changed since this token was issued")
        return key


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_key: Key | None  # the key to continue after, or None on the last page


def sql_page(conn: Connection, query: sa.Select, order: Sequence[sa.ColumnElement], after: Key | None,
             limit: int, convert: Callable[[Any], T], *, descending: bool = False) -> Page[T]:
    """One page of query in keyset order: rows whose key is after `after`, at most `limit` of them."""
    key = sa.tuple_(*order)
    if after is not None:
        query = query.where(key < sa.tuple_(*after) if descending else key > sa.tuple_(*after))
    query = query.order_by(*(c.desc() if descending else c for c in order)).limit(limit + 1)
    rows = conn.execute(query).all()
    more = len(rows) > limit
    rows = rows[:limit]
    names = [c.key for c in order]
    return Page([convert(r) for r in rows], tuple(getattr(rows[-1], n) for n in names) if more else None)


def memory_page(items: Sequence[T], key: Callable[[T], Key], after: Key | None, limit: int, *,
                descending: bool = False) -> Page[T]:
    """The same paging over items in memory (for fakes)."""
    ordered = sorted(items, key=key, reverse=descending)
    if after is not None:
        ordered = [i for i in ordered if (key(i) < after if descending else key(i) > after)]
    page = ordered[:limit]
    return Page(page, key(page[-1]) if len(ordered) > limit else None)
