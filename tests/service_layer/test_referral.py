"""Referral use cases and the delivery worker on in-memory fakes: every rule, no database, no server, no peer."""
from __future__ import annotations

import dataclasses
import datetime as dt
import threading

import pytest

from brobygger.referral.v1 import referral_facts_pb2 as facts
from services.common.audit import list_entries
from services.common.auth import Principal
from services.common.directory import DirectoryError, Node
from services.common.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from services.common.pagination import memory_page
from services.common.timestamps import utcnow
from services.referral.adapters.peers import PeerError
from services.referral.adapters.repository import DeliveryRepository, ReferralRepository
from services.referral.domain.model import (
    Delivery, Direction, Handover, PartnerKind, ReasonCategory, Referral, ReferralState, SharedContact, StateReport,
)
from services.referral.service_layer import commands, handlers
from services.referral.service_layer.consent import consent_unavailable
from services.referral.service_layer.delivery import Deliverer
from services.referral.service_layer.unit_of_work import ReferralUnitOfWork
from tests.support import without_ids
from tests.fakes import FakeUnitOfWork, State, Store

S = ReferralState


class FakeReferrals(ReferralRepository):
    def __init__(self, rows: dict) -> None:
        self.rows = rows

    def add(self, r):
        self.rows[r.id] = r

    def add_received(self, r):
        existing = [x for x in self.rows.values() if x.source_referral == r.source_referral]
        if existing:
            return existing[0]
        self.add(r)
        return r

    def get(self, referral_id, *, for_update=False):
        return self.rows.get(referral_id)

    def save(self, r):
        self.rows[r.id] = r

    def page(self, state, after, limit, *, direction=0):
        mine = [r for r in self.rows.values()
                if (not state or r.state == state) and (not direction or r.direction == direction)]
        return memory_page(mine, lambda r: (r.create_time, r.id), after, limit, descending=True)


@dataclasses.dataclass
class DeliveryRow:
    delivery: Delivery
    state: str = "pending"
    last_error: str = ""


class FakeDeliveries(DeliveryRepository):
    def __init__(self, rows: dict) -> None:
        self.rows = rows

    def add(self, d):
        new_id = len(self.rows) + 1
        self.rows[new_id] = DeliveryRow(dataclasses.replace(d, id=new_id, next_attempt_at=utcnow()))

    def pending(self, limit):
        return [row.delivery for _, row in sorted(self.rows.items()) if row.state == "pending"][:limit]

    def delivered(self, delivery_id, at):
        row = self.rows[delivery_id]
        row.state, row.last_error = "delivered", ""
        row.delivery = dataclasses.replace(row.delivery, attempts=row.delivery.attempts + 1)

    def refused(self, delivery_id, error):
        row = self.rows[delivery_id]
        row.state, row.last_error = "refused", error

    def failed(self, delivery_id, error, retry_at):
        row = self.rows[delivery_id]
        row.last_error = error
        row.delivery = dataclasses.replace(row.delivery, attempts=row.delivery.attempts + 1, next_attempt_at=retry_at)


class FakeReferralUnitOfWork(FakeUnitOfWork, ReferralUnitOfWork):
    def open(self, state: State) -> None:
        self.referrals = FakeReferrals(state.table("referrals"))
        self.deliveries = FakeDeliveries(state.table("deliveries"))


class FakeDirectory:
    def __init__(self, nodes: dict[str, Node] | None = None, *, broken: bool = False) -> None:
        self.nodes = nodes if nodes is not None else {
            "mir": Node("mir", "MiR", referral="mir:1"), "mira": Node("mira", "MiRA-Senteret", referral="mira:1"),
            "mkr": Node("mkr", "Minhaj Konfliktråd", referral="mkr:1"), "hub": Node("hub", "Hub")}
        self.broken = broken

    def _check(self):
        if self.broken:
            raise DirectoryError(["federation.json: not valid JSON"])

    def get(self, org):
        self._check()
        return self.nodes.get(org)

    def referral_targets(self):
        self._check()
        return {org: n for org, n in self.nodes.items() if n.referral}


