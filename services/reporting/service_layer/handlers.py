"""Reporting use cases at a node: each takes a command and a unit of work, and returns domain objects."""
from __future__ import annotations

from dataclasses import dataclass

from services.reporting.domain import model
from services.reporting.domain.disclosure import PublishedStatistics, publish
from services.reporting.service_layer import commands
from services.reporting.service_layer.unit_of_work import ReportingUnitOfWork

ACTION_STATISTICS_READ = "statistics.read"


@dataclass(frozen=True)
class Report:
    period: model.Period  # as validated, e.g. with surrounding blanks taken away
    statistics: PublishedStatistics


def raw_statistics(uow: ReportingUnitOfWork, period: model.Period) -> model.RawStatistics:
    """The node's figures for period, before disclosure control."""
    members, paying = uow.years.member_counts(period)
    by_subgoal = model.sessions_per_subgoal(uow.sessions.by_subgoals(period))
    participants, unique_total, visits_total = model.participants_table(
        uow.attendances.visits_by_cell(period), uow.attendances.named_visits(period))
    return model.RawStatistics(
        members=members,
        paying_members=paying,
        activities=uow.sessions.activity_count(period),
        sessions=sum(by_subgoal.values()),
        participants=tuple(participants),
        participants_unique_total=unique_total,
        visits_total=visits_total,
        referrals=model.referral_rows(uow.referrals.by_state(period)),
        sessions_by_subgoal=model.subgoal_rows(by_subgoal),
    )


def get_statistics(cmd: commands.GetStatistics, uow: ReportingUnitOfWork) -> Report:
    """The node's figures for a period under disclosure control; who asked for which period is audited."""
    period = model.parse_period(cmd.start_date, cmd.end_date, given=cmd.period_given)
    with uow:
        raw = raw_statistics(uow, period)
        uow.audit.record(cmd.actor, ACTION_STATISTICS_READ, f"{cmd.organization}/statistics?period={period.iso()}",
                         "statistics")
        uow.commit()
    return Report(period, publish(raw, cmd.min_cell))
