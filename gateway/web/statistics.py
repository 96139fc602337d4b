"""Statistics: the node's own figures for a month, a quarter or a year, for its coordinators.

The figures are ReportingService.GetStatistics's, under the node's disclosure control, exactly as they
leave the node for the hub: a coordinator sees what the federation's analysts see of their organisation.
Numbers only, no person: no purpose is asked. The period is chosen in a GET form (gateway.web.periods).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from brobygger.reporting.v1 import reporting_pb2, reporting_pb2_grpc
from gateway.web import charts, figures, periods, ui
from gateway.web.i18n import text_direction

if TYPE_CHECKING:
    from gateway.app import Gateway

ROLES = ("coordinator",)
# The sections drawn as charts as well as tables (the headline figures count different things: a table).
CHARTED = ("unique", "visits", "subgoal", "referrals")

ui.nav_item("statistics.index", _l("Statistics"),
            _l("Your organisation's figures for a month, a quarter or a year, as the federation sees them"),
            roles=ROLES)


def chosen_period() -> periods.Period:
    """The period asked for; a 400 page for one the chooser does not offer."""
    try:
        return periods.from_args(request.args, periods.today())
    except periods.PeriodError:
        abort(400, description=_("Choose the period in the lists: a year, a quarter of a year or a month of a "
                                 "year. Figures are given for these periods only."))


def draw(section: figures.Section, cells: dict) -> list[tuple[str, object]]:
    """A section's charts, each with its caption: participants and visits one chart per gender, on one
    scale so that they can be compared; the others one chart."""
    direction = text_direction()
    about = _("Bar chart; the table below has the same figures.")

    def cell(line: figures.Line) -> figures.Shown:
        return cells.get(line.key, figures.NOT_REPORTED)

    if section.id not in ("unique", "visits"):
        return [("", charts.bar_chart(figures.bars(section.lines, cell), title=section.title,
                                      chart_id=f"chart-{section.id}", direction=direction, description=about))]
    scale = max((cell(line).value or 0 for line in section.lines), default=0)
    by_gender: dict[int, list[figures.Line]] = {}
    for line in section.lines:
        by_gender.setdefault(line.key[1], []).append(line)
    drawn = []
    for gender, lines in by_gender.items():
        caption = figures.label_of(figures.GENDERS, gender)
        drawn.append((caption, charts.bar_chart(
            figures.bars(lines, cell, label=lambda line: figures.label_of(figures.AGE_BANDS, line.key[2])),
            title=f"{section.title}: {caption}", chart_id=f"chart-{section.id}-{gender}", direction=direction,
            description=about, scale=scale)))
    return drawn


def blueprint(gw: Gateway):
    bp = ui.area("statistics", gw, roles=ROLES)
    reporting = reporting_pb2_grpc.ReportingServiceStub(ui.channel(gw, "reporting"))
    parent = f"organizations/{gw.settings.org}"

    @bp.get("/statistics")
    def index():
        period = chosen_period()
        answer, refusal = ui.call(reporting.GetStatistics, reporting_pb2.GetStatisticsRequest(
            organization=parent, period=period.date_range()), service="reporting")
        cells = figures.cells_of(answer) if answer is not None else {}
        tables = figures.sections([answer]) if answer is not None else []
        drawn = {section.id: draw(section, cells) for section in tables if section.id in CHARTED and section.lines}
        body = render_template(
            "statistics.html", period=period, choices=periods.choices(periods.today()), stats=answer,
            sections=tables, cells=cells, charts=drawn, refusal=refusal,
            rounding=figures.rounding_note(answer.min_cell_size) if answer is not None and answer.min_cell_size
            else "", not_reported=figures.NOT_REPORTED)
        return body, refusal.status if refusal else 200

    return bp