class FakeConsents:
    """Membership's answer on referral sharing: yes for the people in `consenting`; Unavailable when down."""

    def __init__(self, consenting=("organizations/mir/persons/p1",)) -> None:
        self.consenting = set(consenting)
        self.down = False
        self.asked: list[tuple[str, str, str]] = []

    def sharing_in_force(self, person, *, reason, on_behalf_of=""):
        self.asked.append((person, reason, on_behalf_of))
        if self.down:
            raise consent_unavailable()
        return person in self.consenting


class FakePeers:
    def __init__(self) -> None:
        self.calls: list[tuple[str, Delivery]] = []
        self.failing: dict[str, str] = {}  # address -> PeerError code
        self.closed = False

    def deliver(self, address, delivery):
        self.calls.append((address, delivery))
        if address in self.failing:
            raise PeerError(self.failing[address])
        return f"organizations/{delivery.target_organization}/referrals/remote{len(self.calls)}" \
            if isinstance(delivery.call, Handover) else ""

    def close(self):
        self.closed = True


COORDINATOR = Principal(subject="u-1", username="coordinator-mir", client_id="brobygger-web",
                        orgs=frozenset({"mir"}), roles=frozenset({"coordinator"}))
OTHER = dataclasses.replace(COORDINATOR, subject="u-2", username="coordinator-2")
CONTACT = SharedContact("Amina", "+47 912 34 567", "ur")


@pytest.fixture
def store():
    return Store()


@pytest.fixture
def uow(store):
    return lambda: FakeReferralUnitOfWork(store)


@pytest.fixture
def directory():
    return FakeDirectory()


def to_school(**overrides) -> Referral:
    fields = dict(id="", direction=0, partner_kind=PartnerKind.SCHOOL, reason_category=ReasonCategory.SCHOOL_HOME,
                  person="organizations/mir/persons/p1", partner_name="Linderud skole")
    fields.update(overrides)
    return Referral(**fields)


def to_node(target="mira", **overrides) -> Referral:
    fields = dict(id="", direction=0, partner_kind=PartnerKind.FEDERATION_NODE,
                  reason_category=ReasonCategory.LEGAL_AID, person="organizations/mir/persons/p1",
                  target_organization=target, consent_given=True, shared_contact=CONTACT)
    fields.update(overrides)
    return Referral(**fields)


def create(uow, directory, referral=None, request_id="", actor=COORDINATOR, consents=None) -> Referral:
    return handlers.create_referral(commands.CreateReferral("mir", referral or to_school(), actor, request_id), uow(),
                                    directory, consents if consents is not None else FakeConsents())


def state_facts(store) -> list[facts.ReferralStateChanged]:
    assert all(f.type == "no.brobygger.referral.referral_state_changed.v1" for f in store.state.facts)
    return [f.message for f in store.state.facts]


def deliveries(store) -> list[DeliveryRow]:
    return [row for _, row in sorted(store.state.table("deliveries").items())]


def name(r: Referral, org="mir") -> str:
    return f"organizations/{org}/referrals/{r.id}"


# ---------------------------------------------------------------------------- CreateReferral


def test_a_partner_referral_is_requested_outgoing_and_counted_without_personal_data(uow, store, directory):
    r = create(uow, directory, to_school(state=S.COMPLETED, outcome="x", remote_name="y", source_referral="z"))
    assert r.id and (r.state, r.direction, r.delivery_state, r.outcome, r.remote_name, r.source_referral) == (
        S.REQUESTED, Direction.OUTGOING, "", "", "", "")
    assert store.state.table("referrals")[r.id] == r and deliveries(store) == []
    [fact] = store.state.facts
    assert fact.key == r.id
    assert fact.message == facts.ReferralStateChanged(
        referral_id=r.id, direction=Direction.OUTGOING, partner_kind=PartnerKind.SCHOOL,
        reason_category=ReasonCategory.SCHOOL_HOME, state=S.REQUESTED, created_date=r.create_time.date().isoformat(),
        changed_date=r.create_time.date().isoformat())
    assert b"p1" not in fact.message.SerializeToString() and b"Linderud" not in fact.message.SerializeToString()


