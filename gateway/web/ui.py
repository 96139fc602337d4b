"""What every page of the web app shares: the guard in front of an area, calling a service, and the pages
for errors.

An area is a blueprint made by :func:`area`: before any of its views runs, a form post must carry the
CSRF token, the user must be logged in (else to /login and back), belong to the organisation the node
serves (hub: be an analyst), and have one of the area's roles; a refusal is a page that says why. Views
call the services through :func:`call`: a gRPC error comes back as a :class:`ServiceRefusal` for the view
to show beside its form (invalid fields keep what was typed), or, for what no form can fix (403, 404,
unavailable), ends the request with an error page.

Every HTML answer gets the Content-Security-Policy below: no inline script or style, nothing from another
origin except the login's form posts to the identity provider; pages are never cached and never framed.
"""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable
from urllib.parse import urlsplit

import grpc
from flask import Blueprint, Flask, Response, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from gateway.errors import API_PATHS
from gateway.problems import Problem, from_rpc_error

if TYPE_CHECKING:
    from gateway.app import Gateway

log = logging.getLogger("gateway.web")

def csp(issuer: str) -> str:
    parts = urlsplit(issuer)
    idp = f"{parts.scheme}://{parts.netloc}"
    return ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
            f"connect-src 'self'; form-action 'self' {idp}; frame-ancestors 'none'; base-uri 'none'")


@dataclass(frozen=True)
class NavItem:
    """An entry of the main menu (and a tile of the home page), shown to users with one of its roles."""

    endpoint: str
    label: Any   # a lazy_gettext string
    about: Any
    roles: frozenset[str]


NAV: list[NavItem] = []


def nav_item(endpoint: str, label: Any, about: Any, roles: Iterable[str], *, first: bool = False) -> None:
    """Add an entry to the main menu; areas call it when their module is imported. ``first`` puts it at
    the front (the work done most often)."""
    item = NavItem(endpoint, label, about, frozenset(roles))
    if first:
        NAV.insert(0, item)
    else:
        NAV.append(item)


def is_page(path: str) -> bool:
    return not path.startswith(API_PATHS)


@dataclass
class ServiceRefusal:
    """A service said no to something a form can fix: a message and the fields it names."""

    status: int
    reason: str
    message: str
    fields: dict[str, str] = field(default_factory=dict)
    # For a 429: the seconds to wait before asking again (the service's RetryInfo), when it said.
    retry_after: int | None = None

    def for_field(self, name: str) -> str:
        return self.fields.get(name, "")


# The services say what is wrong with a field in English, for the API's clients; a page says it in the
# user's language. A message not listed here is shown as the service wrote it.
FIELD_MESSAGES = {
    "is required": _l("Fill this in."),
    "must be four digits, e.g. 0957": _l("Write four digits, for example 0957."),
    "must be a phone number like +47 912 34 567": _l("Write a phone number, for example +47 912 34 567."),
    "must be an e-mail address like name@example.no": _l("Write an e-mail address, for example name@example.no."),
    "cannot be in the future": _l("The date cannot be later than today."),
    "a paid membership needs the fee that was paid": _l("Write the fee that was paid."),
    "is required: say why the session is cancelled, e.g. 'pool closed'": _l(
        "Say why the session is cancelled, for example: the pool is closed."),
    "must be a Norwegian phone number like +47 912 34 567": _l(
        "Write a Norwegian phone number, for example +47 912 34 567."),
}


def field_message(description: str) -> str:
    found = FIELD_MESSAGES.get(description)
    return str(found) if found is not None else description


def field_name(path: str) -> str:
    """A service's field path ('person.given_name', 'attendance.head_count.count') as a form field name."""
    return path.split(".", 1)[1] if "." in path else path


def channel(gw: Gateway, upstream: str):
    """The gRPC channel to one of the node's services ('membership', 'events', 'referral', 'reporting'; the
    hub's 'hub'), the one the REST API uses: it sends the token of the user of this request."""
    for u in gw.upstreams:
        if u.name == upstream:
            return u.channel
    raise KeyError(upstream)


def request_id() -> str:
    """A fresh id for a form's hidden request_id field: submitting the same form twice does its work once."""
    return uuid.uuid4().hex


def form_request_id() -> str:
    """The request_id the submitted form carries (a fresh one if it carries none)."""
    return request.form.get("request_id", "")[:128] or request_id()


def changed_fields(before: dict, after: dict, fields: Iterable[str]) -> list[str]:
    """The fields whose form values differ: the update mask of a correction (AIP-134)."""
    return [f for f in fields if before.get(f) != after.get(f)]


def correct(rpc: Callable[..., Any], request_type: Any, resource: Any, before: dict, after: dict,
            fields: Iterable[str], *, service: str) -> tuple[bool, ServiceRefusal | None]:
    """Send a correction (an Update method, AIP-134) of resource (its name set) naming only the fields whose
    form values changed from before to after, with the form's request_id. Returns (whether anything
    changed, the refusal if the service refused); nothing is sent when nothing changed."""
    mask = changed_fields(before, after, fields)
    if not mask:
        return False, None
    field = request_type.DESCRIPTOR.fields[0].name  # the resource: person, activity, session
    message = request_type(**{field: resource}, request_id=form_request_id())
    message.update_mask.paths.extend(mask)
    return True, call(rpc, message, service=service)[1]


