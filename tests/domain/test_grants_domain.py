"""The rules of funders, grants and projects, without I/O."""
from __future__ import annotations

import pytest

from services.common.errors import InvalidArgument
from services.events.domain.grants import (
    Funder, Grant, Project, clean_duties, linked, unlinked, validate_funder, validate_grant, validate_project,
)


def fields(err) -> set[str]:
    return {v.field for v in err.value.violations}


def test_a_grant_is_whole_kroner_over_a_period_of_real_days():
    ok = Grant("", "f", "Driftstilskudd 2026", 500_000, "2026-01-01", "2026-12-31",
               reporting_duties=("Årsrapport til IMDi innen 1. mars 2027",))
    validate_grant(ok)
    with pytest.raises(InvalidArgument) as err:
        validate_grant(Grant("", "", "", -5, "1999-12-31", "20261231"))
    assert fields(err) == {"grant.funder", "grant.title", "grant.amount_nok", "grant.start_date", "grant.end_date"}
    with pytest.raises(InvalidArgument) as err:
        validate_grant(Grant("", "f", "t", 0, "2026-06-01", "2026-05-31", reporting_duties=("x" * 201,)))
    assert fields(err) == {"grant.end_date", "grant.reporting_duties[0]"}


def test_hidden_characters_and_overlong_names_are_refused():
    with pytest.raises(InvalidArgument) as err:
        validate_funder(Funder("", "IMDi\u202e"))
    assert fields(err) == {"funder.display_name"}
    with pytest.raises(InvalidArgument) as err:
        validate_project(Project("", "p" * 201, ()))
    assert fields(err) == {"project.title", "project.grants"}


def test_duties_are_stripped_and_blank_lines_dropped():
    assert clean_duties([" Sluttrapport ", "", "  ", "Regnskap"]) == ("Sluttrapport", "Regnskap")


def test_links_keep_their_order_and_a_second_link_changes_nothing():
    p = Project("p", "Leksehjelp", ("g",))
    one, changed = linked(p, "a")
    two, _ = linked(one, "b")
    assert changed and two.activity_ids == ("a", "b")
    assert linked(two, "a") == (two, False)
    assert unlinked(two, "a")[0].activity_ids == ("b",) and unlinked(p, "a") == (p, False)
