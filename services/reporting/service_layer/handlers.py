"""Reporting use cases at a node: each takes a command and a unit of work, and returns domain objects."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from services.common import audit
from services.common.errors import FieldViolation, InvalidArgument
from services.common.text import is_plain
from services.reporting.domain import model
from services.reporting.domain.cellkey import CellKeys
from services.reporting.domain.disclosure import PublishedStatistics, publish
from services.reporting.service_layer import commands
from services.reporting.service_layer.unit_of_work import ReportingUnitOfWork

ACTION_STATISTICS_READ = "statistics.read"


def asked_by(cmd: commands.GetStatistics):
    """Who asked for statistics, as the audit log names them. When the caller is the federation hub's
    service account and names the analyst it asks for (requested_by), the analyst is the actor and the hub
    the client ("service-account-brobygger-hub on behalf of analyst-imdi"); any other caller is who asked
    itself, whatever requested_by says."""
    actor, name = cmd.actor, cmd.requested_by.strip()
    if actor is None or not name or not getattr(actor, "is_hub", False):
        return actor
    if len(name) > audit.MAX_ACTOR or not is_plain(name):
        raise InvalidArgument(
            f"requested_by must name the analyst the hub asks for: their user name (else subject), one line of "
            f"at most {audit.MAX_ACTOR} characters, as in the analyst's access token.",
            reason="INVALID_FIELDS",
            violations=[FieldViolation("requested_by.username", f"a user name of 1 to {audit.MAX_ACTOR} characters")],
        )
    return dataclasses.replace(actor, on_behalf_of=name)


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
        uow.audit.record(asked_by(cmd), ACTION_STATISTICS_READ,
                         f"{cmd.organization}/statistics?period={period.iso()}", "statistics")
        uow.commit()
    return Report(period, publish(raw, cmd.min_cell))