def call(rpc: Callable[..., Any], message: Any, *, service: str, timeout: float | None = None
         ) -> tuple[Any, ServiceRefusal | None]:
    """Call a gRPC method with the user's token. Returns (answer, None), or (None, refusal) for a refusal
    a form can fix (400, 409, 429); other errors end the request with their page."""
    from gateway.app import CALL_TIMEOUT

    try:
        return rpc(message, timeout=timeout or CALL_TIMEOUT), None
    except grpc.RpcError as exc:
        problem = from_rpc_error(exc, service)
    if problem.status in (400, 409, 429):
        fields = {field_name(f): field_message(d) for f, d in problem.errors}
        wait = problem.headers.get("Retry-After", "")
        # "The person has invalid fields: person.postal_code. See the field violations..." names wire paths;
        # the page marks the fields themselves.
        message = _("Check the fields marked below.") if fields and problem.reason == "INVALID_FIELDS" \
            else problem.detail
        return None, ServiceRefusal(problem.status, problem.reason, message, fields,
                                    int(wait) if wait.isdigit() else None)
    raise problem


def area(name: str, gw: Gateway, *, roles: Iterable[str] = (), url_prefix: str | None = None) -> Blueprint:
    """A blueprint whose views need a logged-in member of this node (hub: an analyst) with one of roles."""
    from gateway.web import csrf
    from gateway.web.auth import current_user, login_redirect

    bp = Blueprint(name, __name__, url_prefix=url_prefix)
    wanted = frozenset(roles)

    @bp.before_request
    def guard() -> Response | None:
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            csrf.protect()
        user = current_user(gw)
        if user is None:
            return login_redirect()
        refuse_if_not_allowed(gw, user, wanted)
        return None

    return bp


def refuse_if_not_allowed(gw: Gateway, user, roles: frozenset[str] = frozenset()) -> None:
    s = gw.settings
    if s.gateway_mode == "hub":
        if not user.has_role("analyst"):
            abort(403, description=_("The hub is for the federation's analysts. Your account does not have the "
                                     "analyst role; ask your administrator if you need it."))
    elif not user.principal.belongs_to(s.org):
        theirs = ", ".join(sorted(user.principal.orgs)) or _("no organisation")
        abort(403, description=_("This is the node of %(org)s. You are logged in as a member of %(theirs)s: use "
                                 "your own organisation's address.", org=s.org, theirs=theirs))
    if roles and not any(user.has_role(r) for r in roles):
        abort(403, description=_("This page is for %(roles)s. Ask a coordinator of your organisation if you "
                                 "need it.", roles=", ".join(str(ROLE_NAMES.get(r, r)) for r in sorted(roles))))


ROLE_NAMES = {"coordinator": _l("coordinators"), "volunteer": _l("volunteers"), "analyst": _l("analysts")}


def organization_name(gw: Gateway) -> str:
    """The node's organisation's name from the federation directory (its id when there is none)."""
    from services.common.directory import DirectoryError, FederationDirectory

    s = gw.settings
    if s.org and s.federation_directory:
        try:
            node = FederationDirectory(s.federation_directory).get(s.org)
        except (DirectoryError, OSError):
            node = None
        if node is not None and node.name:
            return node.name
    return s.org


def error_page(status: int, message: str, headers: dict | None = None) -> Response:
    titles = {400: _("Something in the request was wrong"), 401: _("You are not logged in"),
              403: _("You do not have access to this page"), 404: _("The page was not found"),
              405: _("That cannot be done here"), 409: _("That cannot be done now"),
              413: _("What you sent is too large"), 429: _("Too many requests, wait a little"),
              503: _("A service is not answering"), 504: _("A service answered too slowly")}
    body = render_template("error.html", status=status, title=titles.get(status, _("Something went wrong")),
                           message=message)
    response = Response(body, status=status, mimetype="text/html")
    response.headers.update(headers or {})
    return response


def page_for_error(exc: Exception) -> Response:
    """An error of a page request as a page (gateway.errors calls it for every path outside the API)."""
    if isinstance(exc, Problem):
        if exc.status == 401:
            from gateway.web.auth import login_redirect

            return login_redirect()
        message = exc.detail if exc.status < 500 else _(
            "This is an error in Brobygger, not something you did. Try again; if it goes on, tell the person "
            "who runs this node.")
        return error_page(exc.status, message, {k: v for k, v in exc.headers.items() if k == "Retry-After"})
    assert isinstance(exc, HTTPException)
    status = exc.code or 500
    default = exc.description == type(exc).description
    generic = {404: _("Check the address, or start again from the home page."),
               405: _("Go back and try again from the page you came from.")}
    message = generic.get(status, "") if default else (exc.description or "")
    return error_page(status, message)


def install(app: Flask, gw: Gateway) -> None:
    from gateway.errors import PAGE_ERRORS

    from gateway.web.auth import current_user

    policy = csp(gw.settings.oidc_issuer)
    app.extensions[PAGE_ERRORS] = page_for_error
    s = gw.settings
    org_name = organization_name(gw)

    @app.context_processor
    def page_context() -> dict:
        if not is_page(request.path):
            return {}
        user = current_user(gw)
        nav = []
        if user is not None:
            for item in NAV:
                if item.endpoint in app.view_functions and any(user.has_role(r) for r in item.roles):
                    url = url_for(item.endpoint)
                    nav.append({"url": url, "label": item.label, "about": item.about,
                                "current": request.path == url or request.path.startswith(url + "/")})
        name = _("Federation hub") if s.gateway_mode == "hub" else org_name
        from gateway.web.purpose import current_purpose

        return {"user": user, "nav": nav, "site": {"mode": s.gateway_mode, "org": s.org, "name": name},
                "purpose": current_purpose() if user is not None else ""}

    @app.after_request
    def page_headers(response: Response) -> Response:
        if is_page(request.path) and response.mimetype == "text/html":
            response.headers["Content-Security-Policy"] = policy
            response.headers["Cache-Control"] = "no-store"
            response.headers["Referrer-Policy"] = "same-origin"
            response.headers["X-Frame-Options"] = "DENY"
        return response
