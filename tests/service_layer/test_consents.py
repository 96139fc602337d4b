"""Consent use cases on in-memory fakes: recording (a child by a guardian), withdrawal, history, the check,
the audit log and the facts."""
from __future__ import annotations

import datetime as dt

import pytest

from brobygger.membership.v1 import consent_facts_pb2 as facts
from services.common.errors import FailedPrecondition, InvalidArgument, NotFound
from services.common.timestamps import today
from services.membership.domain.consent import Consent, ConsentGiver, ConsentPurpose, ConsentSource, ConsentState
from services.membership.service_layer import consents as handlers
from tests.service_layer.test_membership import (  # noqa: F401
    COORDINATOR, NODE_SERVICE, ORG, amina, register, store, uow,
)

PHOTOS, STATISTICS, SHARING = ConsentPurpose.PHOTOS, ConsentPurpose.STATISTICS, ConsentPurpose.REFERRAL_SHARING
GIVEN, WITHDRAWN = facts.ConsentChanged.CHANGE_GIVEN, facts.ConsentChanged.CHANGE_WITHDRAWN


def record(uow, person, purpose=PHOTOS, *, given_date="2026-01-10", given_by=ConsentGiver.PERSON, guardian="",
           guardian_name="", source=ConsentSource.PAPER_FORM, request_id="", age=16, text="samtykke-2026-01"):
    c = Consent(id="", person_id=person.id, purpose=purpose, text_version=text, given_date=None, source=source,
                given_by=given_by, guardian_id=guardian, guardian_name=guardian_name)
    return handlers.record_consent(handlers.RecordConsent("mir", c, given_date, COORDINATOR, request_id, age), uow())


def withdraw(uow, c, on="2026-02-01", source=ConsentSource.VERBAL, request_id=""):
    return handlers.withdraw_consent(
        handlers.WithdrawConsent("mir", c.person_id, c.id, on, source, COORDINATOR, request_id), uow())


def listed(uow, person, **kw):
    return handlers.list_consents(handlers.ListConsents("mir", person.id, actor=COORDINATOR,
                                                        purpose="consent review", **kw), uow())


def check(uow, *people, purpose=SHARING, actor=NODE_SERVICE):
    return handlers.check_consents(handlers.CheckConsents("mir", tuple(p.id for p in people), purpose, actor,
                                                          "referral to mira"), uow())


def test_a_consent_is_recorded_with_who_recorded_it_audited_and_published_without_details(uow, store):
    person = register(uow)
    c = record(uow, person, source=ConsentSource.VERBAL)
    assert (c.purpose, c.text_version, c.given_date, c.source, c.given_by, c.recorded_by, c.state) == (
        PHOTOS, "samtykke-2026-01", dt.date(2026, 1, 10), ConsentSource.VERBAL, ConsentGiver.PERSON,
        "coordinator-mir", ConsentState.GIVEN)
    published = [f.message for f in store.state.facts if isinstance(f.message, facts.ConsentChanged)]
    assert published == [facts.ConsentChanged(person_id=person.id, consent_purpose=PHOTOS, change=GIVEN,
                                              changed_date="2026-01-10")]
    audit = [(a.action, a.resource, a.purpose) for a in store.state.audit if a.action.startswith("consent")]
    assert audit == [("consent.record", f"{ORG}/persons/{person.id}/consents/{c.id}", "CONSENT_PURPOSE_PHOTOS")]


def test_a_retry_with_the_same_request_id_records_once(uow, store):
    person = register(uow)
    first = record(uow, person, request_id="r-1")
    assert record(uow, person, request_id="r-1") == first
    assert len(store.state.table("consents")) == 1


def test_a_child_needs_a_guardian_and_a_registered_guardian_is_an_adult(uow, store):
    child = register(uow, amina(given_name="Bilal", birth_year=2014))
    mother = register(uow)
    brother = register(uow, amina(given_name="Omar", birth_year=2012))
    with pytest.raises(FailedPrecondition) as err:
        record(uow, child)
    assert err.value.reason == "GUARDIAN_CONSENT_REQUIRED"
    with pytest.raises(FailedPrecondition) as err:
        record(uow, child, given_by=ConsentGiver.GUARDIAN, guardian=brother.id)
    assert err.value.reason == "GUARDIAN_IS_A_CHILD"
    with pytest.raises(NotFound) as err:
        record(uow, child, given_by=ConsentGiver.GUARDIAN, guardian="nobody")
    assert err.value.violations[0].field == "consent.guardian"
    c = record(uow, child, given_by=ConsentGiver.GUARDIAN, guardian=mother.id)
    assert (c.given_by, c.guardian_id, c.guardian_name) == (ConsentGiver.GUARDIAN, mother.id, "")
    other = record(uow, child, STATISTICS, given_by=ConsentGiver.GUARDIAN, guardian_name=" Yusuf Hussain ")
    assert other.guardian_name == "Yusuf Hussain"
    assert all("Yusuf" not in str(f.message) for f in store.state.facts)


