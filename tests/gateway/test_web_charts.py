"""gateway.web.charts: the statistics pages' bar charts, drawn as SVG on the server."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from gateway.web.charts import WIDTH, Bar, bar_chart

NS = {"svg": "http://www.w3.org/2000/svg"}
BARS = [Bar("Kvinner", 20, "20"), Bar("Menn", 10, "10"), Bar("Annet kjønn", None, "prikket", hidden=True),
        Bar("Ikke oppgitt", 0, "0"), Bar("Ukjent", None, "ikke rapportert")]


def draw(bars=BARS, **kw) -> ET.Element:
    svg = bar_chart(bars, title=kw.pop("title", "Deltakere"), chart_id=kw.pop("chart_id", "c1"), **kw)
    return ET.fromstring(str(svg))


def rows(svg: ET.Element) -> list[ET.Element]:
    return svg.findall("svg:g", NS)


def test_a_chart_has_a_title_and_a_description_saying_every_bar():
    svg = draw(description="Stolpediagram.")
    assert svg.get("role") == "img" and svg.get("aria-labelledby") == "c1-title c1-desc"
    assert svg.find("svg:title", NS).text == "Deltakere" and svg.find("svg:title", NS).get("id") == "c1-title"
    desc = svg.find("svg:desc", NS)
    assert desc.get("id") == "c1-desc"
    assert desc.text == ("Stolpediagram. Kvinner: 20; Menn: 10; Annet kjønn: prikket; Ikke oppgitt: 0; "
                         "Ukjent: ikke rapportert")


def test_it_scales_with_its_view_box_and_has_no_style_attributes():
    svg = draw()
    assert svg.get("viewBox") == f"0 0 {WIDTH} {40 * len(BARS)}"
    assert "width" not in svg.attrib and "height" not in svg.attrib
    assert not [e for e in svg.iter() if "style" in e.attrib]
    assert "style" not in str(bar_chart(BARS, title="t", chart_id="c"))


def test_bars_are_proportional_to_the_largest_or_to_a_given_scale():
    lengths = [float(r.find("svg:rect", NS).get("width")) for r in rows(draw())[:2]]
    assert lengths[0] == WIDTH - 96 and lengths[1] == lengths[0] / 2
    scaled = [float(r.find("svg:rect", NS).get("width")) for r in rows(draw(scale=40))[:2]]
    assert scaled == [lengths[0] / 2, lengths[0] / 4]
    with pytest.raises(ValueError):
        draw(scale=5)


def test_a_hidden_figure_is_a_hatched_labelled_bar_never_zero_and_zero_has_no_bar():
    svg = draw()
    pattern = svg.find("svg:defs/svg:pattern", NS)
    assert pattern is not None and pattern.get("id") == "c1-hatch"
    hidden = rows(svg)[2]
    rect = hidden.find("svg:rect", NS)
    assert rect.get("class") == "chart-bar hidden" and rect.get("fill") == "url(#c1-hatch)"
    assert float(rect.get("width")) > 0
    assert [t.text for t in hidden.findall("svg:text", NS)] == ["Annet kjønn", "prikket"]
    zero, absent = rows(svg)[3], rows(svg)[4]
    assert zero.find("svg:rect", NS) is None and zero.findall("svg:text", NS)[1].text == "0"
    assert absent.find("svg:rect", NS) is None and absent.findall("svg:text", NS)[1].text == "ikke rapportert"
    # Without a hidden bar there is no pattern to define.
    assert draw([Bar("a", 1, "1")]).find("svg:defs", NS) is None


def test_right_to_left_mirrors_the_chart_and_anchors_text_at_its_start():
    ltr, rtl = draw(), draw(direction="rtl")
    assert ltr.get("direction") == "ltr" and rtl.get("direction") == "rtl"
    for left, right in zip(rows(ltr), rows(rtl)):
        for a, b in zip(left.findall("svg:text", NS), right.findall("svg:text", NS)):
            assert a.get("text-anchor") == b.get("text-anchor") == "start"  # start is the right edge in rtl
            assert float(a.get("x")) == WIDTH - float(b.get("x"))
        for a, b in zip(left.findall("svg:rect", NS), right.findall("svg:rect", NS)):
            assert float(b.get("x")) + float(b.get("width")) == WIDTH and float(a.get("x")) == 0
    with pytest.raises(ValueError):
        draw(direction="up")


def test_labels_are_escaped_and_ids_checked():
    svg = bar_chart([Bar("<b>&</b>", 1, "1")], title="<script>", chart_id="c2")
    assert "<script>" not in svg and "&lt;b&gt;&amp;&lt;/b&gt;" in svg
    ET.fromstring(str(svg))
    with pytest.raises(ValueError):
        bar_chart(BARS, title="t", chart_id='x" onload="y')


def test_an_empty_chart_is_still_a_valid_image():
    svg = draw([])
    assert svg.get("viewBox") == f"0 0 {WIDTH} 40" and rows(svg) == []
