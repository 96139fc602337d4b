"""Renewal and counted members on in-memory fakes: the use cases' rules, no database, no server."""
from __future__ import annotations

import dataclasses

import pytest

from brobygger.membership.v1 import membership_facts_pb2 as facts
from services.common import counting
from services.common.auth import Principal
from services.common.errors import InvalidArgument, NotFound
from services.common.pagination import memory_page
from services.common.timestamps import today
from services.common.vocabulary import Gender, PaymentState
from services.membership.adapters.repository import (
    MembershipYearRepository, PersonRepository, RenewalRepository,
)
from services.membership.domain.model import MembershipYear, Person
from services.membership.domain.renewal import Outcome, Reason
from services.membership.service_layer import commands, renewals
from services.membership.service_layer.unit_of_work import MembershipUnitOfWork
from tests.fakes import FakeUnitOfWork, State, Store

THIS = today().year
PAID, WAIVED, UNPAID = PaymentState.PAID, PaymentState.WAIVED, PaymentState.UNPAID
COORDINATOR = Principal(subject="u-1", username="coordinator-mir", client_id="brobygger-web",
                        orgs=frozenset({"mir"}), roles=frozenset({"coordinator"}))
RULES = counting.MembershipRules(
    source="deploy/nodes/mir/membership-rules.toml",
    fees=counting.FeeSchedule(200, (counting.FeeBand(25, 100),)),
    rules=(counting.CountingRule("imdi", "IMDi", "Paying members", threshold=20),
           counting.CountingRule("frifond", "Frifond", "Under 26", year_offset=-2, payment_states=frozenset({PAID}),
                                 min_fee_nok=50, max_age=25)))


class FakePersons(PersonRepository):
    def __init__(self, rows):
        self.rows = rows

    def add(self, person):
        self.rows[person.id] = person

    def update(self, person):
        self.rows[person.id] = person

    def get(self, person_id):
        return self.rows.get(person_id)

    def get_many(self, person_ids):
        return {i: self.rows[i] for i in person_ids if i in self.rows}

    def page(self, after, limit, *, words=None, chapter=""):
        return memory_page(list(self.rows.values()), lambda p: (p.create_time, p.id), after, limit, descending=True)


class FakeYears(MembershipYearRepository):
    def __init__(self, rows):
        self.rows = rows

    def put(self, year):
        self.rows[(year.person_id, year.year)] = year

    def get(self, person_id, year):
        return self.rows.get((person_id, year))

    def page(self, person_id, after, limit):
        return memory_page([y for (p, _), y in self.rows.items() if p == person_id], lambda y: (y.year,), after, limit)


class FakeRenewals(RenewalRepository):
    def __init__(self, years, rows):
        self.years, self.rows = years, rows

    def years_of(self, years):
        return sorted((y for y in self.years.values() if y.year in years), key=lambda y: (y.year, y.person_id))

    def add(self, renewal):
        self.rows[renewal.id] = renewal

    def get(self, renewal_id):
        return self.rows.get(renewal_id)


class FakeRenewalUnitOfWork(FakeUnitOfWork, MembershipUnitOfWork):
    def open(self, state: State) -> None:
        self.persons = FakePersons(state.table("persons"))
        self.years = FakeYears(state.table("membership_years"))
        self.renewals = FakeRenewals(state.table("membership_years"), state.table("renewals"))
        self.households = None  # not used here


@pytest.fixture
def store():
    return Store()


@pytest.fixture
def uow(store):
    return lambda: FakeRenewalUnitOfWork(store)


def person(store, pid, given, family, born):
    store.state.table("persons")[pid] = Person(pid, given, family, born, Gender.FEMALE)


def year(store, pid, y, state, fee, paid=""):
    store.state.table("membership_years")[(pid, y)] = MembershipYear(pid, y, fee, int(state), paid)


@pytest.fixture
def members(store):
    person(store, "a", "Amina", "Hussain", 1984)
    person(store, "b", "Bilal", "Ahmed", THIS - 20)
    person(store, "c", "Chen", "Zhou", 1990)
    person(store, "d", "Dina", "Berg", 1970)
    year(store, "a", THIS - 1, PAID, 200, f"{THIS - 1}-02-01")
    year(store, "b", THIS - 1, WAIVED, 0)
    year(store, "c", THIS - 1, UNPAID, 200)
    year(store, "d", THIS - 1, PAID, 200)
    year(store, "d", THIS, PAID, 250, f"{THIS}-01-15")  # renewed by hand already


def preview(uow, y=THIS - 1, purpose="yearly renewal"):
    return renewals.preview_renewal(commands.PreviewRenewal("mir", y, COORDINATOR, purpose), uow(), RULES)


def apply(uow, y=THIS - 1, request_id="", purpose="yearly renewal"):
    return renewals.apply_renewal(commands.ApplyRenewal("mir", y, COORDINATOR, purpose, request_id), uow(), RULES)