def test_a_cross_node_referral_owes_the_target_a_handover_with_only_the_consented_contact(uow, store, directory):
    r = create(uow, directory, to_node("mira"))
    assert (r.partner_name, r.delivery_state) == ("MiRA-Senteret", "pending")  # the name from the directory
    [row] = deliveries(store)
    assert row.state == "pending" and row.delivery == Delivery(
        r.id, "mira", Handover(source_referral=name(r), reason_category=ReasonCategory.LEGAL_AID,
                               shared_contact=CONTACT), id=1, next_attempt_at=row.delivery.next_attempt_at)
    [fact] = state_facts(store)
    assert fact.target_organization == "mira"
    for secret in (b"Amina", b"912", b"p1"):
        assert secret not in without_ids(fact.SerializeToString())
    named = create(uow, directory, to_node("mkr", partner_name="Konfliktrådet"))
    assert named.partner_name == "Konfliktrådet"


def test_an_invalid_referral_names_every_field_and_changes_nothing(uow, store, directory):
    with pytest.raises(InvalidArgument) as err:
        create(uow, directory, Referral(id="", direction=0, partner_kind=0, reason_category=0,
                                        shared_contact=SharedContact(phone="+47 912 34 567")))
    assert err.value.reason == "INVALID_FIELDS"
    assert {v.field for v in err.value.violations} == {
        "referral.partner_kind", "referral.reason_category", "referral.partner_name", "referral.person",
        "referral.shared_contact"}
    assert store.commits == 0


def test_a_cross_node_referral_needs_consent(uow, store, directory):
    with pytest.raises(InvalidArgument) as err:
        create(uow, directory, to_node(consent_given=False))
    assert err.value.reason == "CONSENT_REQUIRED"
    assert [v.field for v in err.value.violations] == ["referral.consent_given"]
    assert store.commits == 0


@pytest.mark.parametrize("target", ["bydel", "hub"])  # not listed, or listed without a referral service
def test_a_cross_node_referral_needs_a_node_that_takes_referrals(uow, store, directory, target):
    with pytest.raises(InvalidArgument) as err:
        create(uow, directory, to_node(target))
    assert err.value.reason == "UNKNOWN_ORGANIZATION"
    assert [(v.field, v.description) for v in err.value.violations] == [
        ("referral.target_organization", "must be one of: mira, mkr")]
    assert store.commits == 0


def test_a_referral_to_this_node_itself_is_refused(uow, directory):
    with pytest.raises(InvalidArgument) as err:
        create(uow, directory, to_node("mir"))
    assert [v.field for v in err.value.violations] == ["referral.target_organization"]


def test_without_a_usable_directory_only_cross_node_referrals_fail(uow, store):
    broken = FakeDirectory(broken=True)
    with pytest.raises(FailedPrecondition) as err:
        create(uow, broken, to_node())
    assert err.value.reason == "FEDERATION_DIRECTORY_UNAVAILABLE" and "federation.json" not in err.value.message
    assert create(uow, broken).state == S.REQUESTED


def test_a_repeated_request_id_creates_once_and_answers_the_referral_as_it_is_now(uow, store, directory):
    first = create(uow, directory, to_node(), request_id="r-1")
    again = create(uow, directory, to_node("mkr"), request_id="r-1")
    assert again == first
    assert len(store.state.table("referrals")) == 1 and len(store.state.facts) == 1 and len(deliveries(store)) == 1
    assert store.state.requests == {"CreateReferral:u-1:r-1": first.id}
    theirs = create(uow, directory, to_school(), request_id="r-1", actor=OTHER)
    assert theirs.id != first.id


