"""Finding people by name: the words of a name folded so that case and accents do not matter.

A name and a query are folded the same way (:func:`fold`): case folded, accents and other
combining marks dropped (é -> e, å -> a, Arabic short vowels and hamza marks gone), the Nordic
and a few other letters that carry no mark spelt out in Latin (æ -> ae, ø -> o, ß -> ss), and the
Arabic letters that Arabic, Persian and Urdu keyboards type differently brought to one form
(Arabic yeh and alef maksura -> Farsi yeh, Arabic kaf -> keheh, the tatweel dropped). So
"Øyvind" is found by "oyvind", "øyv" or "ØYV", "Åsne" by "asne", "Hüseyin" by "huseyin", and
"عليّ" (Urdu keyboard, with a shadda) by "علی".

A name's words (:func:`name_words`) are stored beside the name as one string with a space in
front of every word; a query matches when each of its words starts a word of the name:
"ami kh" finds "Amina Khan", "kh ami" too, "min" does not. A word written with a hyphen or an
apostrophe is stored both in parts and joined ("Al-Hassan": al, hassan, alhassan).

Plain Python, no I/O: the SQL repository compares the stored string with LIKE, the fakes in
memory, with the same words.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata

from services.common.errors import FieldViolation, InvalidArgument
from services.common.text import is_plain
from services.common.vocabulary import CHAPTER_HINT, CHAPTER_RE

MAX_QUERY = 100
MAX_QUERY_WORDS = 6

# Letters that carry no combining mark to drop, spelt as a reader without them types them.
_SPELT_OUT = str.maketrans({
    "æ": "ae", "ø": "o", "œ": "oe", "đ": "d", "ð": "d", "ł": "l", "þ": "th", "ı": "i", "ħ": "h", "ŧ": "t",
    # Arabic script: one form for letters that keyboards of Arabic, Persian and Urdu type differently.
    "\u064a": "\u06cc",  # Arabic yeh -> Farsi yeh
    "\u0649": "\u06cc",  # alef maksura -> Farsi yeh
    "\u0643": "\u06a9",  # Arabic kaf -> keheh
    "\u0640": None,  # tatweel (kashida), a stretch of the line, no letter
    "\u200c": None, "\u200d": None,  # zero-width non-joiner and joiner: shape a word, do not split it
})
# Splits a folded name into words: anything that is neither a letter nor a digit.
_SEPARATORS = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """text without case and accents, as names and queries are compared."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.category(ch).startswith("M"))
    return unicodedata.normalize("NFC", bare.translate(_SPELT_OUT))


def _words(text: str, *, joined: bool) -> list[str]:
    """The folded words of text, each once; with joined, a word written with a hyphen or an apostrophe
    also as one word."""
    out: list[str] = []
    for token in fold(text).split():
        parts = [w for w in _SEPARATORS.split(token) if w]
        if joined and len(parts) > 1:
            parts.append("".join(parts))
        out += [w for w in parts if w not in out]
    return out


def name_words(given_name: str, family_name: str) -> str:
    """The stored search string of a name: ' w1 w2 ...' (a space before every word)."""
    return "".join(f" {w}" for w in _words(f"{given_name} {family_name}", joined=True))


def matches(words: str, query: list[str]) -> bool:
    """Whether every query word starts a word of the stored search string (what the SQL does)."""
    return all(f" {q}" in words for q in query)


def check_query(query: str) -> list[str]:
    """The folded words of a search query, each once; [] for none. InvalidArgument naming the field when
    it is too long, holds hidden characters, has too many words, or no letter or digit at all."""
    text = (query or "").strip()
    if not text:
        return []
    words = _words(text, joined=False) if len(text) <= MAX_QUERY and is_plain(text) else []
    if not words or len(words) > MAX_QUERY_WORDS:
        hint = (f"one line of at most {MAX_QUERY} characters and {MAX_QUERY_WORDS} words, each the start of a "
                "given or family name, e.g. 'ami kh'")
        raise InvalidArgument(f"query must be {hint}.", reason="INVALID_QUERY",
                              violations=[FieldViolation("query", hint)])
    return words


def check_chapter(chapter: str) -> str:
    """The chapter filter, stripped; '' for none."""
    value = (chapter or "").strip()
    if value and not CHAPTER_RE.match(value):
        raise InvalidArgument(f"chapter must be a chapter id: {CHAPTER_HINT}.", reason="INVALID_CHAPTER",
                              violations=[FieldViolation("chapter", CHAPTER_HINT)])
    return value


def query_digest(words: list[str]) -> str:
    """What a page token keeps of a query: a digest, so that a token never carries the name searched for,
    yet a token of one query is refused with another."""
    if not words:
        return ""
    return hashlib.sha256(" ".join(words).encode()).hexdigest()[:24]
