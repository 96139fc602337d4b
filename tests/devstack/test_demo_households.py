"""Which demo families are grouped in households: plain Python, no federation."""
from __future__ import annotations

from services.devstack.demo import linderud_families


def test_children_at_homework_help_are_grouped_with_a_parent_of_their_name_or_else_of_linderud():
    people = [("a1", "Khan", False, "linderud"), ("c1", "Khan", True, "linderud"), ("c2", "Khan", True, "linderud"),
              ("a2", "Berg", False, "furuset"), ("a3", "Osman", False, "linderud"), ("c3", "Farah", True, "linderud"),
              ("c4", "Demir", True, "linderud")]
    assert linderud_families(people, homework={"c1", "c3"}) == [
        ("a1", ["c1", "c2"], "Khan"), ("a3", ["c3"], "Farah")]
    # Each person in one household at most: with no grown-up left, no more families.
    assert linderud_families(people[:3] + [("c5", "Farah", True, "linderud")], homework={"c1", "c5"}) == [
        ("a1", ["c1", "c2"], "Khan")]
