"""The hub's dashboard: every organisation's figures side by side, for the federation's analysts.

One query to FederationService.QueryStatistics a page: the hub asks every node on the analyst's behalf
(each node writes the analyst to its audit log) and limits how often an analyst may ask; beyond that the
page says how long to wait. Organisations are named as ListNodes names them. A node that did not answer
is named in plain words, and its column is missing rather than shown as zeros.

The CSV file holds exactly what the page showed: the answer the page was drawn from is kept in the
server-side session (aggregates only), so downloading it neither asks the nodes again nor spends the
analyst's queries; a file for a period not shown in this session asks once.
"""
from __future__ import annotations

import csv
import io
import math
import time
from datetime import timedelta
from typing import TYPE_CHECKING, Iterable

from flask import Response, render_template, session, url_for
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from brobygger.reporting.v1 import reporting_pb2, reporting_pb2_grpc
from gateway.web import charts, figures, periods, ui
from gateway.web.i18n import current_locale, text_direction
from gateway.web.statistics import chosen_period

if TYPE_CHECKING:
    from gateway.app import Gateway

ROLES = ("analyst",)
SHOWN_KEY = "dashboard_shown"
# How long the answer a page was drawn from is kept for its CSV file.
SHOWN_SECONDS = 30 * 60
# Spreadsheet formulas start with these; a cell of text that does is written with a leading apostrophe.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

ui.nav_item("dashboard.index", _l("Figures"),
            _l("Every organisation's figures side by side, with charts and a CSV file"), roles=ROLES)


class Board:
    """What the dashboard shows of one answer: the organisations that answered (columns), the tables,
    every cell by organisation and line, and who is missing and why."""

    def __init__(self, answer: reporting_pb2.FederatedStatistics, names: dict[str, str]) -> None:
        self.names = names
        answered = [n for n in answer.nodes if n.WhichOneof("result") == "statistics"]
        self.columns = [n.organization for n in answered]
        self.stats = {n.organization: n.statistics for n in answered}
        self.cells = {org: figures.cells_of(s) for org, s in self.stats.items()}
        self.sections = figures.sections(list(self.stats.values()))
        errors = {n.organization: n.error for n in answer.nodes if n.WhichOneof("result") != "statistics"}
        missing = list(dict.fromkeys([*errors, *answer.missing_organizations]))
        self.missing = [(org, missing_message(self.name(org), errors.get(org, ""))) for org in missing
                        if org not in self.stats]

    def name(self, org: str) -> str:
        return self.names.get(org) or org

    def cell(self, org: str, line: figures.Line) -> figures.Shown:
        return self.cells[org].get(line.key, figures.NOT_REPORTED)

    def rounding(self) -> list[str]:
        """One line per minimum cell size in the answer, naming the organisations it is theirs when they differ."""
        by_k: dict[int, list[str]] = {}
        for org in self.columns:
            k = self.stats[org].min_cell_size
            if k:
                by_k.setdefault(k, []).append(self.name(org))
        if len(by_k) == 1:
            return [figures.rounding_note(next(iter(by_k)))]
        return [_("%(names)s: %(note)s", names=", ".join(orgs), note=figures.rounding_note(k))
                for k, orgs in sorted(by_k.items())]

    def charts(self) -> list[tuple[str, object]]:
        """A chart per headline figure, comparing the organisations."""
        if not self.columns:
            return []
        direction = text_direction()
        drawn = []
        for line in self.sections[0].lines:
            bars = figures.bars(self.columns, lambda org, line=line: self.cell(org, line), label=self.name)
            drawn.append((line.figure, charts.bar_chart(
                bars, title=_("%(figure)s by organisation", figure=line.figure), chart_id=f"cmp-{line.key[1]}",
                direction=direction, description=_("Bar chart; the table below has the same figures."))))
        return drawn


def missing_message(name: str, error: str) -> str:
    if error == "DEADLINE_EXCEEDED" or not error:
        return _("%(name)s did not answer in time; its figures are missing.", name=name)
    if error == "UNAVAILABLE":
        return _("%(name)s could not be reached; its figures are missing.", name=name)
    return _("%(name)s did not answer (%(why)s); its figures are missing.", name=name, why=error)


def wait_text(seconds: int) -> str:
    """How long to wait, in words ("8 seconds", "3 minutes"), never less than the hub said."""
    if seconds <= 120:
        return format_timedelta(timedelta(seconds=seconds), threshold=1000)
    return format_timedelta(timedelta(minutes=math.ceil(seconds / 60)))


