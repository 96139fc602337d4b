"""Free text that people read: names, municipalities, titles, descriptions, partner names.

Such text must show what it holds. Characters of the Unicode categories Cc
(control characters: NUL, ESC, line breaks...) and Cf (format characters:
zero-width spaces and joiners, the byte order mark, the bidirectional
overrides, embeddings and isolates) are invisible or change how the
characters around them are shown: a name could then look like another, or
text could read in another order than it is stored. Every domain refuses them
with :func:`check_text`, so every service gives the same answer.

A description is prose: a line feed, the line break a text area sends, may
separate its paragraphs (``line_breaks=True``); nothing else in Cc or Cf may.

One exception: the zero-width non-joiner and joiner (U+200C, U+200D) are part
of how Persian, Urdu, Kurdish and Indic names are spelled (they keep two
letters from joining, or make them join). They are allowed between two
letters, where they shape the word, and refused anywhere else.
"""
from __future__ import annotations

import unicodedata

from services.common.errors import Violations

HIDDEN_CATEGORIES = frozenset({"Cc", "Cf"})
HIDDEN_HINT = "must not contain control, zero-width or direction-override characters"
LINE_FEED = "\n"
JOINERS = frozenset({"\u200c", "\u200d"})


def _in_word(ch: str) -> bool:
    """A letter, or a mark on one (an Indic virama before a joiner)."""
    return ch.isalpha() or unicodedata.category(ch).startswith("M")


def hidden_character(value: str, *, line_breaks: bool = False) -> str | None:
    """The first control, zero-width or direction-override character in value, or None."""
    for i, ch in enumerate(value):
        if ch == LINE_FEED and line_breaks:
            continue
        if ch in JOINERS and 0 < i < len(value) - 1 and _in_word(value[i - 1]) and _in_word(value[i + 1]):
            continue
        if unicodedata.category(ch) in HIDDEN_CATEGORIES:
            return ch
    return None


def is_plain(value: str, *, line_breaks: bool = False) -> bool:
    """Whether value holds no control, zero-width or direction-override character."""
    return hidden_character(value, line_breaks=line_breaks) is None


def check_text(v: Violations, value: str, field_path: str, *, line_breaks: bool = False) -> bool:
    """Add a violation for field_path when value holds a hidden character; the message names the
    character's code point (U+202E), never the text itself."""
    ch = hidden_character(value, line_breaks=line_breaks)
    if ch is None:
        return True
    allowed = "; line breaks are allowed" if line_breaks else ""
    v.add(field_path, f"{HIDDEN_HINT} (found U+{ord(ch):04X}){allowed}")
    return False
