"""The browser side of the development issuer: authorization endpoint, login form, logout.

Keycloak's behaviour, for the authorization code flow with PKCE:

* ``GET .../protocol/openid-connect/auth`` checks the client and the redirect
  URI first; when either is wrong it shows an error page and never redirects.
  Every later error goes back to the redirect URI as ``error``,
  ``error_description``, ``state`` and ``iss`` (RFC 6749 4.1.2.1, RFC 9207).
  This issuer is stricter than Keycloak in one way: ``scope`` must hold
  ``openid`` and ``state`` and ``nonce`` must be sent, since the project's
  web client always sends them and their absence is a bug to see early.
* A live SSO session (cookie ``KEYCLOAK_IDENTITY``, HttpOnly, SameSite=Lax,
  path ``/realms/<realm>/``) skips the form unless ``prompt=login`` or
  ``max_age`` asks for a fresh login; ``prompt=none`` without one answers
  ``error=login_required``.
* The login form posts to ``/realms/<realm>/login-actions/authenticate`` with
  a one-time token bound to the pending authorization, which is found by the
  browser's ``AUTH_SESSION_ID`` cookie (SameSite=Lax, so a cross-site post
  carries none). Its few words are in bokmål or English (``ui_locales``).
* ``GET`` or ``POST .../logout`` is RP-initiated logout (``id_token_hint``,
  ``client_id``, ``post_logout_redirect_uri``, ``state``); without a valid
  hint a live session is ended only after the user confirms on a form.
  ``POST .../logout`` with ``refresh_token`` is the back-channel logout
  python-keycloak's ``KeycloakOpenID.logout`` sends: it ends that session.

Pages carry a strict Content-Security-Policy (no script at all, styles from
the issuer only, forms only to the issuer and the client they return to).
"""
from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping

from flask import Flask, Response, make_response, redirect, render_template, request, url_for

from services.devissuer import grants, redirects
from services.devissuer.errors import OAuthError
from services.devissuer.realm import Client
from services.devissuer.sessions import AuthorizationRequest, SsoSession

if TYPE_CHECKING:
    from services.devissuer.issuer import DevIssuer

log = logging.getLogger("services.devissuer")

AUTH_COOKIE = "AUTH_SESSION_ID"
IDENTITY_COOKIE = "KEYCLOAK_IDENTITY"
LOCALES = ("nb", "en")
DEFAULT_LOCALE = "nb"
MAX_PARAM_LENGTH = 2048
PROMPTS = {"none", "login", "consent", "select_account"}

TEXTS: dict[str, dict[str, str]] = {
    "nb": {
        "banner": "Utviklingsutsteder – bare for utvikling og test, aldri for ekte data.",
        "login_title": "Logg inn",
        "username": "Brukernavn eller e-post",
        "password": "Passord",
        "submit": "Logg inn",
        "invalid": "Feil brukernavn eller passord.",
        "disabled": "Kontoen er deaktivert. Kontakt administratoren din.",
        "not_set_up": "Kontoen er ikke ferdig satt opp. Kontakt administratoren din.",
        "form_expired": "Skjemaet var utløpt. Logg inn på nytt.",
        "error_title": "Noe gikk galt",
        "login_timeout": "Innloggingen er utløpt eller ble ikke startet i denne nettleseren.",
        "login_timeout_hint": "Gå tilbake til tjenesten og logg inn på nytt.",
        "logged_out_title": "Du er logget ut",
        "logged_out": "Du er logget ut.",
        "not_returned": "Adressen du skulle sendes tilbake til, er ikke registrert for tjenesten, "
                        "så du blir værende her.",
        "logout_title": "Logge ut?",
        "logout_question": "Vil du logge ut?",
        "logout_submit": "Logg ut",
    },
    "en": {
        "banner": "Development issuer – for development and tests only, never for real data.",
        "login_title": "Log in",
        "username": "Username or email",
        "password": "Password",
        "submit": "Log in",
        "invalid": "Invalid username or password.",
        "disabled": "This account is disabled. Contact your administrator.",
        "not_set_up": "This account is not fully set up. Contact your administrator.",
        "form_expired": "The form had expired. Please log in again.",
        "error_title": "Something went wrong",
        "login_timeout": "The login has expired or was not started in this browser.",
        "login_timeout_hint": "Go back to the application and log in again.",
        "logged_out_title": "You are logged out",
        "logged_out": "You are logged out.",
        "not_returned": "The address you were to be sent back to is not registered for the application, "
                        "so you stay here.",
        "logout_title": "Log out?",
        "logout_question": "Do you want to log out?",
        "logout_submit": "Log out",
    },
}