def spreadsheet_text(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_START) else value


def csv_lines(board: Board, period: periods.Period) -> Iterable[list]:
    """The file's rows: a header, then one row per organisation x figure x group, then one per organisation
    that did not answer."""
    yield [_("Organisation"), _("Organisation id"), _("Period"), _("From"), _("To"), _("Table"), _("Figure"),
           _("Group"), _("Value"), _("Suppressed"), _("Rounded to multiples of"), _("Note")]
    when = [period.label(), period.start.isoformat(), period.end.isoformat()]
    for org in board.columns:
        k = board.stats[org].min_cell_size or ""
        for section in board.sections:
            for line in section.lines:
                c = board.cell(org, line)
                note = {"suppressed": _("a small count") if c.suppressed == figures.PRIMARY
                        else _("protects a small count"), "absent": _("not reported")}.get(c.kind, "")
                yield [board.name(org), org, *when, section.title, line.figure,
                       line.group, c.value if c.kind == "value" else "",
                       _("suppressed") if c.kind == "suppressed" else "", k, note]
    for org, message in board.missing:
        yield [board.name(org), org, *when, "", "", "", "", "", "", message]


def csv_body(board: Board, period: periods.Period) -> bytes:
    out = io.StringIO()
    # Excel set to Norwegian separates list items with ';' (the comma is the decimal sign); English, ','.
    writer = csv.writer(out, delimiter=";" if current_locale() == "nb" else ",", lineterminator="\r\n")
    writer.writerows([spreadsheet_text(v) if isinstance(v, str) else v for v in line]
                     for line in csv_lines(board, period))
    return out.getvalue().encode("utf-8-sig")  # the BOM tells Excel the file is UTF-8 (æøå)


def blueprint(gw: Gateway):
    bp = ui.area("dashboard", gw, roles=ROLES)
    federation = reporting_pb2_grpc.FederationServiceStub(ui.channel(gw, "hub"))

    def names() -> dict[str, str]:
        answer, refusal = ui.call(federation.ListNodes, reporting_pb2.ListNodesRequest(), service="hub")
        return {} if refusal else {n.organization: n.display_name for n in answer.nodes}

    def ask(period: periods.Period) -> tuple[reporting_pb2.FederatedStatistics | None, ui.ServiceRefusal | None]:
        answer, refusal = ui.call(federation.QueryStatistics,
                                  reporting_pb2.QueryStatisticsRequest(period=period.date_range()), service="hub")
        if answer is not None:
            session[SHOWN_KEY] = {"period": period.slug, "at": time.time(), "answer": answer.SerializeToString()}
        return answer, refusal

    def shown_before(period: periods.Period) -> reporting_pb2.FederatedStatistics | None:
        kept = session.get(SHOWN_KEY)
        if not kept or kept["period"] != period.slug or time.time() - kept["at"] > SHOWN_SECONDS:
            return None
        return reporting_pb2.FederatedStatistics.FromString(kept["answer"])

    def wait_page(period: periods.Period, refusal: ui.ServiceRefusal) -> Response:
        seconds = refusal.retry_after or 0
        body = render_template("dashboard_wait.html", period=period, wait=wait_text(seconds) if seconds else "",
                               again=url_for("dashboard.index", **period.query()))
        response = Response(body, status=429, mimetype="text/html")
        if seconds:
            response.headers["Retry-After"] = str(seconds)
        return response

    @bp.get("/figures")
    def index():
        period = chosen_period()
        answer, refusal = ask(period)
        if refusal is not None and refusal.status == 429:
            return wait_page(period, refusal)
        board = Board(answer, names()) if answer is not None else None
        body = render_template(
            "dashboard.html", period=period, choices=periods.choices(periods.today()), board=board,
            refusal=refusal, charts=board.charts() if board else [], rounding=board.rounding() if board else [],
            csv_url=url_for("dashboard.download", **period.query()), not_reported=figures.NOT_REPORTED)
        return body, refusal.status if refusal else 200

    @bp.get("/figures.csv")
    def download():
        period = chosen_period()
        answer = shown_before(period)
        if answer is None:
            answer, refusal = ask(period)
            if refusal is not None:
                return wait_page(period, refusal) if refusal.status == 429 else ui.error_page(
                    refusal.status, refusal.message)
        body = csv_body(Board(answer, names()), period)
        return Response(body, mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="brobygger-figures-{period.slug}.csv"',
            "Cache-Control": "no-store"})

    return bp
