"""In a real Chromium: the network page's side panel and date filter, the legend's drawn
shapes, the JavaScript date rules against kqgraph.dates, and the HTML brief (offline, A4)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import click_node

from kqgraph import dates
from kqgraph.cli import cli
from kqgraph.project import project, span_of

FORD_EDGE = "kqr:ecopro-cam-canada-plant-investment-2023 kq:investor kqr:ford"
DAYS = ["1990-01-01", "2016-01-01", "2017-05-15", "2023-08-17", "2024-10-01", "2024-11-01",
        "2025-07-01", "2026-06-01"]


@pytest.fixture(scope="module")
def network_page(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("panel") / "kqgraph.html"
    assert CliRunner().invoke(cli, ["viz", "-o", str(out)]).exit_code == 0
    return out


@pytest.fixture(scope="module")
def projected(engine):
    return project(engine, lang="en")


def test_clicking_a_node_opens_its_panel(page, network_page: Path):
    page.open(network_page)
    assert page.page.is_hidden("#panel")
    page.page.evaluate("window.kqNetwork.moveTo({position: window.kqNetwork.getPositions("
                       "['kqr:mila'])['kqr:mila'], scale: 1.5, animation: false})")
    click_node(page, "kqr:mila")
    page.page.wait_for_selector("#panel", state="visible")
    assert page.page.get_attribute("body", "data-panel") == "kqr:mila"
    panel = page.page.inner_text("#panel")
    assert "Mila" in panel.splitlines()[1]
    assert page.page.eval_on_selector_all("#panel ul.names li", "ls => ls.map(l => l.textContent)"
                                          ) == ["ko 밀라", "en Mila", "fr Mila"]
    sources = page.page.eval_on_selector_all("#panel ol.sources li",
                                             "ls => ls.map(l => l.textContent)")
    talk = next(i for i, s in enumerate(sources, 1)
                if s.startswith(f"[{i}] Quebec's AI trends and international cooperation"))
    assert sources[talk - 1].endswith("via https://healing-bling.tistory.com/13")
    assert f"Number of Mila researchers: more than 1,400 researchers (2025-02-11) [{talk}]" \
        in panel
    assert "← party · Mila–Seoul AI Hub MOU (2023-06-27) [" in panel
    # Links are plain addresses: nothing is fetched until one is clicked.
    links = page.page.eval_on_selector_all("#panel a", "as => as.map(a => [a.href, a.target, "
                                           "a.rel])")
    assert links and all(h.startswith("http") and t == "_blank" and r == "noopener noreferrer"
                         for h, t, r in links)
    assert page.external() == []
    # The text can be selected and copied.
    assert page.page.evaluate("getComputedStyle(document.getElementById('panel')).userSelect"
                              ) in ("text", "auto")
    # A relation leads to the other node's panel.
    page.page.click("#panel button.kq-goto:text-is('Yoshua Bengio')")
    assert page.page.get_attribute("body", "data-panel") == "kqr:yoshua-bengio"
    page.page.click("#panel button.close")
    assert page.page.is_hidden("#panel")
    assert page.errors == []


def test_a_missing_name_is_said_in_the_panel(page, network_page: Path):
    page.open(network_page)
    page.page.evaluate("window.kqShowPanel('kqr:ford')")
    names = page.page.eval_on_selector_all("#panel ul.names li", "ls => ls.map(l => l.textContent)")
    assert names == ["ko — no Korean name in the sources", "en Ford Motor Company", "fr Ford"]


def test_the_date_filter_shows_what_was_in_force(page, network_page: Path, engine, projected):
    page.open(network_page)
    total = projected.number_of_nodes()
    assert page.page.get_attribute("body", "data-visible") == str(total)
    assert page.page.is_disabled("#date")
    page.page.check("#date-on")
    assert not page.page.is_disabled("#date")

    def move_to(month: str) -> None:  # the slider, as a user drags it, to `month`
        page.page.evaluate("""(month) => {
            const s = document.getElementById('date'), first = s.dataset.first;
            const k = (+month.slice(0, 4) - +first.slice(0, 4)) * 12 + +month.slice(5, 7) -
                      +first.slice(5, 7);
            s.value = String(k); s.dispatchEvent(new Event('input')); }""", month)
        assert page.page.inner_text("#date-shown") == month + "-01"

    def visible() -> tuple[set[str], bool]:
        shown = set(page.page.evaluate("window.kqNodes.get({filter: n => !n.hidden})"
                                       ".map(n => n.id)"))
        ford = not page.page.evaluate(f"window.kqEdges.get('{FORD_EDGE}').hidden")
        return shown, ford

    move_to("2024-09")
    assert page.page.get_attribute("body", "data-date") == "2024-09-01"
    shown, ford = visible()
    assert ford  # Ford still took part in the Bécancour plant's investment
    then = project(engine, at="2024-09-01")
    assert shown == set(then)
    assert page.page.get_attribute("body", "data-edges-visible") == str(then.number_of_edges())
    move_to("2024-11")
    shown, ford = visible()
    assert not ford  # Ford left in October 2024
    later = project(engine, at="2024-11-01")
    assert shown == set(later)
    assert page.page.get_attribute("body", "data-edges-visible") == str(later.number_of_edges())
    move_to("2000-01")
    assert len(visible()[0]) < len(shown)  # fewer things existed in 2000
    page.page.uncheck("#date-on")
    assert page.page.get_attribute("body", "data-visible") == str(total)
    assert page.page.get_attribute("body", "data-date") == ""
    assert page.errors == []


def test_javascript_dates_follow_kqgraph_dates(page, network_page: Path, projected):
    page.open(network_page)
    cases = [(d.get("start", ""), d.get("end", "")) for _, d in projected.nodes(data=True)]
    cases += [(d.get("start", ""), d.get("end", "")) for *_, d in projected.edges(data=True)]
    cases += [("2016 · 2016-12-20", ""), ("2025-06-11 · 2025-08", ""), ("2024", "2024-02"),
              ("2020-02", "2020-02-29"), ("2021-02", "")]  # intersections, disputes, leap days
    cases = sorted(set(cases))
    assert len(cases) > 40
    js = page.page.evaluate("""([cases, days]) => cases.map(([s, e]) =>
        days.map(d => window.kqDates.status(s, e, d)))""", [cases, DAYS])
    python = [[dates.status(*span_of({"start": s, "end": e}), day) for day in DAYS]
              for s, e in cases]
    assert js == python
    assert {status for row in python for status in row} >= {
        "in force", "not yet", "ended", "undated", "uncertain", "disputed"}


def test_the_legend_draws_each_shape(page, network_page: Path):
    page.open(network_page)
    rows = page.page.eval_on_selector_all("#legend label", """ls => ls.map(l => {
        const c = l.querySelector('canvas'), px = c.getContext('2d').getImageData(0, 0, 16, 16);
        let ink = 0; for (let i = 3; i < px.data.length; i += 4) { ink += px.data[i] > 0; }
        return [l.textContent, c.dataset.shape, ink]; })""")
    assert rows
    assert all(ink > 20 for *_, ink in rows)  # something is drawn in every swatch
    assert not any("(" in text for text, *_ in rows)  # the shape is drawn, not named
    shapes = {text: shape for text, shape, _ in rows}
    assert (shapes["agreement"], shapes["presence"], shapes["city"]) == \
        ("diamond", "triangle", "square")
    font = page.page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "Noto Sans KR" in font and "Malgun Gothic" in font


def test_the_html_brief_is_offline_and_prints_on_a4(page, tmp_path: Path):
    out = tmp_path / "quebec-seoul.html"
    result = CliRunner().invoke(cli, ["brief", "Quebec and Seoul", "-o", str(out),
                                      "--on", "2025-06-01"])
    assert result.exit_code == 0, result.stderr
    page.page.goto(out.resolve().as_uri())
    assert page.page.title() == "Briefing: Quebec and Seoul"
    assert page.requests == [out.resolve().as_uri()]  # not one request besides the file
    assert page.external() == [] and page.errors == []
    headings = page.page.eval_on_selector_all("h2", "hs => hs.map(h => h.textContent)")
    assert headings[0] == "Who" and headings[-1] == "Sources"
    assert "How Quebec and Seoul are connected" in headings
    first = page.page.eval_on_selector("a.cite", "a => a.getAttribute('href')")
    assert first.startswith("#s") and page.page.query_selector(first)  # marks link to sources
    assert pages(page) <= 4  # a pair, its sources in two columns
    mila = tmp_path / "mila.html"
    assert CliRunner().invoke(cli, ["brief", "mila", "-o", str(mila)]).exit_code == 0
    page.page.goto(mila.resolve().as_uri())
    assert pages(page) <= 2
    assert page.external() == []


def pages(page) -> int:
    """Pages the open document prints on, on A4."""
    pdf = page.page.pdf(format="A4", print_background=False)
    assert pdf.startswith(b"%PDF")
    return pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
