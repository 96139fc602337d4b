"""Languages: Norwegian bokmål first, English second, others by translation alone.

Messages are written in English in the code and templates and translated through gettext catalogues
(``gateway/web/translations/<locale>/LC_MESSAGES/messages.po``, edited by translators; ``make
translations`` extracts new messages and compiles them). The languages offered are the catalogues
present, each named in its own language by Babel's locale data; adding ``ar`` or ``ur`` needs only a
catalogue: the page direction (``dir="rtl"``) comes from the locale, and the style sheet uses logical
properties (inline start and end) throughout.

The user's choice is kept in a cookie for a year (it is not personal data); without one, bokmål.
Dates and numbers are formatted for the chosen locale (Flask-Babel).
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

from babel import Locale
from flask import Blueprint, Flask, Response, redirect, request
from flask_babel import Babel, format_date, format_decimal, get_locale

TRANSLATIONS = Path(__file__).parent / "translations"
DEFAULT_LOCALE = "nb"
COOKIE = "brobygger_lang"
COOKIE_MAX_AGE = 365 * 24 * 3600


@lru_cache(maxsize=1)
def available() -> tuple[str, ...]:
    """The locales with a catalogue, the default first."""
    found = sorted(p.name for p in TRANSLATIONS.iterdir() if (p / "LC_MESSAGES" / "messages.mo").is_file())
    return tuple(sorted(set(found) | {DEFAULT_LOCALE}, key=lambda c: (c != DEFAULT_LOCALE, c)))


def language_names() -> list[tuple[str, str]]:
    """(code, the language's name in itself), e.g. ('nb', 'norsk bokmål')."""
    return [(code, Locale.parse(code).get_display_name(code)) for code in available()]


def choose_locale() -> str:
    chosen = request.cookies.get(COOKIE, "")
    return chosen if chosen in available() else DEFAULT_LOCALE


def current_locale() -> str:
    return str(get_locale() or DEFAULT_LOCALE)


def text_direction() -> str:
    return "rtl" if Locale.parse(current_locale()).character_order == "right-to-left" else "ltr"


def localized_date(value, fmt: str = "medium") -> str:
    """A date (or the contracts' ISO string YYYY-MM-DD) as the user's language writes it; '' for none,
    and a string that is no date as it is."""
    if isinstance(value, str):
        if not value:
            return ""
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            return value
    return format_date(value, fmt)


def install(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    Babel(app, locale_selector=choose_locale)
    app.jinja_env.filters["number"] = lambda n: format_decimal(n)
    app.jinja_env.filters["date"] = localized_date

    @app.context_processor
    def languages() -> dict:
        return {"locale": current_locale(), "text_direction": text_direction(), "page_languages": language_names()}


def blueprint() -> Blueprint:
    """POST /language: remember the chosen language and go back to the page it was chosen on."""
    from gateway.web import csrf
    from gateway.web.auth import local_path

    bp = Blueprint("language", __name__)

    @bp.post("/language")
    def choose() -> Response:
        csrf.protect()
        code = request.form.get("lang", "")
        response = redirect(local_path(request.form.get("next")))
        if code in available():
            response.set_cookie(COOKIE, code, max_age=COOKIE_MAX_AGE, httponly=True, samesite="Lax",
                                secure=request.is_secure)
        return response

    return bp
