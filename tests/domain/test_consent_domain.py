"""Consent rules: who gives a child's consent, what a consent must say, withdrawal once, the one in force."""
from __future__ import annotations

import datetime as dt

import pytest

from services.common.errors import FailedPrecondition, InvalidArgument, Violations
from services.membership.domain.consent import (
    Consent, ConsentGiver, ConsentPurpose, ConsentSource, ConsentState, check_giver, check_guardian,
    check_none_in_force, in_force, is_child, parse_day, validate_consent,
)

DAY = dt.date(2026, 3, 1)
AT = dt.datetime(2026, 3, 1, 12, tzinfo=dt.timezone.utc)


def consent(**overrides) -> Consent:
    fields = dict(id="c-1", person_id="p-1", purpose=ConsentPurpose.PHOTOS, text_version="samtykke-2026-01",
                  given_date=DAY, source=ConsentSource.PAPER_FORM, given_by=ConsentGiver.PERSON)
    fields.update(overrides)
    return Consent(**fields)


@pytest.mark.parametrize(("birth_year", "child"), [(2014, True), (2010, True), (2009, False), (1984, False),
                                                   (0, False)])
def test_with_a_birth_year_only_a_person_is_a_child_until_the_year_after_they_turn_the_age(birth_year, child):
    assert is_child(birth_year, DAY, 16) is child


def test_the_age_of_consent_is_the_organisations_setting():
    assert is_child(2008, DAY, 18) and not is_child(2008, DAY, 16)
    assert not is_child(2012, DAY, 13)


def test_a_child_needs_a_guardians_consent_with_a_reason_and_the_field():
    with pytest.raises(FailedPrecondition) as err:
        check_giver(consent(), birth_year=2014, consent_age=16)
    assert err.value.reason == "GUARDIAN_CONSENT_REQUIRED"
    assert "2014" in err.value.message and "16" in err.value.message
    assert [v.field for v in err.value.violations] == ["consent.given_by"]
    check_giver(consent(given_by=ConsentGiver.GUARDIAN, guardian_name="Fatima Hussain"), 2014, 16)
    check_giver(consent(), birth_year=1984, consent_age=16)


def test_a_guardian_is_named_once_either_registered_or_by_name():
    with pytest.raises(InvalidArgument) as err:
        validate_consent(consent(given_by=ConsentGiver.GUARDIAN), guardian_given=False)
    assert [v.field for v in err.value.violations] == ["consent.guardian_name"]
    with pytest.raises(InvalidArgument):
        validate_consent(consent(given_by=ConsentGiver.GUARDIAN, guardian_name="Fatima"), guardian_given=True)
    with pytest.raises(InvalidArgument) as err:
        validate_consent(consent(guardian_name="Fatima"), guardian_given=True)
    assert {v.field for v in err.value.violations} == {"consent.guardian", "consent.guardian_name"}
    validate_consent(consent(given_by=ConsentGiver.GUARDIAN), guardian_given=True)
    validate_consent(consent(given_by=ConsentGiver.GUARDIAN, guardian_name="Fatima Hussain"), guardian_given=False)


def test_every_required_field_is_named():
    with pytest.raises(InvalidArgument) as err:
        validate_consent(consent(purpose=0, text_version="Samtykke 2026", source=0, given_by=0), False)
    assert [v.field for v in err.value.violations] == [
        "consent.purpose", "consent.text_version", "consent.source", "consent.given_by"]
    with pytest.raises(InvalidArgument) as err:
        validate_consent(consent(given_by=ConsentGiver.GUARDIAN, guardian_name="Fatima\u202e"), False)
    assert [v.field for v in err.value.violations] == ["consent.guardian_name"]


def test_a_guardian_is_someone_else_and_an_adult():
    with pytest.raises(FailedPrecondition) as err:
        check_guardian("p-1", "p-1", 1984, DAY, 16)
    assert err.value.reason == "GUARDIAN_IS_THE_PERSON"
    with pytest.raises(FailedPrecondition) as err:
        check_guardian("p-1", "p-2", 2012, DAY, 16)
    assert err.value.reason == "GUARDIAN_IS_A_CHILD"
    check_guardian("p-1", "p-2", 1984, DAY, 16)


@pytest.mark.parametrize(("value", "problem"), [("2026-3-1", "like"), ("20260301", "like"), ("2026-02-30", "like"),
                                                ("2026-03-02", "future"), ("1999-12-31", "2000")])
def test_dates_are_iso_not_in_the_future_and_not_ancient(value, problem):
    v = Violations()
    assert parse_day(value, "consent.given_date", DAY, v) is None
    assert v.items[0].field == "consent.given_date" and problem in v.items[0].description


def test_an_empty_date_is_today():
    assert parse_day("", "consent.given_date", DAY, Violations()) == DAY
    assert parse_day(" 2026-01-15 ", "consent.given_date", DAY, Violations()) == dt.date(2026, 1, 15)


def test_a_consent_is_withdrawn_once_and_not_before_it_was_given():
    c = consent()
    with pytest.raises(FailedPrecondition) as err:
        c.withdraw(dt.date(2026, 2, 1), ConsentSource.VERBAL, "coordinator-mir", AT)
    assert err.value.reason == "WITHDRAWAL_BEFORE_CONSENT" and c.in_force
    c.withdraw(DAY, ConsentSource.VERBAL, "coordinator-mir", AT)
    assert (c.state, c.withdraw_date, c.withdraw_source, c.withdrawn_recorded_by) == (
        ConsentState.WITHDRAWN, DAY, ConsentSource.VERBAL, "coordinator-mir")
    with pytest.raises(FailedPrecondition) as err:
        c.withdraw(DAY, ConsentSource.WEB, "coordinator-2", AT)
    assert err.value.reason == "CONSENT_ALREADY_WITHDRAWN" and c.withdrawn_recorded_by == "coordinator-mir"


def test_history_given_withdrawn_given_again_has_one_in_force():
    first = consent(id="c-1")
    first.withdraw(DAY, ConsentSource.PAPER_FORM, "coordinator-mir", AT)
    check_none_in_force(first, "organizations/mir/persons/p-1/consents/c-1")
    again = consent(id="c-2", text_version="samtykke-2026-02")
    history = [again, first]
    assert in_force(history, ConsentPurpose.PHOTOS) is again
    assert in_force(history, ConsentPurpose.STATISTICS) is None
    with pytest.raises(FailedPrecondition) as err:
        check_none_in_force(again, "organizations/mir/persons/p-1/consents/c-2")
    assert err.value.reason == "CONSENT_ALREADY_IN_FORCE"
    assert err.value.metadata == {"consent": "organizations/mir/persons/p-1/consents/c-2"}
