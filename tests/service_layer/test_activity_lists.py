"""The node's lists of themes and target groups on fakes, and an activity's theme and target group checked
against them."""
from __future__ import annotations

import pytest

from services.common.errors import AlreadyExists, InvalidArgument, NotFound
from services.events.domain.activity_lists import TARGET_GROUPS, THEMES, ListEntry
from services.events.service_layer import activity_lists, commands, handlers
from tests.service_layer.test_events import (  # noqa: F401  (fixtures)
    COORDINATOR, create_activity, store, swimming, uow,
)


def add(uow, kind, code, label, request_id=""):
    return activity_lists.add_entry(activity_lists.AddEntry(ListEntry(kind, code, label), COORDINATOR, request_id),
                                    uow())


def test_codes_are_unique_per_list_and_a_retry_adds_one(uow):
    first = add(uow, THEMES, "homework-help", "Leksehjelp", request_id="t-1")
    assert add(uow, THEMES, "homework-help", "Leksehjelp", request_id="t-1") == first
    with pytest.raises(AlreadyExists) as err:
        add(uow, THEMES, "homework-help", "Noe annet")
    assert err.value.reason == "THEME_ALREADY_EXISTS"
    add(uow, TARGET_GROUPS, "homework-help", "Same code, another list")  # lists are separate
    add(uow, THEMES, "swimming", "Bading og svømming")
    assert [e.label for e in activity_lists.list_entries(THEMES, uow())] == ["Bading og svømming", "Leksehjelp"]


def test_a_code_and_label_are_checked_field_by_field(uow):
    with pytest.raises(InvalidArgument) as err:
        add(uow, THEMES, "Homework_Help", "")
    assert {v.field for v in err.value.violations} == {"theme_id", "theme.label"}
    with pytest.raises(InvalidArgument) as err:
        add(uow, TARGET_GROUPS, " mothers", "x" * 201)
    assert {v.field for v in err.value.violations} == {"target_group_id", "target_group.label"}


def test_a_label_is_corrected_and_the_code_stays(uow):
    add(uow, TARGET_GROUPS, "mothers-and-children", "Mødre og barn")
    fixed = activity_lists.update_label(activity_lists.UpdateLabel(
        ListEntry(TARGET_GROUPS, "mothers-and-children", "Mødre med barn"), "tg", ("label",), COORDINATOR), uow())
    assert (fixed.code, fixed.label) == ("mothers-and-children", "Mødre med barn")
    with pytest.raises(NotFound):
        activity_lists.update_label(activity_lists.UpdateLabel(ListEntry(THEMES, "none", "x"), "t", ("label",)),
                                    uow())


def test_without_a_list_an_activity_takes_free_text_and_with_one_only_its_codes(uow):
    create_activity(uow, swimming(theme="anything at all"))  # no list: free text, as before
    add(uow, THEMES, "swimming", "Svømming")
    add(uow, TARGET_GROUPS, "mothers-and-children", "Mødre og barn")
    create_activity(uow, swimming(target_group="mothers-and-children"))  # both on the lists
    with pytest.raises(InvalidArgument) as err:
        create_activity(uow, swimming(theme="yoga", target_group="everyone"))
    assert err.value.reason == "NOT_IN_LIST"
    assert [v.field for v in err.value.violations] == ["activity.theme"]


def test_an_activity_saved_before_the_lists_keeps_its_value_until_it_is_changed(uow):
    old = create_activity(uow, swimming(theme="free text of before"))
    add(uow, THEMES, "swimming", "Svømming")
    renamed = handlers.update_activity(commands.UpdateActivity(
        old.id, "a", swimming(title="Svømming for mødre"), ("title",), COORDINATOR), uow())
    assert renamed.theme == "free text of before"
    with pytest.raises(InvalidArgument) as err:
        handlers.update_activity(commands.UpdateActivity(old.id, "a", swimming(theme="other"), ("theme",),
                                                         COORDINATOR), uow())
    assert err.value.reason == "NOT_IN_LIST"
