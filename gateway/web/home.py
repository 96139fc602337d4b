"""The home page: for someone not logged in, what this site is and the way to log in; for a logged-in
user, what they can do here, by role (a volunteer: today's sessions; a coordinator: every area; the
analyst at the hub: the federation's figures)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, render_template

from gateway.web.auth import current_user
from gateway.web.ui import refuse_if_not_allowed

if TYPE_CHECKING:
    from gateway.app import Gateway


def blueprint(gw: Gateway) -> Blueprint:
    bp = Blueprint("home", __name__)

    @bp.get("/")
    def index() -> str:
        user = current_user(gw)
        if user is not None:
            refuse_if_not_allowed(gw, user)
        return render_template("home.html")

    return bp
