"""Reporting use cases at a node: each runs in one transaction."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from services.common import audit
from services.reporting.adapters import repository as repo
from services.reporting.domain import model
from services.reporting.domain.disclosure import PublishedStatistics, publish

ACTION_STATISTICS_READ = "statistics.read"


@dataclass
class Reporting:
    engine: Engine
    tables: dict
    org: str
    min_cell: int

    def statistics(self, period: model.Period, principal, organization: str) -> PublishedStatistics:
        """The node's figures for a period under disclosure control; the query is written to the audit log.

        All figures are read from one snapshot, so totals and their cells agree.
        """
        with self.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                members, paying = repo.member_counts(conn, period)
                by_subgoal: dict[int, int] = {}
                for own, of_activity, n in repo.sessions_by_subgoals(conn, period):
                    goal = model.session_subgoal(own, of_activity)
                    by_subgoal[goal] = by_subgoal.get(goal, 0) + n
                participants, unique_total, visits_total = model.participants_table(
                    repo.visits_by_cell(conn, period), repo.named_visits(conn, period))
                raw = model.RawStatistics(
                    members=members,
                    paying_members=paying,
                    activities=repo.activity_count(conn, period),
                    sessions=sum(by_subgoal.values()),
                    participants=tuple(participants),
                    participants_unique_total=unique_total,
                    visits_total=visits_total,
                    referrals=model.referral_rows(repo.referrals_by_state(conn, period)),
                    sessions_by_subgoal=model.subgoal_rows(by_subgoal),
                )
                audit.record(conn, self.tables["audit_log"], principal, ACTION_STATISTICS_READ,
                             f"{organization}/statistics?period={period.iso()}", "statistics")
        return publish(raw, self.min_cell)