def test_a_too_long_request_id_is_refused(uow, directory):
    with pytest.raises(InvalidArgument) as err:
        create(uow, directory, request_id="x" * 101)
    assert err.value.reason == "INVALID_REQUEST_ID"


# ---------------------------------------------------------------------------- GetReferral, ListReferrals


def test_a_read_is_audited_with_who_and_why(uow, store, directory):
    r = create(uow, directory, to_node())
    got = handlers.get_referral(commands.GetReferral(r.id, name(r), COORDINATOR, "follow-up"), uow())
    assert got == r and got.shared_contact == CONTACT
    assert [(a.actor, a.action, a.resource, a.purpose) for a in store.state.audit] == [
        ("coordinator-mir", "referral.read", name(r), "follow-up")]


def test_an_unknown_referral_is_not_found_and_nothing_is_audited(uow, store):
    with pytest.raises(NotFound) as err:
        handlers.get_referral(commands.GetReferral("nosuch", "organizations/mir/referrals/nosuch", COORDINATOR,
                                                   "follow-up"), uow())
    assert err.value.reason == "REFERRAL_NOT_FOUND" and store.state.audit == []


def listing(uow, **kw):
    kw = {"parent": "organizations/mir", "actor": COORDINATOR, "purpose": "weekly case review", **kw}
    return handlers.list_referrals(commands.ListReferrals(**kw), uow())


@pytest.mark.parametrize("purpose, reason", [("", "PURPOSE_REQUIRED"), (" \t ", "PURPOSE_REQUIRED"),
                                             ("x" * 201, "INVALID_PURPOSE"), ("a\x00b", "INVALID_PURPOSE")])
def test_reads_and_listings_of_referrals_need_a_purpose(uow, store, directory, purpose, reason):
    r = create(uow, directory, to_node())
    for read in (lambda: handlers.get_referral(commands.GetReferral(r.id, name(r), COORDINATOR, purpose), uow()),
                 lambda: listing(uow, purpose=purpose)):
        with pytest.raises(InvalidArgument) as err:
            read()
        assert err.value.reason == reason and [v.field for v in err.value.violations] == ["purpose"]
        assert "purpose" in err.value.message
    assert store.state.audit == []


def test_each_listing_of_referrals_is_audited_once_with_its_parent_and_purpose(uow, store, directory):
    for _ in range(3):
        create(uow, directory)
    items, token = listing(uow, page_size=2)
    listing(uow, page_size=2, page_token=token, purpose="  next page  ")
    assert len(items) == 2
    assert [(a.actor, a.action, a.resource, a.purpose) for a in store.state.audit] == [
        ("coordinator-mir", "referral.list", "organizations/mir", "weekly case review"),
        ("coordinator-mir", "referral.list", "organizations/mir", "next page")]


def test_coordinators_read_the_referral_audit_log_and_the_read_is_audited(uow, store, directory):
    r = create(uow, directory, to_node())
    handlers.get_referral(commands.GetReferral(r.id, name(r), COORDINATOR, "follow-up"), uow())
    listing(uow)
    cmd = commands.ListAuditEntries("organizations/mir", resource=name(r), actor=COORDINATOR)
    entries, token = list_entries(cmd, uow())
    assert token == "" and [(e.actor, e.action, e.purpose) for e in entries] == [
        ("coordinator-mir", "referral.read", "follow-up")]
    assert [(a.action, a.purpose) for a in store.state.audit][-1] == ("audit.list", "audit review")


def test_referrals_are_listed_newest_first_in_pages(uow, directory):
    ids = [create(uow, directory).id for _ in range(5)]
    seen, token = [], ""
    while True:
        items, token = listing(uow, page_size=2, page_token=token)
        assert len(items) <= 2
        seen += [r.id for r in items]
        if not token:
            break
    assert seen == list(reversed(ids))


