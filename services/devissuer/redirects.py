"""Redirect URIs: Keycloak's matching rules, and the development-only extra URIs.

A registered URI matches a requested one exactly, or, when it ends in ``*``
(and has no query), as a prefix of the requested URI without its query: so
``http://127.0.0.1:8001/*`` admits ``http://127.0.0.1:8001/auth/callback?x=1``
and ``http://127.0.0.1:8001``, but not ``http://127.0.0.1:80011/`` or
``http://127.0.0.1:8001.evil.example/``. A bare ``*`` is not honoured.
Before matching, a requested URI must be an absolute http(s) URI without a
fragment, user information, backslashes or ``..`` segments, so that a prefix
match cannot be walked out of.

Gateways that the tests and ``make run`` start on ports they choose are
registered through :data:`REDIRECT_URIS_ENV` (comma separated), read only by
the development issuer; real Keycloak takes its redirect URIs from the realm
file alone.
"""
from __future__ import annotations

import logging
from typing import Iterable, Mapping
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

log = logging.getLogger("services.devissuer")

REDIRECT_URIS_ENV = "BROBYGGER_DEV_REDIRECT_URIS"
MAX_URI_LENGTH = 2048


class RedirectUriError(ValueError):
    """A development redirect URI that cannot be registered; the message says how to write it."""


def acceptable(uri: str) -> bool:
    """Whether a requested redirect URI is well-formed enough to be matched at all."""
    if not uri or len(uri) > MAX_URI_LENGTH or "\\" in uri or any(ord(c) < 0x21 for c in uri):
        return False
    try:
        parts = urlsplit(uri)
        port = parts.port  # raises on a malformed port
    except ValueError:
        return False
    del port
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.fragment or "#" in uri:
        return False
    if "@" in parts.netloc:
        return False
    segments = unquote(unquote(parts.path)).split("/")
    return ".." not in segments and "." not in segments


def _matches(registered: str, uri: str) -> bool:
    if registered.endswith("*") and "?" not in registered and registered != "*":
        without_query = uri.split("?", 1)[0]
        prefix = registered[:-1]
        if without_query.startswith(prefix):
            return True
        return prefix.endswith("/") and without_query == prefix[:-1]
    return registered == uri


def matches(registered: Iterable[str], uri: str | None) -> bool:
    """Keycloak's rule: the requested URI equals a registered one or falls under its trailing ``/*``."""
    if not uri or not acceptable(uri):
        return False
    return any(_matches(r, uri) for r in registered if r)


def with_params(uri: str, params: Mapping[str, str | None]) -> str:
    """uri with params added to its query (existing query parameters kept)."""
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query += [(k, v) for k, v in params.items() if v is not None]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def origin(uri: str) -> str:
    parts = urlsplit(uri)
    return f"{parts.scheme}://{parts.netloc}"


def parse_dev_redirect_uris(value: str | None) -> list[str]:
    """The comma-separated value of BROBYGGER_DEV_REDIRECT_URIS, each entry checked."""
    uris = []
    for entry in (value or "").split(","):
        entry = entry.strip()
        if not entry:
            continue
        candidate = entry[:-1] + "x" if entry.endswith("*") else entry
        if "*" in candidate or not acceptable(candidate) or "?" in entry:
            raise RedirectUriError(
                f"{REDIRECT_URIS_ENV}: {entry!r} is not a redirect URI the issuer can register; write absolute "
                f"http(s) URIs without query or fragment, a '*' only at the end, comma separated, e.g. "
                f"http://127.0.0.1:8001/*")
        uris.append(entry)
    return uris


def dev_redirect_uris(environ: Mapping[str, str]) -> list[str]:
    uris = parse_dev_redirect_uris(environ.get(REDIRECT_URIS_ENV))
    if uris:
        log.info("%s registers %d extra redirect URI(s) for the browser clients", REDIRECT_URIS_ENV, len(uris))
    return uris