def locale_for(ui_locales: str | None) -> str:
    """The first of the requested locales (space separated, e.g. "en-GB nb") this issuer has; nb otherwise."""
    for tag in (ui_locales or "").split():
        language = tag.split("-", 1)[0].lower()
        if language in ("nb", "no", "nn"):
            return "nb"
        if language in LOCALES:
            return language
    return DEFAULT_LOCALE


class ErrorPage(Exception):
    """An error shown to the user at the issuer, never sent to a redirect URI."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass
class RedirectError(Exception):
    """An authorization error returned to the (already verified) redirect URI."""

    error: str
    description: str


def _param(args: Mapping[str, str], name: str) -> str | None:
    value = args.get(name)
    if value is None or value == "":
        return None
    if len(value) > MAX_PARAM_LENGTH:
        raise RedirectError("invalid_request", f"Invalid parameter: {name}")
    return value


def authorization_client(issuer: DevIssuer, args: Mapping[str, str]) -> tuple[Client, str]:
    """The client and redirect URI of an authorization request, or ErrorPage."""
    client_id = args.get("client_id")
    if not client_id:
        raise ErrorPage("Missing parameter: client_id")
    client = issuer.realm.clients.get(client_id)
    if client is None:
        raise ErrorPage("Client not found.")
    if not client.enabled:
        raise ErrorPage("Client disabled.")
    if client.bearer_only:
        raise ErrorPage("Bearer-only clients are not allowed to initiate browser login.")
    redirect_uri = args.get("redirect_uri")
    if not redirect_uri:
        raise ErrorPage("Missing parameter: redirect_uri")
    if not redirects.matches(client.redirect_uris, redirect_uri):
        raise ErrorPage("Invalid parameter: redirect_uri")
    return client, redirect_uri


def authorization_request(client: Client, redirect_uri: str, args: Mapping[str, str]) -> tuple[AuthorizationRequest, set[str]]:
    """The checked request and its prompt values, or RedirectError."""
    if not client.standard_flow:
        raise RedirectError("unauthorized_client", "Client is not allowed to initiate browser login with given "
                                                   "response_type. Standard flow is disabled for the client.")
    for name, error in (("request", "request_not_supported"), ("request_uri", "request_uri_not_supported")):
        if args.get(name):
            raise RedirectError(error, f"Parameter {name} is not supported by the development issuer")
    response_type = _param(args, "response_type")
    if response_type is None:
        raise RedirectError("invalid_request", "Missing parameter: response_type")
    if response_type != "code":
        raise RedirectError("unsupported_response_type", "Client is not allowed to initiate browser login with "
                                                         "given response_type. Only response_type=code is served.")
    if _param(args, "response_mode") not in (None, "query"):
        raise RedirectError("invalid_request", "Invalid parameter: response_mode (only query is served)")
    scope = _param(args, "scope") or ""
    requested = set(scope.split())
    if "openid" not in requested:
        raise RedirectError("invalid_scope", "Invalid scopes: the scope must include openid")
    allowed = {"openid", *client.default_scopes, *client.optional_scopes}
    if requested - allowed:
        raise RedirectError("invalid_scope", f"Invalid scopes: {' '.join(sorted(requested))}")
    state = _param(args, "state")
    if state is None:
        raise RedirectError("invalid_request", "Missing parameter: state")
    nonce = _param(args, "nonce")
    if nonce is None:
        raise RedirectError("invalid_request", "Missing parameter: nonce")
    challenge, method = _param(args, "code_challenge"), _param(args, "code_challenge_method")
    if challenge is None and method is not None:
        raise RedirectError("invalid_request", "Missing parameter: code_challenge")
    if challenge is not None:
        method = method or "plain"
        if method != "S256":
            raise RedirectError("invalid_request", "Invalid parameter: code challenge method is not supported "
                                                   "(use S256)")
        if not grants.PKCE_VALUE.fullmatch(challenge):
            raise RedirectError("invalid_request", "Invalid parameter: code_challenge")
    required = client.pkce_method
    if required is not None:
        if challenge is None:
            raise RedirectError("invalid_request", "Missing parameter: code_challenge")
        if method != required:
            raise RedirectError("invalid_request", "Invalid parameter: code challenge method is not matching "
                                                   "the configured one")
    prompt = set((_param(args, "prompt") or "").split())
    if prompt - PROMPTS or ("none" in prompt and len(prompt) > 1):
        raise RedirectError("invalid_request", "Invalid parameter: prompt")
    max_age_text = _param(args, "max_age")
    max_age = None
    if max_age_text is not None:
        if not max_age_text.isdigit():
            raise RedirectError("invalid_request", "Invalid parameter: max_age")
        max_age = int(max_age_text)
    locale = locale_for(args.get("ui_locales"))
    # The requested scope in the order the client asked, as the code and its tokens carry it.
    return AuthorizationRequest(client_id=client.client_id, redirect_uri=redirect_uri, state=state, nonce=nonce,
                                scope=" ".join(dict.fromkeys(scope.split())), code_challenge=challenge,
                                code_challenge_method=method if challenge else None, locale=locale,
                                max_age=max_age), prompt


def register(app: Flask, issuer: DevIssuer) -> None:
    """Add the browser endpoints to the issuer's app."""
    realm = issuer.realm
    prefix = f"/realms/{realm.name}"
    oidc = f"{prefix}/protocol/openid-connect"
    cookie_path = f"{prefix}/"
    realm_title = "Brobygger" if realm.name == "brobygger" else realm.name

    def page(template: str, locale: str, title_key: str, status: int = 200, form_origins: tuple[str, ...] = (),
             **context) -> Response:
        texts = TEXTS[locale]
        body = render_template(template, t=texts, locale=locale, title=texts[title_key], realm_title=realm_title,
                               stylesheet=url_for("static", filename="login.css"), **context)
        response = make_response(body, status)
        response.headers["Content-Type"] = "text/html; charset=utf-8"
        form_action = " ".join(["'self'", *dict.fromkeys(form_origins)])
        response.headers["Content-Security-Policy"] = (
            f"default-src 'none'; style-src 'self'; img-src 'self'; form-action {form_action}; "
            "frame-ancestors 'none'; base-uri 'none'")
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        return response

    def error_page(message: str, locale: str, status: int = 400, hint: str | None = None) -> Response:
        return page("message.html", locale, "error_title", status, message=message, hint=hint, alert=True)

    def secure() -> bool:
        return request.scheme == "https"

    def set_cookie(response: Response, name: str, value: str) -> None:
        response.set_cookie(name, value, path=cookie_path, httponly=True, samesite="Lax", secure=secure())

    def clear_cookie(response: Response, name: str) -> None:
        response.delete_cookie(name, path=cookie_path, httponly=True, samesite="Lax", secure=secure())

    def back_to_client(auth: AuthorizationRequest, params: Mapping[str, str | None]) -> Response:
        response = redirect(redirects.with_params(auth.redirect_uri, {**params, "iss": issuer.issuer}), code=302)
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    def code_response(auth: AuthorizationRequest, session: SsoSession) -> Response:
        code = issuer.sessions.issue_code(auth, session)
        return back_to_client(auth, {"code": code, "state": auth.state, "session_state": session.id})

    def login_form(pending, locale: str, *, username: str = "", message_key: str | None = None,
                   status: int = 200) -> Response:
        token = issuer.sessions.new_form_token(pending)
        response = page("login.html", locale, "login_title", status,
                        form_origins=(redirects.origin(pending.request.redirect_uri),),
                        action=f"{prefix}/login-actions/authenticate", form_token=token, username=username,
                        message=TEXTS[locale][message_key] if message_key else None)
        set_cookie(response, AUTH_COOKIE, pending.id)
        return response

    @app.get(f"{oidc}/auth")
    def authorize():
        issuer.hit("auth")
        args = request.args
        locale = locale_for(args.get("ui_locales"))
        try:
            client, redirect_uri = authorization_client(issuer, args)
        except ErrorPage as exc:
            log.info("authorization request refused with an error page: %s", exc.message)
            return error_page(exc.message, locale, exc.status)
        try:
            auth, prompt = authorization_request(client, redirect_uri, args)
        except RedirectError as exc:
            log.info("authorization request for client %s refused: %s", client.client_id, exc.error)
            return redirect(redirects.with_params(redirect_uri, {
                "error": exc.error, "error_description": exc.description, "state": _param_or_none(args, "state"),
                "iss": issuer.issuer}), code=302)
        session = issuer.sessions.session_for_cookie(request.cookies.get(IDENTITY_COOKIE))
        user = issuer.realm.user_by_id(session.user_id) if session is not None else None
        too_old = (session is not None and auth.max_age is not None
                        and issuer.now() - session.auth_time > auth.max_age)
        if session is not None and user is not None and user.enabled and "login" not in prompt and not too_old:
            log.info("authorization for client %s from the SSO session", client.client_id)
            return code_response(auth, session)
        if "none" in prompt:
            return back_to_client(auth, {"error": "login_required", "error_description": "Login required",
                                         "state": auth.state})
        pending = issuer.sessions.begin_login(auth)
        return login_form(pending, auth.locale)

    @app.post(f"{prefix}/login-actions/authenticate")
    def authenticate():
        issuer.hit("authenticate")
        pending = issuer.sessions.pending(request.cookies.get(AUTH_COOKIE))
        locale = pending.request.locale if pending is not None else locale_for(request.args.get("ui_locales"))
        if pending is None:
            return error_page(TEXTS[locale]["login_timeout"], locale, 400, hint=TEXTS[locale]["login_timeout_hint"])
        username = (request.form.get("username") or "").strip()[:256]
        password = request.form.get("password") or ""
        if not issuer.sessions.take_form_token(pending, request.form.get("session_code") or ""):
            return login_form(pending, locale, username=username, message_key="form_expired", status=400)
        user, problem = grants.check_user_password(issuer.realm, username, password)
        if user is None:
            log.info("login refused for client %s: %s", pending.request.client_id,
                     "invalid user credentials" if problem == "invalid" else problem)
            return login_form(pending, locale, username=username, message_key=problem)
        old_cookie = request.cookies.get(IDENTITY_COOKIE)
        current = issuer.sessions.session_for_cookie(old_cookie)
        cookie = None
        if current is not None and current.user_id == user.id:
            issuer.sessions.reauthenticated(current.id)
            session = current
        else:
            if current is not None:
                issuer.sessions.end_session(current.id)
            session, cookie = issuer.sessions.create_session(user.id, with_cookie=True)
        issuer.sessions.finish_login(pending.id)
        log.info("user %s logged in for client %s", user.username, pending.request.client_id)
        response = code_response(pending.request, session)
        clear_cookie(response, AUTH_COOKIE)
        if cookie is not None:
            set_cookie(response, IDENTITY_COOKIE, cookie)
        return response

    # ------------------------------------------------------------------ logout
    def logout_token(sid: str) -> str:
        return hmac.new(issuer.signing_key.hmac_secret(), f"logout-confirm:{sid}".encode(), "sha256").hexdigest()

    def after_logout(client: Client | None, uri: str | None, state: str | None, locale: str) -> Response:
        if uri and client is not None and redirects.matches(client.post_logout_redirect_uris, uri):
            response = redirect(redirects.with_params(uri, {"state": state}), code=302)
            response.headers["Cache-Control"] = "no-store"
        else:
            hint = TEXTS[locale]["not_returned"] if uri else None
            response = page("message.html", locale, "logged_out_title", message=TEXTS[locale]["logged_out"],
                            hint=hint, alert=False)
        clear_cookie(response, IDENTITY_COOKIE)
        return response

    def back_channel_logout(form: Mapping[str, str]) -> Response:
        basic = grants.basic_credentials(request.headers.get("Authorization"))
        client_id, secret = basic if basic is not None else (form.get("client_id"), form.get("client_secret"))
        client = grants.authenticate_client(realm, client_id, secret)
        claims = issuer.read_refresh_token(form.get("refresh_token") or "")
        if claims.get("azp") != client.client_id:
            raise OAuthError(400, "invalid_grant", "Invalid refresh token. Token client and authorized client "
                                                   "don't match")
        if not issuer.sessions.end_session(claims.get("sid")):
            raise OAuthError(400, "invalid_grant", "Session not active")
        log.info("session ended by back-channel logout from client %s", client.client_id)
        response = make_response("", 204)
        response.headers.update({"Cache-Control": "no-store", "Pragma": "no-cache"})
        return response

    @app.route(f"{oidc}/logout", methods=["GET", "POST"])
    def logout():
        issuer.hit("logout")
        params = request.form if request.method == "POST" else request.args
        if request.method == "POST" and "refresh_token" in params:
            return back_channel_logout(params)
        locale = locale_for(params.get("ui_locales"))
        hint_text = params.get("id_token_hint")
        client_id = params.get("client_id") or None
        uri = params.get("post_logout_redirect_uri") or None
        state = params.get("state") or None
        hint = None
        if hint_text:
            hint = issuer.read_id_token_hint(hint_text)
            if hint is None:
                return error_page("Invalid parameter: id_token_hint", locale)
            if client_id is not None and client_id != hint["azp"]:
                return error_page("Parameter client_id different than the client for which the ID token was "
                                  "issued", locale)
            client_id = hint["azp"]
        client = realm.clients.get(client_id) if client_id else None
        if client_id and client is None:
            return error_page("Client not found.", locale)
        session = issuer.sessions.session_for_cookie(request.cookies.get(IDENTITY_COOKIE))
        if hint is not None:
            ended = session.id if session is not None else hint.get("sid")
            if issuer.sessions.end_session(ended):
                log.info("session ended by logout from client %s", client_id)
            return after_logout(client, uri, state, locale)
        if session is None:
            return after_logout(client, uri, state, locale)
        carried = [(k, v) for k, v in (("client_id", client_id), ("post_logout_redirect_uri", uri),
                                       ("state", state), ("ui_locales", params.get("ui_locales"))) if v]
        origins = (redirects.origin(uri),) if uri and redirects.acceptable(uri) else ()
        return page("logout_confirm.html", locale, "logout_title", form_origins=origins,
                    action=f"{oidc}/logout/logout-confirm", form_token=logout_token(session.id), carried=carried)

    @app.post(f"{oidc}/logout/logout-confirm")
    def logout_confirm():
        issuer.hit("logout")
        form = request.form
        locale = locale_for(form.get("ui_locales"))
        client_id = form.get("client_id") or None
        client = realm.clients.get(client_id) if client_id else None
        session = issuer.sessions.session_for_cookie(request.cookies.get(IDENTITY_COOKIE))
        if session is not None:
            if not hmac.compare_digest(logout_token(session.id), form.get("session_code") or ""):
                return error_page("Invalid logout confirmation; start the logout again from the application.",
                                  locale)
            issuer.sessions.end_session(session.id)
            log.info("session ended by confirmed logout")
        return after_logout(client, form.get("post_logout_redirect_uri") or None, form.get("state") or None, locale)


def _param_or_none(args: Mapping[str, str], name: str) -> str | None:
    value = args.get(name)
    return value if value and len(value) <= MAX_PARAM_LENGTH else None