def test_the_inbox_and_the_outbox_are_listed_apart_and_a_token_keeps_its_direction(uow, directory):
    sent = [create(uow, directory).id for _ in range(3)]
    received = create(uow, directory, to_school(direction=Direction.INCOMING, person="")).id
    items, token = listing(uow, direction=Direction.OUTGOING, page_size=2)
    rest, last = listing(uow, direction=Direction.OUTGOING, page_size=2, page_token=token)
    assert [r.id for r in items + rest] == list(reversed(sent)) and last == ""
    assert [r.id for r in listing(uow, direction=Direction.INCOMING)[0]] == [received]
    assert len(listing(uow)[0]) == 4
    with pytest.raises(InvalidArgument) as err:
        listing(uow, direction=Direction.INCOMING, page_token=token)
    assert err.value.reason == "INVALID_PAGE_TOKEN"
    with pytest.raises(InvalidArgument) as err:
        listing(uow, direction=9)
    assert [v.field for v in err.value.violations] == ["direction"]


def test_the_state_filter_is_part_of_the_page_token(uow, directory):
    first = create(uow, directory)
    handlers.accept_referral(commands.AcceptReferral(first.id, name(first), COORDINATOR), uow())
    create(uow, directory)
    assert [r.id for r in listing(uow, state=S.ACCEPTED)[0]] == [first.id]
    _, token = listing(uow, page_size=1)
    with pytest.raises(InvalidArgument) as err:
        listing(uow, page_size=1, page_token=token, state=S.ACCEPTED)
    assert err.value.reason == "INVALID_PAGE_TOKEN"
    assert listing(uow, page_size=1, page_token=token)[0]


@pytest.mark.parametrize("kw,reason", [
    (dict(page_token="garbage!"), "INVALID_PAGE_TOKEN"), (dict(page_token="e30"), "INVALID_PAGE_TOKEN"),
    (dict(page_size=-1), "INVALID_PAGE_SIZE"), (dict(state=99), "INVALID_FIELDS")])
def test_bad_listing_requests_are_refused(uow, kw, reason):
    with pytest.raises(InvalidArgument) as err:
        listing(uow, **kw)
    assert err.value.reason == reason


# ---------------------------------------------------------------------------- Accept, Reject, Complete


def accept(uow, r, request_id=""):
    return handlers.accept_referral(commands.AcceptReferral(r.id, name(r), COORDINATOR, request_id), uow())


def reject(uow, r, declined_by="provider", outcome="no_capacity"):
    return handlers.reject_referral(commands.RejectReferral(r.id, name(r), declined_by, outcome, COORDINATOR), uow())


def complete(uow, r, outcome=""):
    return handlers.complete_referral(commands.CompleteReferral(r.id, name(r), outcome, COORDINATOR), uow())


def test_a_partner_referral_is_accepted_and_completed_with_one_fact_per_change(uow, store, directory):
    r = create(uow, directory)
    assert accept(uow, r).state == S.ACCEPTED
    done = complete(uow, r, "place_found")
    assert (done.state, done.outcome) == (S.COMPLETED, "place_found")
    assert store.state.table("referrals")[r.id] == done
    assert [f.state for f in state_facts(store)] == [S.REQUESTED, S.ACCEPTED, S.COMPLETED]
    assert all(f.key == r.id for f in store.state.facts) and deliveries(store) == []
    assert b"place_found" not in b"".join(f.SerializeToString() for f in state_facts(store))


def test_a_rejection_records_who_declined(uow, directory):
    r = reject(uow, create(uow, directory), "person", "not_wanted")
    assert (r.state, r.declined_by, r.outcome) == (S.REJECTED, "person", "not_wanted")


def test_an_illegal_transition_is_refused_and_stages_nothing(uow, store, directory):
    r = create(uow, directory)
    with pytest.raises(FailedPrecondition) as err:
        complete(uow, r)
    assert err.value.reason == "INVALID_STATE_TRANSITION" and err.value.metadata["current_state"] == "REQUESTED"
    reject(uow, r)
    with pytest.raises(FailedPrecondition) as err:
        accept(uow, r)
    assert "final" in err.value.message
    assert [f.state for f in state_facts(store)] == [S.REQUESTED, S.REJECTED]


