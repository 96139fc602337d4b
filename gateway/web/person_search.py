"""The filters of the people list's search form: chapter, group, household, membership year (optionally paid),
and a role held today. They are ids, a year and a role, never personal data, so the link to the next page may
carry them (a name searched for never is: the search itself is sent by POST)."""
from __future__ import annotations

import re
from typing import Any, Mapping

from flask_babel import gettext as _

from brobygger.membership.v1 import membership_pb2
from gateway.web import labels

FILTERS = ("chapter", "group", "household", "membership_year", "paying", "role")


def read(source: Mapping[str, str]) -> tuple[dict[str, str], dict[str, Any], dict[str, str]]:
    """(the form's values, the ListPersons fields, errors by field) of the filters in a form or a query string."""
    values = {name: (source.get(name) or "").strip()[:200] for name in FILTERS}
    errors: dict[str, str] = {}
    year = 0
    if values["membership_year"]:
        if re.fullmatch(r"[0-9]{4}", values["membership_year"]):
            year = int(values["membership_year"])
        else:
            errors["membership_year"] = _("Write a year, for example %(year)s.", year="2026")
    paying = values["paying"] in ("1", "true")
    if paying and not values["membership_year"]:
        errors["membership_year"] = _("Write the year in which they paid.")
    fields = {"chapter": values["chapter"], "group": values["group"], "household": values["household"],
              "membership_year": year, "paying": paying,
              "role": labels.number_of(membership_pb2.Role.DESCRIPTOR, values["role"])}
    return values, fields, errors


def options(membership, parent: str) -> dict[str, list[tuple[str, str]]]:
    """The choices of the form's selects."""
    from gateway.web.groups import all_groups  # here: the module adds its menu entry, after People's

    groups = all_groups(membership, parent)
    anyone = ("", _("Anyone"))
    return {
        "chapter": [anyone] + [(g.name.rsplit("/", 1)[-1], g.display_name) for g in groups
                               if g.kind == membership_pb2.GROUP_KIND_CHAPTER],
        "group": [anyone] + [(g.name.rsplit("/", 1)[-1], g.display_name) for g in groups
                             if g.kind == membership_pb2.GROUP_KIND_GROUP],
        "role": [anyone] + labels.choices(labels.ROLE, membership_pb2.Role.DESCRIPTOR),
    }


def link_args(values: dict[str, str]) -> dict[str, str]:
    """The filters given, for the next page's link."""
    return {k: v for k, v in values.items() if v}
