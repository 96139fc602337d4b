"""The node's lists of themes and target groups that activities are chosen from. Plain Python, no I/O.

An entry is a code (what an activity and its facts hold) and a label (what pages show). IMDi's sub-goals are
no such list: they are the fixed vocabulary services.common.vocabulary.ImdiSubgoal. A list that is empty
leaves the field free text, as it was before the lists; once it has an entry, an activity's value must be
one of its codes.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from services.common.errors import FieldViolation, InvalidArgument, Violations
from services.common.text import check_text

THEMES, TARGET_GROUPS = "themes", "target_groups"
LABEL_MAX = {THEMES: 100, TARGET_GROUPS: 200}
# A code is the last part of the entry's resource name, so it is an id: e.g. "homework-help".
CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")
CODE_HINT = "1 to 60 lower-case letters a-z, digits and hyphens, starting with a letter or digit, e.g. 'homework-help'"


@dataclass
class ListEntry:
    kind: str  # THEMES or TARGET_GROUPS
    code: str
    label: str
    create_time: dt.datetime | None = None


def validate_entry(e: ListEntry, code_field: str, prefix: str) -> None:
    v = Violations()
    v.check(bool(CODE_RE.match(e.code)) and e.code == e.code.strip(), code_field, CODE_HINT)
    most = LABEL_MAX[e.kind]
    v.check(bool(e.label), f"{prefix}.label", "is required")
    v.check(len(e.label) <= most, f"{prefix}.label", f"at most {most} characters")
    check_text(v, e.label, f"{prefix}.label")
    v.raise_if_any(prefix.replace("_", " "))


def check_listed(value: str, codes: frozenset[str], field: str, what: str) -> None:
    """value is one of codes, or codes is empty (the node keeps no list: free text)."""
    if not codes or value in codes or not value:
        return
    shown = ", ".join(sorted(codes)[:10])
    raise InvalidArgument(
        f"{field} must be one of this organisation's {what}: {shown}{'…' if len(codes) > 10 else ''}; a coordinator "
        f"adds one to the list first.", reason="NOT_IN_LIST",
        violations=[FieldViolation(field, f"not one of the {what} of this organisation")])
