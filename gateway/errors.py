"""The error handlers: every failure of the API leaves the gateway as application/problem+json.

A :class:`~gateway.problems.Problem` raised anywhere in a request is rendered as
it is; routing errors (no such route, wrong method, body too large) say what was
wrong and how to fix it; anything unexpected becomes a 500 that names the trace
id and is logged by type and place, never by its message (it may hold request
data). Outside the API (``API_PATHS``), the web app, when it is installed,
renders the same failures as pages (``app.extensions[PAGE_ERRORS]``).
"""
from __future__ import annotations

import logging
import traceback

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound, RequestEntityTooLarge

from gateway.middleware import request_label
from gateway.problems import Problem, internal

log = logging.getLogger("gateway")


def from_http_error(exc: HTTPException) -> Problem:
    """The problem answer for an error raised by Flask or werkzeug."""
    if isinstance(exc, MethodNotAllowed):
        allowed = sorted(m for m in (exc.valid_methods or []) if m != "OPTIONS")
        return Problem(405, "METHOD_NOT_ALLOWED",
                       f"{request.method[:10]} is not allowed on this route; use {', '.join(allowed)}.",
                       headers={"Allow": ", ".join(allowed)})
    if isinstance(exc, NotFound):
        return Problem(404, "ROUTE_NOT_FOUND", "There is no such route. The API is described at /openapi.json.")
    if isinstance(exc, RequestEntityTooLarge):
        from gateway import body_limits

        if body_limits.is_import(request.endpoint):
            return Problem(413, "CONTENT_TOO_LARGE", body_limits.import_too_large_detail())
        limit = request.max_content_length or current_app.config["MAX_CONTENT_LENGTH"]
        return Problem(413, "CONTENT_TOO_LARGE", f"The request body is larger than {limit // 1024} KiB.")
    status = exc.code or 500
    if status >= 500:
        return internal()
    reason = (exc.name or "Error").upper().replace(" ", "_").replace("'", "").replace("-", "_")
    return Problem(status, reason, exc.name or "Error")


PAGE_ERRORS = "brobygger_page_errors"
API_PATHS = ("/api/", "/healthz", "/openapi.json")


def _page_handler():
    """The web app's error pages (gateway.web.ui), for a request outside the API, when the web app is on."""
    if request.path.startswith(API_PATHS):
        return None
    return current_app.extensions.get(PAGE_ERRORS)


def install(app: Flask) -> None:
    @app.errorhandler(Problem)
    def on_problem(problem: Problem) -> Response:
        page = _page_handler()
        return page(problem) if page else problem.response()

    @app.errorhandler(HTTPException)
    def on_http_error(exc: HTTPException) -> Response:
        page = _page_handler()
        return page(exc) if page else from_http_error(exc).response()

    @app.errorhandler(Exception)
    def on_unhandled(exc: Exception) -> Response:
        # The message may hold request data: log the type and where, never the text.
        frames = "".join(traceback.format_tb(exc.__traceback__))
        log.error("unhandled %s on %s\n%s", type(exc).__name__, request_label(), frames)
        page = _page_handler()
        return page(internal()) if page else internal().response()
