"""How large a request body the gateway reads, per route.

Every route takes at most :data:`MAX_BODY_BYTES` (1 MiB). The routes that upload a member spreadsheet take
what the membership service accepts: a file of at most :data:`IMPORT_FILE_BYTES` (its
spreadsheet.MAX_FILE_BYTES; a test keeps the two equal), sent as base64 in JSON by the REST API (4 bytes
for every 3) or as a multipart form by the web page, plus room for the rest of the request. That file
goes on to membership in one gRPC message, within the 4 MiB its server receives.

The limit is the request's own (Flask's ``request.max_content_length``), decided by the route matched, so
werkzeug refuses a larger Content-Length before reading it, its form parser stops a larger upload, and
gateway.api counts a chunked body against it too.
"""
from __future__ import annotations

from flask import Request

MAX_BODY_BYTES = 1024 * 1024
IMPORT_FILE_BYTES = 3 * 1024 * 1024
IMPORT_MAX_ROWS = 20_000
# base64 of the largest file, and 64 KiB for the JSON around it or the form's other fields and boundaries.
IMPORT_MAX_BODY_BYTES = 4 * -(-IMPORT_FILE_BYTES // 3) + 64 * 1024

# Flask endpoints (REST operation ids, web views) that upload a spreadsheet of members.
IMPORT_ENDPOINTS = frozenset({"createPersonImport", "imports.upload"})


def limit_for(endpoint: str | None) -> int:
    return IMPORT_MAX_BODY_BYTES if endpoint in IMPORT_ENDPOINTS else MAX_BODY_BYTES


def is_import(endpoint: str | None) -> bool:
    return endpoint in IMPORT_ENDPOINTS


class GatewayRequest(Request):
    """Flask's request, with the body limit of the route it matched."""

    @property
    def max_content_length(self) -> int | None:  # type: ignore[override]
        return limit_for(self.endpoint)


def import_too_large_detail() -> str:
    """The REST API's answer to a spreadsheet upload over the limit: what the limit is and what to do."""
    return (f"The request body is larger than {IMPORT_MAX_BODY_BYTES // 1024} KiB: a spreadsheet of at most "
            f"{IMPORT_FILE_BYTES // (1024 * 1024)} MiB (base64 encoded in content) and {IMPORT_MAX_ROWS} rows is "
            "checked at once. Split the file into several files and import them one after the other, or ask "
            "the node's operator to import it with the command line (python -m services.operator import FILE).")
