"""Free text that people read refuses control, zero-width and direction-override characters, in
every service alike (services.common.text); and dates past the year 9999 are invalid fields, not crashes."""
from __future__ import annotations

import datetime as dt
import unicodedata

import pytest

from brobygger.referral.v1 import referral_pb2 as rpb
from brobygger.type.v1 import types_pb2
from services.common.errors import InvalidArgument, Violations
from services.common.text import HIDDEN_HINT, check_text, hidden_character, is_plain
from services.events.domain.model import Activity, Session, validate_activity, validate_session
from services.membership.domain.model import (
    MembershipYear, Person, PaymentState, validate_membership_year, validate_person,
)
from services.referral.domain.model import (
    OUTGOING, Referral, SharedContact, validate_change, validate_new_referral, validate_received,
)
from services.reporting.domain.model import parse_period

TODAY = dt.date(2026, 11, 22)

# What the rule is about: C0 controls, DEL, C1 controls, zero-width characters and marks, bidi
# embeddings/overrides/isolates, the byte order mark, the soft hyphen and other Cf characters.
HIDDEN = [chr(c) for c in range(0x00, 0x20)] + [
    "\u007f", "\u0085", "\u009b", "\u00ad", "\u061c", "\u180e",
    "\u200b", "\u200c", "\u200d", "\u200e", "\u200f",
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
    "\u2060", "\u2066", "\u2067", "\u2068", "\u2069", "\ufeff", "\U000e0001",
]
VISIBLE = ["Amina", "Åse Ødegård-Nilsen", "Zoë O'Neil", "امینہ", "ਪ੍ਰੀਤ", "Фатима", "Linderud skole (5. trinn)",
           "Café \u00e9", "Oslo\u00a0kommune"]  # a no-break space is visible spacing, not hidden


def refused_fields(call) -> dict[str, str]:
    with pytest.raises(InvalidArgument) as err:
        call()
    return {v.field: v.description for v in err.value.violations}


# ---------------------------------------------------------------------------- the shared rule


def test_every_hidden_character_is_found():
    for ch in HIDDEN:
        assert unicodedata.category(ch) in ("Cc", "Cf")
        found_between_letters = ch not in ("\u200c", "\u200d")  # the joiners shape a word there
        assert (hidden_character(f"Am{ch}ina") == ch) is found_between_letters, f"U+{ord(ch):04X}"
        assert hidden_character(f"Amina{ch}") == ch and hidden_character(f"{ch}Amina") == ch
        assert hidden_character(f"Am{ch} ina") == ch and hidden_character(f"Am{ch}{ch}ina") == ch
        assert not is_plain(ch)


def test_joiners_inside_a_word_are_part_of_the_name():
    # Persian and Urdu names use the zero-width non-joiner between letters; Indic scripts the joiner.
    for name in ("\u0645\u06cc\u200c\u0646\u0627", "\u0639\u0628\u062f\u200c\u0627\u0644\u0644\u0647",
                 "\u0915\u094d\u200d\u0937"):
        assert is_plain(name), name


def test_text_people_write_is_plain():
    for text in VISIBLE:
        assert is_plain(text), text


def test_the_message_names_the_code_point_never_the_text():
    v = Violations()
    assert not check_text(v, "Amina\u202eanimA", "person.given_name")
    [item] = v.items
    assert item.field == "person.given_name"
    assert item.description == f"{HIDDEN_HINT} (found U+202E)"
    assert HIDDEN_HINT == "must not contain control, zero-width or direction-override characters"
    assert "Amina" not in item.description


def test_line_feeds_only_where_asked_for():
    assert is_plain("First line\nsecond line", line_breaks=True)
    assert not is_plain("First line\nsecond line")
    for ch in ("\r", "\t", "\u202e", "\x00", "\u200b"):
        assert not is_plain(f"First line{ch}second", line_breaks=True)


# ---------------------------------------------------------------------------- membership


def person(**overrides) -> Person:
    fields = dict(id="p1", given_name="Amina", family_name="Hussain", birth_year=1984,
                  gender=types_pb2.GENDER_FEMALE, municipality="Oslo", email="amina@example.no")
    fields.update(overrides)
    return Person(**fields)


@pytest.mark.parametrize("field", ["given_name", "family_name", "municipality", "email"])
@pytest.mark.parametrize("ch", ["\u0000", "\u001b", "\u200b", "\u200f", "\u202e", "\u2066", "\ufeff"])
def test_person_text_refuses_hidden_characters(field, ch):
    value = getattr(person(), field)
    fields = refused_fields(lambda: validate_person(person(**{field: value[:2] + ch + value[2:]}), TODAY))
    assert list(fields) == [f"person.{field}"]
    assert fields[f"person.{field}"].startswith(HIDDEN_HINT)


def test_people_write_names_in_their_own_scripts():
    for name in VISIBLE:
        validate_person(person(given_name=name, family_name=name, municipality=name), TODAY)


