"""Bar charts as inline SVG, drawn on the server: no script, no style attributes (colours come from the
classes in static/app.css), nothing fetched from anywhere.

A chart is a list of :class:`Bar`, one horizontal bar a row, its label above it so that long labels fit a
phone. A suppressed figure is never drawn as 0 or as an empty bar: it is a short bar hatched with a
pattern the SVG defines, with its text (e.g. "hidden") after it; a figure the node did not report has no
bar and its text only. The SVG scales with its viewBox; it has a <title> and a <desc> that says every
bar's label and text, so a screen reader gets the whole chart (the pages also show the table beside it).
For a right-to-left page the chart is mirrored: bars grow from the right, labels start there.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from markupsafe import Markup, escape

WIDTH = 400
ROW = 40          # height of one row: its label line, then its bar
LABEL_Y = 14      # the label's baseline, from the top of its row
BAR_Y = 19        # the bar's top, from the top of its row
BAR_HEIGHT = 14
VALUE_ROOM = 96   # room kept after the longest bar for its text
HIDDEN_LENGTH = 28
GAP = 5


@dataclass(frozen=True)
class Bar:
    """One row of a chart.

    value: the count to draw; None when there is none (hidden, or not reported).
    text: what is written after the bar, e.g. "15" or "hidden" (the caller formats it for the language).
    hidden: the figure is suppressed: drawn as a short hatched bar, never as 0.
    """

    label: str
    value: int | None
    text: str
    hidden: bool = False


def bar_chart(bars: Sequence[Bar], *, title: str, chart_id: str, description: str = "",
              direction: str = "ltr", scale: int | None = None) -> Markup:
    """The SVG of a horizontal bar chart. chart_id must be unique on the page (it names the title, the
    description and the hatch pattern); direction is the page's, "ltr" or "rtl"; scale is the count a
    full-length bar stands for (charts meant to be compared give the same), else this chart's largest."""
    if direction not in ("ltr", "rtl"):
        raise ValueError(f"direction must be 'ltr' or 'rtl', not {direction!r}")
    if not chart_id.replace("-", "").replace("_", "").isalnum():
        raise ValueError(f"chart_id must be letters, digits, '-' and '_' only, not {chart_id!r}")
    rtl = direction == "rtl"
    top = max((b.value for b in bars if b.value is not None and not b.hidden), default=0)
    if scale is not None:
        if scale < top:
            raise ValueError(f"scale {scale} is less than the largest bar, {top}")
        top = scale
    room = WIDTH - VALUE_ROOM
    height = max(ROW, ROW * len(bars))

    def x(offset: float) -> str:
        """A distance from the start side as an x coordinate (mirrored for right-to-left)."""
        return f"{WIDTH - offset if rtl else offset:g}"

    def rect(length: float, y: float, cls: str, fill: str = "") -> str:
        start = WIDTH - length if rtl else 0
        attr = f' fill="{fill}"' if fill else ""
        return (f'<rect class="{cls}" x="{start:g}" y="{y:g}" width="{length:g}" height="{BAR_HEIGHT}"'
                f'{attr}/>')

    hatch = f"{chart_id}-hatch"
    rows = []
    for i, bar in enumerate(bars):
        y = i * ROW
        parts = [f'<text class="label" x="{x(0)}" y="{y + LABEL_Y}" text-anchor="start">{escape(bar.label)}</text>']
        if bar.hidden:
            length = HIDDEN_LENGTH
            parts.append(rect(length, y + BAR_Y, "chart-bar hidden", f"url(#{hatch})"))
        elif bar.value is not None and top > 0:
            length = room * bar.value / top
            if length > 0:
                parts.append(rect(length, y + BAR_Y, "chart-bar"))
        else:
            length = 0
        cls = "value hidden" if bar.hidden else "value"
        parts.append(f'<text class="{cls}" x="{x(length + GAP)}" y="{y + BAR_Y + BAR_HEIGHT - 2}" '
                     f'text-anchor="start">{escape(bar.text)}</text>')
        rows.append(f'<g class="row">{"".join(parts)}</g>')
    said = "; ".join(f"{b.label}: {b.text}" for b in bars)
    desc = f"{description} {said}".strip() if description else said
    defs = ""
    if any(b.hidden for b in bars):
        defs = (f'<defs><pattern id="{hatch}" patternUnits="userSpaceOnUse" width="6" height="6" '
                f'patternTransform="rotate(45)"><rect class="hatch-ground" width="6" height="6"/>'
                f'<line class="hatch-line" x1="0" y1="0" x2="0" y2="6"/></pattern></defs>')
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bars" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'direction="{direction}" aria-labelledby="{chart_id}-title {chart_id}-desc">'
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(desc)}</desc>'
        f'{defs}{"".join(rows)}</svg>')
