"""Groups: the organisation's local chapters (lokallag, e.g. "MiR Linderud") and other groups (e.g. the
youth wing "MiR-Ung"), and who is a member of them. Plain Python, no I/O.

A group is named by a short id chosen when it is created ('linderud', 'mir-ung'), the same ids a person's
chapter field has always held. A person's chapter names a group of kind CHAPTER (their home chapter, one at
most); membership of groups is kept apart from it, and a person may be a member of many groups.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.common.errors import FailedPrecondition, FieldViolation, Violations
from services.common.text import check_text
from services.common.vocabulary import CHAPTER_HINT, CHAPTER_RE, WireEnum

MAX_DISPLAY_NAME = 100


class GroupKind(WireEnum):
    CHAPTER = 1
    GROUP = 2


@dataclass
class Group:
    id: str
    kind: int
    display_name: str
    create_time: dt.datetime | None = None
    update_time: dt.datetime | None = None


@dataclass
class GroupMember:
    group_id: str
    person_id: str
    create_time: dt.datetime | None = None


def check_group_id(group_id: str, field: str = "group_id") -> None:
    v = Violations()
    v.check(bool(CHAPTER_RE.match(group_id or "")), field, CHAPTER_HINT)
    v.raise_if_any("group")


def validate_group(g: Group, prefix: str = "group") -> None:
    v = Violations()
    v.check(bool(CHAPTER_RE.match(g.id or "")), f"{prefix}_id", CHAPTER_HINT)
    v.check(GroupKind.is_set(g.kind), f"{prefix}.kind", "is required: " + GroupKind.choices())
    v.check(bool(g.display_name.strip()), f"{prefix}.display_name", "is required, e.g. 'MiR Linderud'")
    v.check(len(g.display_name) <= MAX_DISPLAY_NAME, f"{prefix}.display_name",
            f"at most {MAX_DISPLAY_NAME} characters, e.g. 'MiR Linderud'")
    check_text(v, g.display_name, f"{prefix}.display_name")
    v.raise_if_any("group")


def check_chapter_exists(chapter: str, group: Group | None, chapters: list[str], field: str = "person.chapter") -> None:
    """FailedPrecondition when a person's chapter names no group of kind CHAPTER (chapters: the ids there are)."""
    if not chapter or (group is not None and group.kind == GroupKind.CHAPTER):
        return
    known = ", ".join(chapters[:20]) or "none yet"
    what = "is a group, not a chapter" if group is not None else "names no chapter of this organisation"
    raise FailedPrecondition(
        f"chapter {chapter!r} {what}; choose one of the chapters ({known}), or create the chapter first "
        "(CreateGroup with kind GROUP_KIND_CHAPTER).",
        reason="CHAPTER_NOT_FOUND",
        violations=[FieldViolation(field, f"{what}; chapters: {known}")])
