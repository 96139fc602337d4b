"""The pages anyone may read without a token: ``/`` (a small home page naming
the node or the hub) and ``/openapi.json`` (the API description).

Each area of the gateway is one module with one Flask blueprint, registered in
:func:`gateway.app.create_app`; a server-rendered web area belongs beside this
one, as its own module and blueprint.
"""
from __future__ import annotations

import html
from typing import TYPE_CHECKING

from flask import Blueprint, Response

from gateway.problems import json_response

if TYPE_CHECKING:
    from gateway.app import Gateway

HOME = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5; }}
h1 {{ margin-bottom: 0.25rem; }}
.who {{ color: #555; margin-top: 0; }}
</style>
</head>
<body>
<h1>Brobygger</h1>
<p class="who">{who}</p>
<p>{about}</p>
<ul>
<li><a href="/openapi.json">API description (OpenAPI 3.1)</a></li>
<li><a href="/healthz">Health of the services</a></li>
</ul>
</body>
</html>
"""
# The home page loads nothing and runs nothing; its only style is inline.
HOME_CSP = "default-src 'none'; style-src 'unsafe-inline'"


def home_page(mode: str, org: str) -> str:
    if mode == "hub":
        title, who = "Brobygger – federation hub", "Federation hub"
        about = "Federated statistics across the organisations of the federation: numbers, never people."
    else:
        title = f"Brobygger – {org}"
        who = f"Node of organisation <strong>{html.escape(org)}</strong>"
        about = "Membership, activities, referrals and statistics of this organisation."
    return HOME.format(title=html.escape(title), who=who, about=html.escape(about))


def blueprint(gw: Gateway) -> Blueprint:
    bp = Blueprint("pages", __name__)
    page = home_page(gw.settings.gateway_mode, gw.settings.org)

    @bp.get("/")
    def home() -> Response:
        resp = Response(page, mimetype="text/html")
        resp.headers["Content-Security-Policy"] = HOME_CSP
        return resp

    @bp.get("/openapi.json")
    def openapi_json() -> Response:
        return json_response(gw.openapi)

    return bp
