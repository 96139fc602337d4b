"""proto -> command -> handler -> proto for renewal and counted members (part of MembershipServicer)."""
from __future__ import annotations

import pathlib

from brobygger.membership.v1 import membership_pb2
from services.common import counting
from services.common.grpcserver import Access, current_principal
from services.common.names import ORGANIZATION, PERSON
from services.common.timestamps import timestamp
from services.membership.domain.renewal import Outcome
from services.membership.service_layer import commands, renewals

# Renewal: coordinators, and the node's own services (the operator's command line with the node's service
# token). Who counts for a funder, with names: coordinators.
POLICY = {
    "PreviewRenewal": Access(roles=frozenset({"coordinator", "node-service"})),
    "ApplyRenewal": Access(roles=frozenset({"coordinator", "node-service"})),
    "ExplainCountedMembers": Access(roles=frozenset({"coordinator"})),
}


def _display(person) -> str:
    return f"{person.given_name} {person.family_name}".strip() if person else ""


def rule_proto(rule: counting.CountingRule) -> membership_pb2.CountingRule:
    return membership_pb2.CountingRule(
        id=rule.id, funder=rule.funder, title=rule.title, year_offset=rule.year_offset,
        payment_states=sorted(int(s) for s in rule.payment_states), min_fee_nok=rule.min_fee_nok,
        min_age=rule.min_age, max_age=rule.max_age,
        paid_by=f"{rule.paid_by[0]:02d}-{rule.paid_by[1]:02d}" if rule.paid_by else "", threshold=rule.threshold)


class RenewalServicerMixin:
    org: str
    rules: counting.MembershipRules

    def _renewal(self, view: renewals.RenewalView) -> membership_pb2.Renewal:
        plan = view.plan
        entries = []
        for e in plan.entries:
            entries.append(membership_pb2.RenewalEntry(
                person=PERSON.format(org=self.org, person=e.person_id),
                display_name=_display(view.persons.get(e.person_id)), outcome=int(e.outcome), reason=int(e.reason),
                from_payment_state=e.from_state, from_fee_nok=e.from_fee_nok, to_fee_nok=e.to_fee_nok,
                fee_source=int(e.fee_source or 0), to_payment_state=e.to_state))
        return membership_pb2.Renewal(
            name=f"organizations/{self.org}/renewals/{view.renewal_id}" if view.applied else "",
            from_year=plan.from_year, to_year=plan.to_year, applied=view.applied, entries=entries,
            renew_count=plan.count(Outcome.RENEW), keep_count=plan.count(Outcome.KEEP),
            lapse_count=plan.count(Outcome.LAPSE),
            apply_time=timestamp(view.apply_time) if view.apply_time else None)

    def PreviewRenewal(self, request, context):
        ORGANIZATION.parse(request.parent, "parent", org=self.org)
        cmd = commands.PreviewRenewal(self.org, request.from_year, current_principal(), request.purpose)
        return self._renewal(renewals.preview_renewal(cmd, self.uow(), self.rules))

    def ApplyRenewal(self, request, context):
        ORGANIZATION.parse(request.parent, "parent", org=self.org)
        cmd = commands.ApplyRenewal(self.org, request.from_year, current_principal(), request.purpose,
                                    request.request_id)
        return self._renewal(renewals.apply_renewal(cmd, self.uow(), self.rules))

    def ExplainCountedMembers(self, request, context):
        ORGANIZATION.parse(request.parent, "parent", org=self.org)
        cmd = commands.ExplainCountedMembers(self.org, request.year, request.rule_id.strip(), current_principal(),
                                             request.purpose)
        out = []
        for x in renewals.explain_counted_members(cmd, self.uow(), self.rules):
            ev = x.evaluation
            members = []
            for v in x.ordered():
                age = counting.age_in_year(v.facts.birth_year, v.facts.year)
                members.append(membership_pb2.CountedMember(
                    person=PERSON.format(org=self.org, person=v.facts.person_id),
                    display_name=_display(x.persons.get(v.facts.person_id)), counts=v.counts,
                    reasons=[r.value for r in v.reasons], payment_state=v.facts.payment_state,
                    fee_nok=v.facts.fee_nok, paid_date=v.facts.paid_date, age_in_year=age))
            out.append(membership_pb2.CountedMembersExplanation(
                rule=rule_proto(ev.rule), year=ev.year, basis_year=ev.basis_year, counted_count=len(ev.counted),
                not_counted_count=len(ev.not_counted), meets_threshold=ev.meets_threshold,
                not_counted_by_reason=[membership_pb2.CountingReasonCount(reason=r.value, count=n)
                                       for r, n in ev.by_first_reason()],
                members=members))
        source = pathlib.Path(self.rules.source).name if self.rules.source else ""
        return membership_pb2.ExplainCountedMembersResponse(explanations=out, rules_source=source)