def test_the_age_is_the_organisations(uow):
    person = register(uow, amina(birth_year=2008))
    with pytest.raises(FailedPrecondition):
        record(uow, person, age=18)
    assert record(uow, person, age=16).given_by == ConsentGiver.PERSON


def test_bad_input_names_the_fields_and_nothing_is_stored(uow, store):
    person = register(uow)
    with pytest.raises(InvalidArgument) as err:
        record(uow, person, purpose=0, text="", source=0)
    assert [v.field for v in err.value.violations] == ["consent.purpose", "consent.text_version", "consent.source"]
    tomorrow = (today() + dt.timedelta(days=1)).isoformat()
    with pytest.raises(InvalidArgument) as err:
        record(uow, person, given_date=tomorrow)
    assert [v.field for v in err.value.violations] == ["consent.given_date"]
    with pytest.raises(NotFound):
        record(uow, amina(id="nobody"))
    assert store.state.table("consents") == {}


def test_given_withdrawn_given_again_is_two_consents_of_which_one_is_in_force(uow, store):
    person = register(uow)
    first = record(uow, person)
    with pytest.raises(FailedPrecondition) as err:
        record(uow, person, text="samtykke-2026-02")
    assert err.value.reason == "CONSENT_ALREADY_IN_FORCE"
    out = withdraw(uow, first, request_id="w-1")
    assert (out.state, out.withdraw_date, out.withdraw_source, out.withdrawn_recorded_by) == (
        ConsentState.WITHDRAWN, dt.date(2026, 2, 1), ConsentSource.VERBAL, "coordinator-mir")
    assert withdraw(uow, first, request_id="w-1") == out  # a retry answers the same
    with pytest.raises(FailedPrecondition) as err:
        withdraw(uow, first)
    assert err.value.reason == "CONSENT_ALREADY_WITHDRAWN"
    again = record(uow, person, given_date="2026-03-01", text="samtykke-2026-02")
    page, token = listed(uow, person)
    assert [(c.id, c.state) for c in page] == [(again.id, ConsentState.GIVEN), (first.id, ConsentState.WITHDRAWN)]
    assert token == ""
    changes = [(f.message.change, f.message.changed_date) for f in store.state.facts
               if isinstance(f.message, facts.ConsentChanged)]
    assert changes == [(GIVEN, "2026-01-10"), (WITHDRAWN, "2026-02-01"), (GIVEN, "2026-03-01")]


def test_a_withdrawal_is_checked(uow):
    person = register(uow)
    c = record(uow, person)
    with pytest.raises(InvalidArgument) as err:
        withdraw(uow, c, source=0)
    assert [v.field for v in err.value.violations] == ["source"]
    with pytest.raises(FailedPrecondition) as err:
        withdraw(uow, c, on="2026-01-09")
    assert err.value.reason == "WITHDRAWAL_BEFORE_CONSENT"
    with pytest.raises(NotFound):
        handlers.withdraw_consent(handlers.WithdrawConsent("mir", "someone-else", c.id, "", ConsentSource.WEB,
                                                           COORDINATOR), uow())


def test_listing_pages_and_is_audited_with_its_purpose(uow, store):
    person = register(uow)
    for purpose in (PHOTOS, STATISTICS, SHARING):
        record(uow, person, purpose)
    first, token = listed(uow, person, page_size=2)
    rest, end = listed(uow, person, page_size=2, page_token=token)
    assert [c.purpose for c in first + rest] == [SHARING, STATISTICS, PHOTOS] and end == ""
    assert [(a.action, a.purpose) for a in store.state.audit if a.action == "consent.list"] == [
        ("consent.list", "consent review")] * 2
    with pytest.raises(InvalidArgument) as err:
        handlers.list_consents(handlers.ListConsents("mir", person.id, actor=COORDINATOR), uow())
    assert err.value.reason == "PURPOSE_REQUIRED"


def test_the_check_answers_in_force_only_and_audits_each_person(uow, store):
    yes, withdrawn, never = register(uow), register(uow, amina(given_name="Khadija")), register(uow)
    record(uow, yes, SHARING)
    withdraw(uow, record(uow, withdrawn, SHARING))
    record(uow, never, PHOTOS)
    answers = check(uow, yes, withdrawn, never)
    assert [(a.person_id, a.in_force) for a in answers] == [(yes.id, True), (withdrawn.id, False), (never.id, False)]
    lines = [(a.actor, a.resource, a.purpose) for a in store.state.audit if a.action == "consent.check"]
    assert lines == [("service-account-node-mir", f"{ORG}/persons/{p.id}",
                      "CONSENT_PURPOSE_REFERRAL_SHARING: referral to mira") for p in (yes, withdrawn, never)]
    with pytest.raises(NotFound) as err:
        check(uow, yes, amina(id="nobody"))
    assert [v.field for v in err.value.violations] == ["names[1]"]
    with pytest.raises(InvalidArgument) as err:
        check(uow, yes, purpose=0)
    assert [v.field for v in err.value.violations] == ["consent_purpose"]
