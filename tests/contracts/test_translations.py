"""The web app's message catalogues: every message of the code and the templates is in each catalogue,
bokmål has a translation for each, and the compiled catalogues (.mo) are those of the .po files
(`make translations` extracts, updates and compiles them)."""
from __future__ import annotations

import io
import pathlib

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

REPO = pathlib.Path(__file__).resolve().parents[2]
TRANSLATIONS = REPO / "gateway" / "web" / "translations"
LOCALES = sorted(p.name for p in TRANSLATIONS.iterdir() if p.is_dir())
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}


def extracted() -> set[str]:
    method_map = [("gateway/**.py", "python"), ("gateway/web/templates/**.html", "jinja2")]
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(REPO), method_map=method_map, keywords=KEYWORDS):
        found.add(message if isinstance(message, str) else message[0])
    return found


def catalogue(locale: str):
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=locale)


def test_bokmal_and_english_are_there():
    assert {"nb", "en"} <= set(LOCALES)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_is_in_the_catalogue(locale):
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue(locale) if m.id}
    missing = extracted() - ids
    assert not missing, f"run `make translations`; not in {locale}'s catalogue: {sorted(missing)[:10]}"


def test_bokmal_translates_every_message():
    untranslated = [m.id for m in catalogue("nb") if m.id and not (m.string if isinstance(m.string, str)
                                                                  else all(m.string))]
    assert not untranslated, f"messages without a bokmål translation: {untranslated[:10]}"


@pytest.mark.parametrize("locale", LOCALES)
def test_the_compiled_catalogue_is_fresh(locale):
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.mo", "rb") as f:
        compiled = {m.id: m.string for m in read_mo(f) if m.id}
    fresh = io.BytesIO()
    write_mo(fresh, catalogue(locale), use_fuzzy=True)
    fresh.seek(0)
    expected = {m.id: m.string for m in read_mo(fresh) if m.id}
    assert compiled == expected, "run `make translations`: the .mo file is older than its .po file"
