"""The purpose of the work at hand: why the user reads people's data.

Every read of a person or a referral is written to the service's audit log with its purpose. Asking for
it on every click would teach people to type anything; asking once per task is what they will answer
truthfully. So a page that reads personal data calls :func:`need_purpose`: without a purpose given in
the last PURPOSE_HOURS, the user is sent to ``/purpose`` (a short form with the usual purposes of this
kind of work and a free line), and back. The header shows the purpose in force, with a link to change
it. The purpose is kept in the server-side session only, never in a URL.
"""
from __future__ import annotations

import time
from typing import TYPE_CHECKING

from flask import Response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from gateway.web.auth import local_path
from gateway.web.ui import ServiceRefusal, area
from services.common.audit import MAX_PURPOSE, check_purpose
from services.common.errors import InvalidArgument

if TYPE_CHECKING:
    from gateway.app import Gateway

PURPOSE_HOURS = 2
SUGGESTIONS = (
    _l("follow-up of a family"),
    _l("attendance at a session"),
    _l("planning an activity"),
    _l("membership fees and renewal"),
    _l("a referral"),
    _l("correcting a record"),
)


def current_purpose() -> str:
    """The purpose in force, or '' when none was given in the last PURPOSE_HOURS."""
    given = session.get("purpose")
    if not given or time.time() - given["at"] > PURPOSE_HOURS * 3600:
        return ""
    return given["text"]


def need_purpose() -> Response | None:
    """None when a purpose is in force; else the redirect to ask for one (and come back here)."""
    if current_purpose():
        return None
    target = request.full_path.rstrip("?") if request.method == "GET" else request.referrer or "/"
    return redirect(url_for("purpose.choose", next=local_path(target)))


def blueprint(gw: Gateway):
    bp = area("purpose", gw)

    @bp.route("/purpose", methods=["GET", "POST"])
    def choose():
        target = local_path(request.values.get("next"))
        refusal = None
        text = request.form.get("purpose_other", "").strip() or request.form.get("purpose", "")
        if request.method == "POST":
            try:
                session["purpose"] = {"text": check_purpose(text, _("people's data"), _("follow-up of a family")),
                                      "at": time.time()}
                return redirect(target)
            except InvalidArgument:
                refusal = ServiceRefusal(400, "INVALID_PURPOSE", _(
                    "Say in one line (at most %(n)s characters) why you need to see people's data now.",
                    n=MAX_PURPOSE), {"purpose_other": _("Choose a purpose, or write one.")})
        return render_template("purpose.html", suggestions=[str(s) for s in SUGGESTIONS], chosen=text,
                               current=current_purpose(), next=target, refusal=refusal, max_length=MAX_PURPOSE)

    return bp