def test_a_change_is_checked_before_anything_is_read(uow, store, directory):
    r = create(uow, directory)
    with pytest.raises(InvalidArgument) as err:
        reject(uow, r, declined_by="", outcome="No room!")
    assert {v.field for v in err.value.violations} == {"declined_by", "outcome"}
    with pytest.raises(NotFound) as err:
        accept(uow, dataclasses.replace(r, id="nosuch"))
    assert err.value.reason == "REFERRAL_NOT_FOUND"


def test_a_repeated_change_request_changes_once(uow, store, directory):
    r = create(uow, directory)
    first = accept(uow, r, request_id="a-1")
    assert accept(uow, r, request_id="a-1") == first
    assert [f.state for f in state_facts(store)] == [S.REQUESTED, S.ACCEPTED]


def test_a_referral_sent_to_another_node_changes_only_there(uow, store, directory):
    r = create(uow, directory, to_node())
    with pytest.raises(FailedPrecondition) as err:
        accept(uow, r)
    assert (err.value.reason, err.value.metadata) == ("STATE_OWNED_BY_TARGET_NODE", {"target_organization": "mira"})
    assert len(store.state.facts) == 1


# ---------------------------------------------------------------------------- ReceiveReferral, ReceiveReferralUpdate

NODE_MIR = frozenset({"mir"})


def receive(uow, directory, source="organizations/mir/referrals/abc123", caller=NODE_MIR, **overrides):
    fields = dict(org="mira", source_referral=source, source_organization=source.split("/")[1],
                  partner_kind=PartnerKind.FEDERATION_NODE, reason_category=ReasonCategory.LEGAL_AID,
                  shared_contact=CONTACT, consent_given=True, caller_orgs=caller)
    fields.update(overrides)
    return handlers.receive_referral(commands.ReceiveReferral(**fields), uow(), directory)


def test_a_handed_over_referral_arrives_incoming_with_its_contact_and_a_redelivery_returns_it(uow, store, directory):
    got = receive(uow, directory)
    assert (got.direction, got.partner_kind, got.state, got.source_organization, got.partner_name, got.person) == (
        Direction.INCOMING, PartnerKind.FEDERATION_NODE, S.REQUESTED, "mir", "MiR", "")
    assert got.shared_contact == CONTACT and got.consent_given
    assert receive(uow, directory) == got
    assert len(store.state.table("referrals")) == 1 and len(store.state.facts) == 1
    [fact] = state_facts(store)
    assert (fact.direction, fact.target_organization) == (Direction.INCOMING, "")


def test_the_sender_is_named_by_its_org_when_the_directory_does_not_know_it(uow):
    assert receive(uow, FakeDirectory({})).partner_name == "mir"
    assert receive(uow, FakeDirectory(broken=True), source="organizations/mir/referrals/x2").partner_name == "mir"


@pytest.mark.parametrize("source,caller", [
    ("organizations/mir/referrals/abc123", frozenset({"mkr"})),     # another node claiming to be mir
    ("organizations/mir/referrals/abc123", frozenset()),            # no organisation
    ("organizations/mira/referrals/abc123", frozenset({"mira"})),   # a node handing a referral to itself
])
def test_a_node_may_hand_over_only_its_own_referrals(uow, store, directory, source, caller):
    with pytest.raises(PermissionDenied) as err:
        receive(uow, directory, source, caller)
    assert err.value.reason == "SOURCE_MISMATCH" and store.commits == 0


def test_a_handover_without_consent_or_contact_is_refused(uow, store, directory):
    with pytest.raises(InvalidArgument) as err:
        receive(uow, directory, partner_kind=PartnerKind.SCHOOL, reason_category=0,
                shared_contact=SharedContact(phone="x"), consent_given=False)
    assert err.value.reason == "CONSENT_REQUIRED"
    assert {v.field for v in err.value.violations} == {
        "partner_kind", "reason_category", "consent_given", "shared_contact.given_name", "shared_contact.phone"}
    assert store.commits == 0


