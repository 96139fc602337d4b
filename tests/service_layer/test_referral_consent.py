"""A referral that shares a person's contact with another node needs their consent for referral sharing in
force, asked of membership when the referral is made and again at the hand-over; any doubt shares nothing."""
from __future__ import annotations

import pytest

from services.common.errors import FailedPrecondition, Unavailable
from services.referral.domain.model import ReferralState as S
from services.referral.service_layer.delivery import Deliverer
from tests.service_layer.test_referral import (  # noqa: F401
    FakeConsents, create, deliveries, directory, peers, state_facts, store, to_node, to_school, uow,
)

P1 = "organizations/mir/persons/p1"


def test_a_referral_to_another_node_is_refused_without_consent_and_nothing_is_stored(uow, store, directory):
    consents = FakeConsents(consenting=())
    with pytest.raises(FailedPrecondition) as err:
        create(uow, directory, to_node(), consents=consents)
    assert err.value.reason == "REFERRAL_SHARING_CONSENT_MISSING"
    assert [v.field for v in err.value.violations] == ["referral.person"]
    assert "CONSENT_PURPOSE_REFERRAL_SHARING" in err.value.message
    assert store.state.table("referrals") == {} and deliveries(store) == [] and store.state.facts == []
    assert consents.asked == [(P1, "referral to mira", "coordinator-mir")]


def test_it_fails_closed_when_membership_cannot_be_asked(uow, store, directory):
    consents = FakeConsents()
    consents.down = True
    with pytest.raises(Unavailable) as err:
        create(uow, directory, to_node(), consents=consents)
    assert err.value.reason == "CONSENT_CHECK_UNAVAILABLE"
    assert store.state.table("referrals") == {}


def test_with_consent_it_is_made_and_a_retry_answers_without_asking_again(uow, store, directory):
    consents = FakeConsents()
    r = create(uow, directory, to_node(), request_id="r-1", consents=consents)
    consents.consenting.clear()
    assert create(uow, directory, to_node(), request_id="r-1", consents=consents) == r
    assert len(consents.asked) == 1


def test_a_referral_to_a_partner_outside_the_federation_shares_nothing_and_asks_nothing(uow, directory):
    consents = FakeConsents(consenting=())
    assert create(uow, directory, to_school(), consents=consents).state == S.REQUESTED
    assert consents.asked == []


def test_a_consent_withdrawn_before_the_hand_over_cancels_it_and_drops_the_contact(uow, store, directory, peers):
    consents = FakeConsents()
    r = create(uow, directory, to_node(), consents=consents)
    consents.consenting.clear()  # withdrawn in membership after the referral was made
    deliverer = Deliverer(uow, directory, peers, consents=consents)
    assert deliverer.run_once() == 0 and peers.calls == []
    [row] = deliveries(store)
    assert (row.state, row.last_error) == ("refused", "REFERRAL_SHARING_CONSENT_MISSING")
    held = store.state.table("referrals")[r.id]
    assert (held.state, held.outcome, held.delivery_state) == (S.CANCELLED, "consent_withdrawn", "refused")
    assert [f.state for f in state_facts(store)] == [S.REQUESTED, S.CANCELLED]
    assert consents.asked[-1] == (P1, "hand-over of a referral to mira", "")
    assert deliverer.run_once() == 0 and peers.calls == []  # never tried again


def test_a_hand_over_waits_while_membership_cannot_be_asked(uow, store, directory, peers):
    consents = FakeConsents()
    r = create(uow, directory, to_node(), consents=consents)
    consents.down = True
    deliverer = Deliverer(uow, directory, peers, consents=consents, first_backoff=0.0)
    assert deliverer.run_once() == 0 and peers.calls == []
    [row] = deliveries(store)
    assert (row.state, row.last_error) == ("pending", "Unavailable")
    consents.down = False
    assert deliverer.run_once() == 1 and len(peers.calls) == 1
    assert store.state.table("referrals")[r.id].delivery_state == "delivered"


def test_a_deliverer_without_a_way_to_ask_shares_nothing(uow, store, directory, peers):
    create(uow, directory, to_node())
    assert Deliverer(uow, directory, peers).run_once() == 0 and peers.calls == []
    assert deliveries(store)[0].state == "pending"
