"""Renewal of membership years and counted members per funder: the use cases. Each takes a command, a unit of
work and the node's membership rules (its rule file, services.common.counting), and returns domain objects."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from brobygger.membership.v1 import membership_facts_pb2 as facts
from services.common import counting
from services.common.audit import check_purpose
from services.common.errors import FieldViolation, InvalidArgument, NotFound
from services.common.names import new_id
from services.common.timestamps import today, utcnow
from services.common.unit_of_work import run_once
from services.membership.domain import renewal
from services.membership.domain.model import Person
from services.membership.service_layer import commands
from services.membership.service_layer.unit_of_work import MembershipUnitOfWork

PURPOSE_EXAMPLE = "yearly renewal of memberships"


@dataclass(frozen=True)
class RenewalView:
    """A renewal previewed (renewal_id empty) or applied, with the persons it lists (for their names)."""

    plan: renewal.Plan
    persons: dict[str, Person]
    renewal_id: str = ""
    apply_time: object = None

    @property
    def applied(self) -> bool:
        return bool(self.renewal_id)


def _sorted(entries, persons: dict[str, Person]):
    def key(e):
        p = persons.get(e.person_id)
        return ((p.family_name.casefold(), p.given_name.casefold()) if p else ("", ""), e.person_id)
    return tuple(sorted(entries, key=key))


def _plan(uow: MembershipUnitOfWork, from_year: int, rules: counting.MembershipRules) -> tuple[renewal.Plan, dict]:
    years = uow.renewals.years_of([from_year, from_year + 1])
    current = [y for y in years if y.year == from_year]
    following = {y.person_id: y for y in years if y.year == from_year + 1}
    persons = uow.persons.get_many([y.person_id for y in current])
    plan = renewal.plan(from_year, current, following, {pid: p.birth_year for pid, p in persons.items()},
                        rules.fees)
    return dataclasses.replace(plan, entries=_sorted(plan.entries, persons)), persons


def _resource(org: str, from_year: int) -> str:
    return f"organizations/{org}/renewals?from_year={from_year}"


def preview_renewal(cmd: commands.PreviewRenewal, uow: MembershipUnitOfWork,
                    rules: counting.MembershipRules) -> RenewalView:
    """What renewing from_year would do; changes nothing. The read of the members is audited."""
    purpose = check_purpose(cmd.purpose, "the members of the year", PURPOSE_EXAMPLE)
    from_year = renewal.check_from_year(cmd.from_year, today().year)
    with uow:
        plan, persons = _plan(uow, from_year, rules)
        uow.audit.record(cmd.actor, "renewal.preview", _resource(cmd.org, from_year), purpose)
        uow.commit()
    return RenewalView(plan, persons)


def apply_renewal(cmd: commands.ApplyRenewal, uow: MembershipUnitOfWork,
                  rules: counting.MembershipRules) -> RenewalView:
    """Renews from_year into the next year in one transaction: each member who carries over gets the next year
    unpaid at the fee of the plan, with a MembershipYearRecorded fact (renewed); members who already have the
    next year are left as they are. The renewal is kept and audited; a retry with the same request_id answers
    it again, and applying again without one creates nothing twice (everyone renewed is then KEEP)."""
    purpose = check_purpose(cmd.purpose, "the members of the year", PURPOSE_EXAMPLE)
    from_year = renewal.check_from_year(cmd.from_year, today().year)

    def work() -> renewal.AppliedRenewal:
        plan, persons = _plan(uow, from_year, rules)
        now = utcnow()
        for entry in plan.entries:
            if entry.outcome is not renewal.Outcome.RENEW:
                continue
            year = dataclasses.replace(renewal.renewed_year(entry, plan.to_year), update_time=now)
            uow.years.put(year)
            person = persons.get(entry.person_id)
            uow.facts.add(facts.MembershipYearRecorded(
                person_id=year.person_id, year=year.year, payment_state=year.payment_state, fee_nok=year.fee_nok,
                birth_year=person.birth_year if person else 0, renewed=True), key=year.person_id)
        applied = renewal.AppliedRenewal(new_id(), plan, now)
        uow.renewals.add(applied)
        uow.audit.record(cmd.actor, "renewal.apply", f"organizations/{cmd.org}/renewals/{applied.id}",
                         f"{purpose} ({plan.count(renewal.Outcome.RENEW)} renewed, "
                         f"{plan.count(renewal.Outcome.KEEP)} kept, {plan.count(renewal.Outcome.LAPSE)} not renewed)")
        return applied

    def load(renewal_id: str) -> renewal.AppliedRenewal:
        found = uow.renewals.get(renewal_id)
        assert found is not None, "a renewal that was remembered is kept"
        return found

    applied = run_once(uow, method="ApplyRenewal", actor=cmd.actor, request_id=cmd.request_id, work=work,
                       identify=lambda r: r.id, load=load)
    with uow:
        persons = uow.persons.get_many([e.person_id for e in applied.plan.entries])
    plan = dataclasses.replace(applied.plan, entries=_sorted(applied.plan.entries, persons))
    return RenewalView(plan, persons, applied.id, applied.apply_time)


# ---------------------------------------------------------------------------- counted members


@dataclass(frozen=True)
class Explanation:
    evaluation: counting.Evaluation
    persons: dict[str, Person]

    def ordered(self) -> list[counting.Verdict]:
        """Those not counted first, then by family and given name."""
        def key(v: counting.Verdict):
            p = self.persons.get(v.facts.person_id)
            name = (p.family_name.casefold(), p.given_name.casefold()) if p else ("", "")
            return (v.counts, name, v.facts.person_id)
        return sorted(self.evaluation.verdicts, key=key)


def year_facts(years, persons: dict[str, Person]) -> list[counting.YearFacts]:
    """What the counting rules read of membership years: the person's birth year as the register holds it now."""
    out = []
    for y in years:
        p = persons.get(y.person_id)
        out.append(counting.YearFacts(y.person_id, y.year, y.payment_state, y.fee_nok, y.paid_date,
                                      p.birth_year if p else 0))
    return out