def test_a_change_to_a_received_referral_is_owed_back_to_its_sender(uow, store, directory):
    got = receive(uow, directory)
    accept(uow, got)
    done = complete(uow, got, "legal_aid_given")
    reports = [row.delivery for row in deliveries(store)]
    assert [(d.target_organization, d.referral_id, d.call) for d in reports] == [
        ("mir", got.id, StateReport("organizations/mir/referrals/abc123", S.ACCEPTED)),
        ("mir", got.id, StateReport("organizations/mir/referrals/abc123", S.COMPLETED, "legal_aid_given"))]
    assert done.state == S.COMPLETED


def report(uow, r, state, caller=frozenset({"mira"}), outcome="", declined_by=""):
    return handlers.receive_referral_update(
        commands.ReceiveReferralUpdate(r.id, name(r), state, outcome, declined_by, caller), uow())


def test_the_target_node_reports_state_back_and_a_repeated_report_changes_nothing(uow, store, directory):
    sent = create(uow, directory, to_node())
    assert report(uow, sent, S.ACCEPTED).state == S.ACCEPTED
    done = report(uow, sent, S.COMPLETED, outcome="legal_aid_given")
    assert (done.state, done.outcome) == (S.COMPLETED, "legal_aid_given")
    refused = create(uow, directory, to_node())
    back = report(uow, refused, S.REJECTED, declined_by="person", outcome="not_wanted")
    assert (back.state, back.declined_by, back.outcome) == (S.REJECTED, "person", "not_wanted")
    assert report(uow, refused, S.REJECTED, declined_by="person", outcome="not_wanted") == back
    assert [(f.referral_id, f.state) for f in state_facts(store)] == [
        (sent.id, S.REQUESTED), (sent.id, S.ACCEPTED), (sent.id, S.COMPLETED), (refused.id, S.REQUESTED),
        (refused.id, S.REJECTED)]
    assert len(deliveries(store)) == 2  # the handovers: nothing is reported back to the target


def test_only_the_node_a_referral_went_to_may_report_on_it(uow, store, directory):
    sent, partner = create(uow, directory, to_node()), create(uow, directory)
    for r, caller in ((sent, frozenset({"mkr"})), (sent, frozenset()), (partner, frozenset({"mira"}))):
        with pytest.raises(PermissionDenied) as err:
            report(uow, r, S.ACCEPTED, caller)
        assert err.value.reason == "SOURCE_MISMATCH"
    assert len(store.state.facts) == 2


def test_a_reported_state_is_checked(uow, directory):
    sent = create(uow, directory, to_node())
    for state in (0, S.REQUESTED, 99):
        with pytest.raises(InvalidArgument):
            report(uow, sent, state)
    with pytest.raises(InvalidArgument):
        report(uow, sent, S.COMPLETED, outcome="Amina got help")
    with pytest.raises(FailedPrecondition):
        report(uow, sent, S.COMPLETED)
    with pytest.raises(NotFound):
        report(uow, dataclasses.replace(sent, id="nosuch"), S.ACCEPTED)


# ---------------------------------------------------------------------------- the delivery worker


@pytest.fixture
def peers():
    return FakePeers()


@pytest.fixture
def deliverer(uow, directory, peers):
    return Deliverer(uow, directory, peers, consents=FakeConsents(), first_backoff=10.0)


def due_now(store):
    """Make every pending delivery due, as if its backoff had passed."""
    for row in deliveries(store):
        row.delivery = dataclasses.replace(row.delivery, next_attempt_at=utcnow() - dt.timedelta(seconds=1))