def test_preview_lists_every_member_with_outcome_fee_and_reason_and_changes_nothing(uow, store, members):
    view = preview(uow)
    got = [(e.person_id, e.outcome, e.reason, e.to_fee_nok) for e in view.plan.entries]
    assert got == [  # by family name
        ("b", Outcome.RENEW, Reason.WAIVED, 100),  # 21 next year: the youth fee of the schedule
        ("d", Outcome.KEEP, Reason.ALREADY_RECORDED, 250),
        ("a", Outcome.RENEW, Reason.PAID, 200),
        ("c", Outcome.LAPSE, Reason.UNPAID, 0),
    ]
    assert not view.applied and (THIS not in {y for (_, y) in store.state.table("membership_years") if _ == "a"})
    assert store.state.facts == []
    [line] = store.state.audit
    assert (line.action, line.resource, line.purpose) == (
        "renewal.preview", f"organizations/mir/renewals?from_year={THIS - 1}", "yearly renewal")


def test_apply_creates_the_next_year_unpaid_once_with_facts(uow, store, members):
    view = apply(uow)
    assert view.applied and view.plan.count(Outcome.RENEW) == 2
    years = store.state.table("membership_years")
    assert years[("a", THIS)] == dataclasses.replace(years[("a", THIS)], fee_nok=200, payment_state=UNPAID, paid_date="")
    assert years[("b", THIS)].fee_nok == 100
    assert years[("d", THIS)].fee_nok == 250 and years[("d", THIS)].payment_state == PAID  # left as it was
    assert ("c", THIS) not in years
    recorded = sorted((f.message.person_id, f.message.fee_nok) for f in store.state.facts)
    assert recorded == [("a", 200), ("b", 100)]
    assert all(f.message.renewed and f.message.payment_state == UNPAID and f.message.year == THIS
               for f in store.state.facts)
    assert store.state.facts[0].message.birth_year in (1984, THIS - 20)
    assert isinstance(store.state.facts[0].message, facts.MembershipYearRecorded)
    line = store.state.audit[-1]
    assert line.action == "renewal.apply" and line.purpose == "yearly renewal (2 renewed, 1 kept, 1 not renewed)"

    again = apply(uow)  # applying twice creates nothing twice
    assert again.plan.count(Outcome.RENEW) == 0 and again.plan.count(Outcome.KEEP) == 3
    assert len(store.state.facts) == 2


def test_a_retry_with_the_request_id_answers_the_first_result(uow, store, members):
    first = apply(uow, request_id="5b2f8c1e-5a4e-4f7e-9b1a-0c3d2e1f4a5b")
    retry = apply(uow, request_id="5b2f8c1e-5a4e-4f7e-9b1a-0c3d2e1f4a5b")
    assert retry.renewal_id == first.renewal_id and retry.plan == first.plan
    assert len(store.state.facts) == 2 and len(store.state.table("renewals")) == 1


def test_purpose_and_year_are_checked(uow, members):
    with pytest.raises(InvalidArgument) as err:
        preview(uow, purpose=" ")
    assert err.value.reason == "PURPOSE_REQUIRED"
    with pytest.raises(InvalidArgument) as err:
        apply(uow, y=THIS + 1)
    assert err.value.violations[0].field == "from_year"


def test_explain_counts_by_each_rule_with_reasons(uow, store, members):
    year(store, "b", THIS - 2, PAID, 100)
    year(store, "a", THIS - 2, PAID, 200)
    year(store, "c", THIS - 2, PAID, 40)
    out = renewals.explain_counted_members(
        commands.ExplainCountedMembers("mir", THIS, "", COORDINATOR, "grant application"), uow(), RULES)
    imdi, frifond = (x.evaluation for x in out)
    assert [v.facts.person_id for v in imdi.counted] == ["d"] and not imdi.meets_threshold
    assert frifond.basis_year == THIS - 2
    assert {v.facts.person_id: v.reasons for v in frifond.verdicts} == {
        "a": (counting.Reason.TOO_OLD,), "b": (), "c": (counting.Reason.FEE_BELOW_MINIMUM, counting.Reason.TOO_OLD)}
    assert [v.facts.person_id for v in out[1].ordered()] == ["a", "c", "b"]  # not counted first, by family name
    assert store.state.audit[-1].resource == f"organizations/mir/countedMembers?year={THIS}"


def test_explain_one_rule_or_an_unknown_one(uow, members):
    [one] = renewals.explain_counted_members(
        commands.ExplainCountedMembers("mir", THIS - 1, "imdi", COORDINATOR, "grant"), uow(), RULES)
    assert len(one.evaluation.counted) == 3  # a, b (waived) and d paid in the previous year
    with pytest.raises(NotFound) as err:
        renewals.explain_counted_members(
            commands.ExplainCountedMembers("mir", THIS, "bufdir", COORDINATOR, "grant"), uow(), RULES)
    assert err.value.reason == "COUNTING_RULE_NOT_FOUND" and "imdi, frifond" in str(err.value)
    with pytest.raises(InvalidArgument):
        renewals.explain_counted_members(
            commands.ExplainCountedMembers("mir", 1999, "", COORDINATOR, "grant"), uow(), RULES)
