"""The web app: server-rendered pages for coordinators, volunteers and the analyst.

Pages call the node's services over the same gRPC channels as the REST API, with
the logged-in user's own access token (gateway.web.auth puts it where the
channels take it from), so a page can do exactly what the user's token allows
and nothing more: there is no second path to data.

:func:`install` sets up what every page shares, then registers one blueprint per
area (``AREAS`` for a node, ``HUB_AREAS`` for the hub):

- sessions on the server (Flask-Session; the browser holds only a random id in
  an HttpOnly, SameSite=Lax cookie, Secure outside development), where the
  user's tokens live;
- CSRF protection on every form (Flask-WTF), for the pages only: the REST API
  takes bearer tokens, which a browser never sends by itself;
- languages (gateway.web.i18n), and a Content-Security-Policy that allows no
  inline script and nothing from outside the node;
- error pages in place of problem+json outside /api (gateway.web.ui).
"""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from cachelib.file import FileSystemCache
from flask import Blueprint, Flask
from flask_session import Session
from flask_wtf.csrf import CSRFProtect

from gateway.web import (
    activities, auth, checkin, consents, dashboard, home, hours, i18n, imports, persons, purpose, recurrence, referrals,
    renewal, rights, statistics, ui,
)
from gateway.web import registration
from gateway.web import groups  # noqa: I001  (after persons: its menu entry comes after People's)
from gateway.web import grants  # noqa: I001  (after activities: its menu entry comes after Activities')
from gateway.web import activity_lists

if TYPE_CHECKING:
    from gateway.app import Gateway

# The areas of a node's web app and of the hub's, each a module with blueprint(gw).
AREAS: list = [purpose, checkin, persons, groups, consents, rights, activities, referrals, statistics, hours, renewal,
               imports, recurrence, registration, grants, activity_lists]
HUB_AREAS: list = [dashboard]

SESSION_COOKIE = "brobygger_session"
csrf = CSRFProtect()


def session_dir(gw: Gateway) -> Path:
    s = gw.settings
    return Path(s.web_session_dir or Path(s.data_dir) / (s.org or "hub") / "web-sessions")


def install(app: Flask, gw: Gateway) -> None:
    s = gw.settings
    directory = session_dir(gw)
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    app.config.update(
        SECRET_KEY=s.web_secret_key,
        SESSION_TYPE="cachelib",
        # Files readable by this user only: they hold the users' tokens.
        SESSION_CACHELIB=FileSystemCache(str(directory), threshold=10_000, mode=0o600),
        SESSION_PERMANENT=True,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=s.web_session_hours),
        SESSION_COOKIE_NAME=SESSION_COOKIE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",  # sent on the top-level redirect back from the login
        SESSION_COOKIE_SECURE=not s.is_development,
        SESSION_KEY_PREFIX="s:",
        WTF_CSRF_CHECK_DEFAULT=False,  # pages call csrf.protect() (ui.page_blueprint); the REST API does not
        WTF_CSRF_TIME_LIMIT=None,      # a token lives as long as the session it is tied to
    )
    Session(app)
    csrf.init_app(app)
    i18n.install(app)
    ui.install(app, gw)
    # Templates and the style sheet, at /static.
    app.register_blueprint(Blueprint("web", __name__, template_folder="templates", static_folder="static",
                                     static_url_path="/static"))
    app.register_blueprint(i18n.blueprint())
    for area in (auth, home, *(HUB_AREAS if s.gateway_mode == "hub" else AREAS)):
        app.register_blueprint(area.blueprint(gw))
