"""How names are folded for search and which fields a correction may name: plain rules, no I/O."""
from __future__ import annotations

import datetime as dt

import pytest

from services.common.errors import InvalidArgument
from services.common.vocabulary import Gender
from services.membership.domain.model import CORRECTABLE_FIELDS, Person, check_update_mask, corrected
from services.membership.domain.search import check_query, fold, matches, name_words, query_digest


@pytest.mark.parametrize("text, folded", [
    ("Øyvind", "oyvind"), ("ÅSNE", "asne"), ("Ærlig", "aerlig"), ("Hüseyin Yılmaz", "huseyin yilmaz"),
    ("Straße", "strasse"), ("Zoë", "zoe"), ("عليّ", "علی"), ("مـحـمـد", "محمد"), ("ملك", "ملک"),
    ("أحمد", "احمد"), ("می\u200cخواهم", "میخواهم"),
])
def test_fold_drops_case_and_accents(text, folded):
    assert fold(text) == folded


def test_the_stored_words_keep_hyphenated_names_in_parts_and_whole():
    assert name_words("Muhammad", "Al-Hassan") == " muhammad al hassan alhassan"
    assert name_words("Amina", "amina") == " amina"


@pytest.mark.parametrize("query, hit", [("ami kh", True), ("kh", True), ("min", False), ("amina khan x", False),
                                        ("AMI", True), ("an", False)])
def test_each_query_word_must_start_a_word_of_the_name(query, hit):
    assert matches(name_words("Amina", "Khan"), check_query(query)) is hit


def test_a_query_digest_depends_on_the_words_not_their_spelling():
    assert query_digest(check_query(" Øyv  ")) == query_digest(check_query("oyv")) != query_digest(check_query("oy"))
    assert query_digest([]) == "" and "oyv" not in query_digest(["oyv"])


def test_a_mask_is_checked_and_deduplicated():
    assert check_update_mask(["phone", " email ", "phone"]) == ["phone", "email"]
    with pytest.raises(InvalidArgument) as err:
        check_update_mask(["*"])
    assert all(f in err.value.message for f in CORRECTABLE_FIELDS)


def test_a_correction_reports_what_changed_and_keeps_the_rest():
    now = dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc)
    person = Person(id="p1", given_name="Amina", family_name="Khan", birth_year=1984, gender=Gender.FEMALE,
                    phone="+47 912 34 567", update_time=now - dt.timedelta(days=1))
    patch = Person(id="p1", given_name="X", family_name="Khan", birth_year=1986, gender=0)
    updated, changed = corrected(person, patch, ["family_name", "birth_year"], now.date(), now)
    assert changed == ["birth_year"] and (updated.given_name, updated.birth_year, updated.update_time) == (
        "Amina", 1986, now)
    same, nothing = corrected(person, patch, ["family_name"], now.date(), now)
    assert same is person and nothing == []
