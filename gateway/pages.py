"""``/openapi.json``, the API description, which anyone may read without a token.

The home page and the rest of the web app are in gateway.web.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, Response

from gateway.problems import json_response

if TYPE_CHECKING:
    from gateway.app import Gateway


def blueprint(gw: Gateway) -> Blueprint:
    bp = Blueprint("pages", __name__)

    @bp.get("/openapi.json")
    def openapi_json() -> Response:
        return json_response(gw.openapi)

    return bp
