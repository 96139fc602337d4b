"""Reporting use cases at a node: each takes a command and a unit of work, and returns domain objects."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from services.common import audit, counting
from services.common.errors import FailedPrecondition, FieldViolation, InvalidArgument, NotFound, Unavailable
from services.common.text import is_plain
from services.reporting.adapters.repository import ConcurrentSpend
from services.reporting.domain import consent, model, privacy
from services.reporting.domain.cellkey import CellKeys
from services.reporting.domain.disclosure import PublishedStatistics, publish
from services.reporting.service_layer import commands
from services.reporting.service_layer.unit_of_work import ReportingUnitOfWork

ACTION_STATISTICS_READ = "statistics.read"
ACTION_STATISTICS_REFUSED = "statistics.refused"
ACTION_PRIVACY_BUDGET_READ = "privacy_budget.read"
# How often a noisy answer is tried again when concurrent answers spent from the same budget first.
MAX_ATTEMPTS = 20


def _is_hub(actor) -> bool:
    return actor is not None and getattr(actor, "is_hub", False)


def _check_named(value: str, field: str, what: str) -> str:
    value = value.strip()
    if value and (len(value) > audit.MAX_ACTOR or not is_plain(value)):
        raise InvalidArgument(
            f"requested_by must name the analyst the hub asks for: their {what}, one line of at most "
            f"{audit.MAX_ACTOR} characters, as in the analyst's access token.",
            reason="INVALID_FIELDS",
            violations=[FieldViolation(field, f"a {what} of 1 to {audit.MAX_ACTOR} characters")],
        )
    return value


def asked_by(cmd: commands.GetStatistics | commands.GetPrivacyBudget):
    """Who asked for statistics, as the audit log names them. When the caller is the federation hub's
    service account and names the analyst it asks for (requested_by), the analyst is the actor and the hub
    the client ("service-account-brobygger-hub on behalf of analyst-imdi"); any other caller is who asked
    itself, whatever requested_by says."""
    actor = cmd.actor
    if not _is_hub(actor):
        return actor
    name = _check_named(cmd.requested_by, "requested_by.username", "user name")
    if not name:
        return actor
    return dataclasses.replace(actor, on_behalf_of=name)


def budget_holder(cmd: commands.GetStatistics | commands.GetPrivacyBudget) -> tuple[str, str]:
    """(key, name) of whose privacy budget an answer spends: the analyst the hub names, keyed by their subject
    (which a change of user name keeps), else by user name; without one, the caller itself."""
    name = audit.identity(asked_by(cmd))[0]
    if _is_hub(cmd.actor) and cmd.requested_by.strip():
        subject = _check_named(cmd.requested_by_subject, "requested_by.subject", "subject")
        return (subject or name)[:audit.MAX_ACTOR], name
    return name, name


@dataclass(frozen=True)
class Report:
    period: model.Period  # as validated, e.g. with surrounding blanks taken away
    statistics: PublishedStatistics
    privacy: privacy.Privacy | None = None  # set when the figures carry noise


def raw_statistics(uow: ReportingUnitOfWork, period: model.Period, keys: CellKeys,
                   visits_per_person: int | None = None, counting_rules: tuple = (),
                   only: frozenset[str] | None = None) -> model.RawStatistics:
    """The node's figures for period, with their cell keys, before disclosure control; each named person's
    visits clipped at visits_per_person when given (differential privacy). With only (the activities of a
    project or grant), the figures of those activities alone, and none of what belongs to no activity."""
    if only is not None:
        return _of_activities(uow, period, keys, only)
    # People who withdrew their consent for statistics before the period began are not counted in it.
    left_out = consent.excluded(uow.statistics_consents.before(period.start), period.start)
    attendances = [a for a in uow.attendances.in_period(period) if not (a.person_id and a.person_id in left_out)]
    if visits_per_person is not None:
        attendances = privacy.clip_visits(attendances, visits_per_person)
    members = [m for m in uow.years.members(period) if m.person_id not in left_out]
    # Volunteer hours are left out of a noisy answer: privacy.py's bounds do not cover them.
    hours = ([h for h in uow.hours.in_period(period) if h.person_id not in left_out]
             if visits_per_person is None else ())
    counted = ()
    if counting_rules:
        years = [y for y in uow.years.year_facts(counting.basis_years(counting_rules, period.first_year))
                 if y.person_id not in left_out]
        counted = model.counted_members(counting_rules, period, years, keys)
    return model.statistics(members, uow.sessions.in_period(period), attendances,
                            uow.referrals.created_in(period), keys, hours=hours, counted=counted,
                            roles=[r for r in uow.roles.held_in(period) if r.person_id not in left_out])


def _of_activities(uow: ReportingUnitOfWork, period: model.Period, keys: CellKeys,
                   only: frozenset[str]) -> model.RawStatistics:
    """Sessions, participants, visits and volunteer hours of the activities in only; members, referrals,
    counted members and role holders belong to no activity, and are zero."""
    left_out = consent.excluded(uow.statistics_consents.before(period.start), period.start)
    attendances = [a for a in uow.attendances.in_period(period)
                   if a.activity_id in only and not (a.person_id and a.person_id in left_out)]
    hours = [h for h in uow.hours.in_period(period) if h.activity_id in only and h.person_id not in left_out]
    sessions = [s for s in uow.sessions.in_period(period) if s.activity_id in only]
    return model.statistics([], sessions, attendances, [], keys, hours=hours)


def _scope(cmd: commands.GetStatistics, uow: ReportingUnitOfWork) -> frozenset[str] | None:
    """The activities a project or grant filter names (None without one); an unknown one is NOT_FOUND."""
    if cmd.project_id:
        if not uow.projects.knows_project(cmd.project_id):
            raise NotFound("Reporting has no project by that name: create it with the events service, or list "
                           "projects to find its name.", reason="PROJECT_NOT_FOUND",
                           violations=[FieldViolation("project", "no such project")])
        return uow.projects.activities(project_id=cmd.project_id)
    if cmd.grant_id:
        if not uow.projects.knows_grant(cmd.grant_id):
            raise NotFound("Reporting knows no project that this grant pays for: a grant counts through its "
                           "projects.", reason="GRANT_NOT_FOUND",
                           violations=[FieldViolation("grant", "no project of this grant")])
        return uow.projects.activities(grant_id=cmd.grant_id)
    return None


def check_scope(cmd: commands.GetStatistics) -> None:
    """A project or a grant, not both; and not from the hub (figures per project are the node's own)."""
    if cmd.project_id and cmd.grant_id:
        raise InvalidArgument("Name a project or a grant, not both.", reason="INVALID_FIELDS",
                              violations=[FieldViolation("grant", "leave empty when project is given")])
    if (cmd.project_id or cmd.grant_id) and _is_hub(cmd.actor):
        raise FailedPrecondition("Figures per project or grant are a node's own and are not given to the "
                                 "federation hub.", reason="SCOPE_NOT_FEDERATED")


def _resource(cmd, period: model.Period) -> str:
    scope = (f"&project={cmd.project_id}" if cmd.project_id else "") + (
        f"&grant={cmd.grant_id}" if cmd.grant_id else "")
    return f"{cmd.organization}/statistics?period={period.iso()}{scope}"


def get_statistics(cmd: commands.GetStatistics, uow: ReportingUnitOfWork) -> Report:
    """The node's figures for a period under disclosure control, or, for the federation hub when the node's
    differential privacy is on, with noise from the analyst's budget; who asked for which period is audited."""
    period = model.parse_period(cmd.start_date, cmd.end_date, given=cmd.period_given)
    check_scope(cmd)
    if cmd.privacy is not None and _is_hub(cmd.actor):
        return _noisy_statistics(cmd, period, uow)
    with uow:
        only = _scope(cmd, uow)
        raw = raw_statistics(uow, period, CellKeys(cmd.disclosure_secret), counting_rules=cmd.counting_rules,
                             only=only)
        uow.audit.record(asked_by(cmd), ACTION_STATISTICS_READ, _resource(cmd, period), "statistics")
        uow.commit()
    return Report(period, publish(raw, cmd.min_cell))


def _noisy_statistics(cmd: commands.GetStatistics, period: model.Period, uow: ReportingUnitOfWork) -> Report:
    """One answer under differential privacy (domain/privacy.py). The stored answer for the same records is
    given again if there is one; a new one is drawn otherwise. Either costs the analyst epsilon_per_query
    unless they had it before; reading the records, spending and keeping the answer commit together."""
    policy = cmd.privacy
    assert policy is not None
    actor = asked_by(cmd)
    key, name = budget_holder(cmd)
    mech = privacy.mechanism(policy.sensitivity, policy.epsilon_per_query)
    cost, limit = privacy.micro(policy.epsilon_per_query), privacy.micro(policy.budget_epsilon)
    keys = CellKeys(cmd.disclosure_secret)
    when = period.iso()
    for _ in range(MAX_ATTEMPTS):
        try:
            with uow:
                raw = raw_statistics(uow, period, keys, policy.visits_per_person)
                fingerprint = privacy.fingerprint(raw, mech, policy.visits_per_person)
                answer = uow.privacy.answer(when, fingerprint)
                repeated = answer is not None and uow.privacy.charged(key, when, fingerprint)
                if not repeated:
                    if not uow.privacy.spend(key, when, fingerprint, cost, limit):
                        budget = privacy.Budget(name, uow.privacy.spent(key), limit, cost)
                        uow.audit.record(actor, ACTION_STATISTICS_REFUSED, _resource(cmd, period), "statistics")
                        uow.commit()
                        raise privacy.exhausted(budget)
                    if answer is None:
                        answer = privacy.NoisyAnswer.draw(raw, mech)
                        uow.privacy.add_answer(when, fingerprint, answer)
                budget = privacy.Budget(name, uow.privacy.spent(key), limit, cost)
                uow.audit.record(actor, ACTION_STATISTICS_READ, _resource(cmd, period), "statistics")
                uow.commit()
        except ConcurrentSpend:
            continue
        note = privacy.Privacy(answer.epsilon, answer.scale, privacy.margin(answer.scale), mech.sensitivity,
                               policy.visits_per_person, repeated, budget)
        return Report(period, privacy.published(answer), note)
    raise Unavailable("Too many statistics queries reached this node at once; try again in a moment.",
                      reason="CONCURRENT_QUERIES")


def get_privacy_budget(cmd: commands.GetPrivacyBudget, uow: ReportingUnitOfWork) -> privacy.Budget:
    """The analyst's privacy budget at this node (disabled when the node adds no noise); the read is audited."""
    actor = asked_by(cmd)
    key, name = budget_holder(cmd)
    with uow:
        if cmd.privacy is None:
            budget = privacy.disabled(name)
        else:
            budget = privacy.Budget(name, uow.privacy.spent(key), privacy.micro(cmd.privacy.budget_epsilon),
                                    privacy.micro(cmd.privacy.epsilon_per_query))
        uow.audit.record(actor, ACTION_PRIVACY_BUDGET_READ, f"{cmd.organization}/privacyBudget", "statistics")
        uow.commit()
    return budget
