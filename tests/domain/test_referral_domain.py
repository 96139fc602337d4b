"""The referral rules with no I/O: the closed-loop state machine and what may travel."""
from __future__ import annotations

import itertools

import pytest

from brobygger.referral.v1 import referral_pb2 as pb
from services.common.errors import FailedPrecondition, InvalidArgument
from services.referral.domain.model import (
    ACCEPTED, CANCELLED, COMPLETED, FAILED, IN_PROGRESS, INCOMING, ON_HOLD, OUTGOING, REJECTED, REQUESTED,
    TERMINAL, TRANSITIONS, Referral, SharedContact, validate_change, validate_new_referral, validate_received,
    validate_reported_state,
)

ALL_STATES = [s for s in pb.ReferralState.values() if s != pb.REFERRAL_STATE_UNSPECIFIED]


def partner_referral(**overrides) -> Referral:
    fields = dict(id="r1", direction=OUTGOING, partner_kind=pb.PARTNER_KIND_SCHOOL,
                  reason_category=pb.REASON_CATEGORY_SCHOOL_HOME, person="organizations/mir/persons/p1",
                  partner_name="Linderud skole")
    fields.update(overrides)
    return Referral(**fields)


def cross_node(**overrides) -> Referral:
    fields = dict(id="r2", direction=OUTGOING, partner_kind=pb.PARTNER_KIND_FEDERATION_NODE,
                  reason_category=pb.REASON_CATEGORY_LEGAL_AID, person="organizations/mir/persons/p1",
                  target_organization="mira", consent_given=True,
                  shared_contact=SharedContact("Amina", "+47 912 34 567", "ur"))
    fields.update(overrides)
    return Referral(**fields)


def violations(exc: InvalidArgument) -> set[str]:
    return {v.field for v in exc.violations}


# ---------------------------------------------------------------------------- state machine


def test_the_transition_table_is_the_fhir_task_subset():
    assert TRANSITIONS[REQUESTED] == {ACCEPTED, REJECTED, CANCELLED}
    assert TRANSITIONS[ACCEPTED] == {IN_PROGRESS, COMPLETED, FAILED, CANCELLED, ON_HOLD}
    assert TRANSITIONS[IN_PROGRESS] == {COMPLETED, FAILED, ON_HOLD}
    assert TRANSITIONS[ON_HOLD] == {IN_PROGRESS, CANCELLED}
    assert TERMINAL == {REJECTED, CANCELLED, COMPLETED, FAILED}
    assert set(TRANSITIONS) == set(ALL_STATES)


@pytest.mark.parametrize("current,to", list(itertools.product(ALL_STATES, ALL_STATES)))
def test_every_pair_of_states_is_allowed_or_refused_as_the_table_says(current, to):
    r = partner_referral(state=current)
    if to in TRANSITIONS[current]:
        r.change_state(to)
        assert r.state == to
    else:
        with pytest.raises(FailedPrecondition) as err:
            r.change_state(to)
        assert err.value.reason == "INVALID_STATE_TRANSITION"
        assert r.state == current


def test_an_illegal_transition_names_the_current_state_and_what_is_allowed():
    with pytest.raises(FailedPrecondition) as err:
        partner_referral().change_state(COMPLETED)
    msg = err.value.message
    assert "REQUESTED" in msg and "COMPLETED" in msg
    assert "ACCEPTED, REJECTED or CANCELLED" in msg
    assert err.value.metadata == {"current_state": "REQUESTED", "requested_state": "COMPLETED",
                                  "allowed_states": "ACCEPTED,REJECTED,CANCELLED"}
    with pytest.raises(FailedPrecondition) as err:
        partner_referral(state=COMPLETED).change_state(FAILED)
    assert "final" in err.value.message


def test_a_lifecycle_records_outcome_and_who_declined():
    r = partner_referral()
    r.change_state(ACCEPTED)
    r.change_state(ON_HOLD)
    r.change_state(IN_PROGRESS)
    r.change_state(COMPLETED, outcome="place_found")
    assert (r.state, r.outcome) == (COMPLETED, "place_found")
    declined = partner_referral()
    declined.change_state(REJECTED, declined_by="person", outcome="not_wanted")
    assert (declined.declined_by, declined.outcome) == ("person", "not_wanted")


def test_a_reported_update_is_idempotent_but_still_checked():
    r = cross_node()
    assert r.apply_remote_update(ACCEPTED) is True
    assert r.apply_remote_update(ACCEPTED) is False  # the same report again
    assert r.apply_remote_update(COMPLETED, outcome="legal_aid_given") is True
    with pytest.raises(FailedPrecondition):
        r.apply_remote_update(ACCEPTED)


def test_who_manages_the_state_and_who_hears_about_it():
    out = cross_node()
    assert out.managed_remotely and out.reports_back_to == ""
    incoming = cross_node(direction=INCOMING, source_organization="mir", person="", target_organization="")
    assert not incoming.managed_remotely and incoming.reports_back_to == "mir"
    assert not partner_referral().managed_remotely and partner_referral().reports_back_to == ""


# ---------------------------------------------------------------------------- validation


def test_valid_referrals_pass():
    validate_new_referral(partner_referral(), "mir")
    validate_new_referral(cross_node(), "mir")
    validate_new_referral(cross_node(shared_contact=SharedContact("Amina")), "mir")
    # A case the police refer to the node: incoming, the person may not be registered yet.
    validate_new_referral(partner_referral(direction=INCOMING, person="", partner_kind=pb.PARTNER_KIND_POLICE,
                                           partner_name="Oslo politidistrikt",
                                           reason_category=pb.REASON_CATEGORY_MEDIATION), "mkr")