def explain_counted_members(cmd: commands.ExplainCountedMembers, uow: MembershipUnitOfWork,
                            rules: counting.MembershipRules) -> list[Explanation]:
    """Each of the node's counting rules (or the one asked for) applied to the register for year: who counts,
    who does not and why. The read is audited with its purpose."""
    purpose = check_purpose(cmd.purpose, "the members counted", "grant application to IMDi")
    if not 2000 <= cmd.year <= today().year + 1:
        raise InvalidArgument(
            f"year must be a reporting year from 2000 to {today().year + 1}, e.g. {today().year}; got {cmd.year}.",
            reason="INVALID_FIELDS", violations=[FieldViolation("year", f"a year from 2000 to {today().year + 1}")])
    chosen = list(rules.rules)
    if cmd.rule_id:
        rule = rules.rule(cmd.rule_id)
        if rule is None:
            known = ", ".join(r.id for r in rules.rules) or "none: the node has no counting rules"
            raise NotFound(f"The node has no counting rule {cmd.rule_id!r}; its rules are: {known}.",
                           reason="COUNTING_RULE_NOT_FOUND")
        chosen = [rule]
    with uow:
        years = uow.renewals.years_of(counting.basis_years(chosen, cmd.year))
        persons = uow.persons.get_many(sorted({y.person_id for y in years}))
        resource = f"organizations/{cmd.org}/countedMembers?year={cmd.year}"
        uow.audit.record(cmd.actor, "counted_members.explain",
                         resource + (f"&rule={cmd.rule_id}" if cmd.rule_id else ""), purpose)
        uow.commit()
    records = year_facts(years, persons)
    return [Explanation(counting.evaluate(rule, cmd.year, records), persons) for rule in chosen]