def test_a_handover_is_delivered_and_the_referral_learns_its_remote_name(uow, store, directory, deliverer, peers):
    r = create(uow, directory, to_node())
    assert deliverer.run_once() == 1
    [(address, delivery)] = peers.calls
    assert address == "mira:1" and delivery.call.source_referral == name(r)
    assert [(row.state, row.delivery.attempts) for row in deliveries(store)] == [("delivered", 1)]
    stored = store.state.table("referrals")[r.id]
    assert (stored.delivery_state, stored.remote_name) == ("delivered", "organizations/mira/referrals/remote1")
    assert deliverer.run_once() == 0 and len(peers.calls) == 1 and deliverer.delivered == 1


def test_a_state_report_is_delivered_to_the_sender(uow, store, directory, deliverer, peers):
    got = receive(uow, directory)
    accept(uow, got)
    assert deliverer.run_once() == 1
    assert [(a, d.call) for a, d in peers.calls] == [
        ("mir:1", StateReport("organizations/mir/referrals/abc123", S.ACCEPTED))]
    assert store.state.table("referrals")[got.id].delivery_state == ""


def test_a_failed_delivery_waits_its_backoff_and_holds_back_that_node_and_that_referral(
        uow, store, directory, deliverer, peers):
    first = create(uow, directory, to_node("mira"))
    create(uow, directory, to_node("mira"))
    other = create(uow, directory, to_node("mkr"))
    peers.failing["mira:1"] = "UNAVAILABLE"
    assert deliverer.run_once() == 1  # mkr's; mira's second is not tried once mira is unreachable
    assert [a for a, _ in peers.calls] == ["mira:1", "mkr:1"]
    rows = deliveries(store)
    assert [(row.state, row.delivery.attempts, row.last_error) for row in rows] == [
        ("pending", 1, "UNAVAILABLE"), ("pending", 0, ""), ("delivered", 1, "")]
    assert rows[0].delivery.next_attempt_at > utcnow() + dt.timedelta(seconds=7)  # 10 s with jitter
    assert store.state.table("referrals")[other.id].delivery_state == "delivered"
    assert deliverer.run_once() == 0  # the first waits its backoff; the second is tried now
    assert [d.referral_id for _, d in peers.calls[2:]] == [rows[1].delivery.referral_id]
    del peers.failing["mira:1"]
    due_now(store)
    assert deliverer.run_once() == 2
    assert store.state.table("referrals")[first.id].remote_name.startswith("organizations/mira/referrals/")


def test_deliveries_of_one_referral_keep_their_order(uow, store, directory, deliverer, peers):
    got = receive(uow, directory)
    accept(uow, got)
    complete(uow, got)
    peers.failing["mir:1"] = "INTERNAL"  # not a transport failure: other nodes are still tried
    assert deliverer.run_once() == 0
    assert len(peers.calls) == 1  # the completion waits for the acceptance
    del peers.failing["mir:1"]
    due_now(store)
    assert deliverer.run_once() == 2
    assert [d.call.state for _, d in peers.calls[1:]] == [S.ACCEPTED, S.COMPLETED]


def test_a_node_without_a_referral_address_or_an_unknown_call_is_retried_later(uow, store, deliverer, peers):
    with uow() as w:
        w.deliveries.add(Delivery("r1", "hub", Handover("organizations/mir/referrals/r1", 3, CONTACT)))
        w.deliveries.add(Delivery("r2", "mira", None))
        w.commit()
    assert deliverer.run_once() == 0 and peers.calls == []
    assert [row.last_error for row in deliveries(store)] == [
        "NO_ADDRESS: no referral endpoint in the federation directory", "UNKNOWN_KIND"]


def test_the_worker_runs_until_stopped_and_closes_its_peer_channels(uow, directory, deliverer, peers):
    create(uow, directory, to_node())
    stop = threading.Event()
    deliverer.idle_sleep = 0
    peers.deliver = lambda address, d: (stop.set(), FakePeers.deliver(peers, address, d))[1]
    deliverer.run(stop)
    assert deliverer.delivered == 1 and peers.closed