def test_missing_categories_and_partner_are_named():
    with pytest.raises(InvalidArgument) as err:
        validate_new_referral(partner_referral(partner_kind=0, reason_category=0, partner_name=" ", person=""), "mir")
    assert err.value.reason == "INVALID_FIELDS"
    assert violations(err.value) == {"referral.partner_kind", "referral.reason_category", "referral.partner_name",
                                     "referral.person"}


def test_partner_name_and_person_are_checked():
    with pytest.raises(InvalidArgument) as err:
        validate_new_referral(partner_referral(partner_name="x" * 201, person="organizations/mira/persons/p1"), "mir")
    assert violations(err.value) == {"referral.partner_name", "referral.person"}
    with pytest.raises(InvalidArgument) as err:
        validate_new_referral(partner_referral(person="persons/p1"), "mir")
    assert violations(err.value) == {"referral.person"}


def test_nothing_leaves_the_node_for_an_external_partner():
    with pytest.raises(InvalidArgument) as err:
        validate_new_referral(partner_referral(shared_contact=SharedContact(phone="91234567"),
                                               target_organization="mira"), "mir")
    assert violations(err.value) == {"referral.shared_contact", "referral.target_organization"}


def test_a_cross_node_referral_needs_consent():
    with pytest.raises(InvalidArgument) as err:
        validate_new_referral(cross_node(consent_given=False), "mir")
    assert err.value.reason == "CONSENT_REQUIRED"
    assert violations(err.value) == {"referral.consent_given"}


def test_a_cross_node_referral_needs_another_known_style_target():
    for target, expected in (("", "required"), ("mir", "another organisation"), ("MiRA!", "organisation id")):
        with pytest.raises(InvalidArgument) as err:
            validate_new_referral(cross_node(target_organization=target), "mir")
        assert [(v.field, expected in v.description) for v in err.value.violations] == [
            ("referral.target_organization", True)]
    with pytest.raises(InvalidArgument) as err:
        validate_new_referral(cross_node(direction=INCOMING), "mir")
    assert violations(err.value) == {"referral.direction"}


def test_the_shared_contact_is_limited_and_checked():
    with pytest.raises(InvalidArgument) as err:
        validate_new_referral(cross_node(shared_contact=SharedContact("", "12345", "Urdu please")), "mir")
    assert violations(err.value) == {"referral.shared_contact.given_name", "referral.shared_contact.phone",
                                     "referral.shared_contact.preferred_language"}
    for phone in ("+47 912 34 567", "91234567", "0047 22 33 44 55", "22334455"):
        validate_new_referral(cross_node(shared_contact=SharedContact("Amina", phone)), "mir")
    for phone in ("+46 70 123 45 67", "1234567", "912345678", "+47 012 34 567"):
        with pytest.raises(InvalidArgument):
            validate_new_referral(cross_node(shared_contact=SharedContact("Amina", phone)), "mir")
    with pytest.raises(InvalidArgument) as err:
        validate_new_referral(cross_node(shared_contact=SharedContact("A" * 101)), "mir")
    assert violations(err.value) == {"referral.shared_contact.given_name"}


def test_received_referrals_are_checked_like_created_ones():
    validate_received("mir", "mira", pb.PARTNER_KIND_FEDERATION_NODE, pb.REASON_CATEGORY_LEGAL_AID,
                      SharedContact("Amina"), True)
    with pytest.raises(InvalidArgument) as err:
        validate_received("mir", "mira", pb.PARTNER_KIND_SCHOOL, 0, SharedContact(phone="x"), False)
    assert err.value.reason == "CONSENT_REQUIRED"
    assert violations(err.value) == {"partner_kind", "reason_category", "consent_given",
                                     "shared_contact.given_name", "shared_contact.phone"}
    with pytest.raises(InvalidArgument) as err:
        validate_received("mira", "mira", 0, pb.REASON_CATEGORY_LEGAL_AID, SharedContact("Amina"), True)
    assert violations(err.value) == {"source_referral"}


@pytest.mark.parametrize("outcome", ["legal_aid_given", "no_capacity", "moved-away", "a" * 60])
def test_outcome_codes_pass(outcome):
    validate_change(COMPLETED, outcome, "")


@pytest.mark.parametrize("outcome", ["Amina got help", "a" * 61, "Nei", "ok."])
def test_an_outcome_is_never_free_text(outcome):
    with pytest.raises(InvalidArgument) as err:
        validate_change(COMPLETED, outcome, "")
    assert violations(err.value) == {"outcome"}


def test_declined_by_is_provider_or_person_and_only_on_rejection():
    validate_change(REJECTED, "no_capacity", "provider")
    validate_change(REJECTED, "", "person")
    for declined_by in ("", "partner"):
        with pytest.raises(InvalidArgument) as err:
            validate_change(REJECTED, "", declined_by)
        assert violations(err.value) == {"declined_by"}
    with pytest.raises(InvalidArgument):
        validate_change(COMPLETED, "", "person")


def test_a_reported_state_is_a_real_change():
    validate_reported_state(ACCEPTED)
    for state in (0, REQUESTED, 99):
        with pytest.raises(InvalidArgument):
            validate_reported_state(state)

