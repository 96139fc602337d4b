"""Reporting use cases at a node: each takes a command and a unit of work, and returns domain objects."""
from __future__ import annotations

from dataclasses import dataclass

from services.reporting.domain import model
from services.reporting.domain.cellkey import CellKeys
from services.reporting.domain.disclosure import PublishedStatistics, publish
from services.reporting.service_layer import commands
from services.reporting.service_layer.unit_of_work import ReportingUnitOfWork

ACTION_STATISTICS_READ = "statistics.read"


@dataclass(frozen=True)
class Report:
    period: model.Period  # as validated, e.g. with surrounding blanks taken away
    statistics: PublishedStatistics


def raw_statistics(uow: ReportingUnitOfWork, period: model.Period, keys: CellKeys) -> model.RawStatistics:
    """The node's figures for period, with their cell keys, before disclosure control."""
    return model.statistics(uow.years.members(period), uow.sessions.in_period(period),
                            uow.attendances.in_period(period), uow.referrals.created_in(period), keys)


def get_statistics(cmd: commands.GetStatistics, uow: ReportingUnitOfWork) -> Report:
    """The node's figures for a period under disclosure control; who asked for which period is audited."""
    period = model.parse_period(cmd.start_date, cmd.end_date, given=cmd.period_given)
    with uow:
        raw = raw_statistics(uow, period, CellKeys(cmd.disclosure_secret))
        uow.audit.record(cmd.actor, ACTION_STATISTICS_READ, f"{cmd.organization}/statistics?period={period.iso()}",
                         "statistics")
        uow.commit()
    return Report(period, publish(raw, cmd.min_cell))