# ---------------------------------------------------------------------------- events


def activity(**overrides) -> Activity:
    fields = dict(id="a1", title="Homework help", subgoal=types_pb2.IMDI_SUBGOAL_QUALIFICATION,
                  description="Help with homework.", theme="homework help", target_group="pupils",
                  funder="IMDi")
    fields.update(overrides)
    return Activity(**fields)


@pytest.mark.parametrize("field", ["title", "description", "theme", "target_group", "funder"])
@pytest.mark.parametrize("ch", ["\u0007", "\u200d", "\u202d", "\u2069", "\ufeff"])
def test_activity_text_refuses_hidden_characters(field, ch):
    fields = refused_fields(lambda: validate_activity(activity(**{field: f"Home {ch}work"})))
    assert list(fields) == [f"activity.{field}"]
    assert fields[f"activity.{field}"].startswith(HIDDEN_HINT)


def test_a_description_may_have_paragraphs_but_nothing_else_hidden():
    validate_activity(activity(description="Bring your books.\n\nWe have coffee."))
    for field in ("title", "theme", "target_group", "funder"):
        assert list(refused_fields(lambda: validate_activity(activity(**{field: "Home\nwork"})))) == [
            f"activity.{field}"]
    assert list(refused_fields(lambda: validate_activity(activity(description="Books.\r\nCoffee.")))) == [
        "activity.description"]


def test_a_session_location_refuses_hidden_characters():
    s = Session(id="s1", activity_id="a1", date="2026-03-04", location="Linderud\u202e bad")
    assert list(refused_fields(lambda: validate_session(s, TODAY))) == ["session.location"]


# ---------------------------------------------------------------------------- referral


def test_a_partner_name_refuses_hidden_characters():
    r = Referral(id="r1", direction=OUTGOING, partner_kind=rpb.PARTNER_KIND_SCHOOL,
                 reason_category=rpb.REASON_CATEGORY_SCHOOL_HOME, person="organizations/mir/persons/p1",
                 partner_name="Linderud\u200b skole")
    assert list(refused_fields(lambda: validate_new_referral(r, "mir"))) == ["referral.partner_name"]


def test_the_shared_contact_name_refuses_hidden_characters():
    r = Referral(id="r2", direction=OUTGOING, partner_kind=rpb.PARTNER_KIND_FEDERATION_NODE,
                 reason_category=rpb.REASON_CATEGORY_LEGAL_AID, person="organizations/mir/persons/p1",
                 target_organization="mira", consent_given=True,
                 shared_contact=SharedContact("Ami\u202ena", "+47 912 34 567", "ur"))
    assert list(refused_fields(lambda: validate_new_referral(r, "mir"))) == ["referral.shared_contact.given_name"]
    received = refused_fields(lambda: validate_received(
        "mir", "mira", rpb.PARTNER_KIND_FEDERATION_NODE, rpb.REASON_CATEGORY_LEGAL_AID,
        SharedContact("\ufeffAmina"), True))
    assert list(received) == ["shared_contact.given_name"]


def test_an_outcome_with_hidden_characters_is_refused_once_with_the_clear_message():
    fields = refused_fields(lambda: validate_change(rpb.REFERRAL_STATE_COMPLETED, "legal_aid\u200b_given", ""))
    assert fields == {"outcome": f"{HIDDEN_HINT} (found U+200B)"}


# ---------------------------------------------------------------------------- dates past 9999


@pytest.mark.parametrize("paid_date", ["10000-01-01", "99999-12-31", "+10000-01-01", "20260301", "2026-W09-7",
                                       "٢٠٢٦-٠٣-٠١"])
def test_a_paid_date_that_is_no_plain_iso_date_is_an_invalid_field(paid_date):
    year = MembershipYear("p1", 2026, 200, PaymentState.PAID, paid_date=paid_date)
    assert refused_fields(lambda: validate_membership_year(year, TODAY)) == {
        "membership_year.paid_date": "must be a date like 2026-03-01"}


@pytest.mark.parametrize("date", ["10000-01-01", "9999-12-31", "0000-01-01"])
def test_a_session_date_far_off_is_an_invalid_field(date):
    s = Session(id="s1", activity_id="a1", date=date)
    assert list(refused_fields(lambda: validate_session(s, TODAY))) == ["session.date"]


def test_periods_ending_on_the_last_day_there_is_are_valid():
    for start, end in (("9999-12-01", "9999-12-31"), ("9999-10-01", "9999-12-31"), ("9999-01-01", "9999-12-31")):
        period = parse_period(start, end)
        assert (period.start.isoformat(), period.end.isoformat()) == (start, end)


def test_a_period_past_the_year_9999_is_an_invalid_field():
    fields = refused_fields(lambda: parse_period("10000-01-01", "10000-01-31"))
    assert set(fields) == {"period.start_date", "period.end_date"}
