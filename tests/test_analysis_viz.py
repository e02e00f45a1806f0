"""The path drawn in the network, in a real headless Chromium: `kqgraph viz --path A B`, and
"Path from here to…" between two nodes clicked (or found) in the page, on the same rules as
`kqgraph path`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import click_node

from kqgraph import Graph
from kqgraph.cli import cli

DIMMED = "#e6e6e6"


@pytest.fixture(scope="module")
def graph() -> Graph:
    return Graph()


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("paths")
    out = {"plain": folder / "plain.html", "path": folder / "path.html"}
    assert CliRunner().invoke(cli, ["viz", "-o", str(out["plain"])]).exit_code == 0
    result = CliRunner().invoke(cli, ["viz", "-o", str(out["path"]), "--path", "sk-on",
                                      "Government of Quebec"])
    assert result.exit_code == 0, result.stderr
    return out


def data_of(path: Path) -> dict:
    html = path.read_text(encoding="utf-8")
    found = re.search(r'<script id="kq-data" type="application/json">(.*?)</script>', html,
                      re.DOTALL)
    return json.loads(found[1])


def colour(page, node: str) -> str:
    found = page.page.evaluate("(id) => window.kqNodes.get(id).color", node)
    return found["background"] if isinstance(found, dict) else found


def test_viz_path_highlights_every_shortest_chain(page, pages, graph):
    found = graph.path("sk-on", "Government of Quebec", every=True)
    page.open(pages["path"])
    assert page.page.get_attribute("body", "data-path") == " ".join(
        s.id for s in found.chains[0].stops)
    on_path = {s.id for c in found.chains for s in c.stops}
    assert len(on_path) == 6  # two chains of 4 hops, sharing their ends and two stops
    for node in on_path:
        assert colour(page, node) != DIMMED
    assert colour(page, "kqr:mila") == DIMMED
    edges = page.page.get_attribute("body", "data-path-edges").split("\n")
    assert "kqr:ecopro-cam-canada-quebec-loan-2023 schema:funder kqr:government-of-quebec" \
        in edges
    bar = page.page.inner_text("#kq-path")
    assert bar.startswith("SK On → Government of Quebec: 4 hops")
    assert bar.count("sources: ") == 4  # every hop listed with its sources
    assert "path=kqr:sk-on kqr:government-of-quebec" in page.page.inner_text("footer")
    assert page.external() == [] and page.errors == []


def test_click_two_nodes_and_see_the_path(page, pages, graph):
    page.open(pages["plain"])
    assert page.page.get_attribute("body", "data-path") is None
    click_node(page, "kqr:seoul-metropolitan-government", fit=True)
    page.page.click("#kq-path-from")
    assert page.page.get_attribute("body", "data-path-from") == \
        "kqr:seoul-metropolitan-government"
    click_node(page, "kqr:universite-de-montreal", fit=True)
    expected = graph.path("seoul-metropolitan-government", "universite-de-montreal")
    chain = [s.id for s in expected.chains[0].stops]
    assert page.page.get_attribute("body", "data-path") == " ".join(chain)
    for node in chain:
        assert colour(page, node) != DIMMED
    assert colour(page, "kqr:sk-on") == DIMMED
    widths = page.page.evaluate("window.kqEdges.get().filter(e => e.width === 4).length")
    assert widths == len(chain) - 1
    bar = page.page.inner_text("#kq-path")
    assert "Seoul Metropolitan Government → Université de Montréal: 4 hops" in bar
    assert "kidd.co.kr" in bar  # the hops' sources
    page.page.click("#kq-path-clear")
    assert page.page.get_attribute("body", "data-path") is None
    assert colour(page, "kqr:sk-on") != DIMMED
    assert page.errors == []


def test_path_from_here_with_the_search_box(page, pages, graph):
    page.open(pages["plain"])
    page.page.fill("#search", "SK On")
    page.page.press("#search", "Enter")
    page.page.click("#kq-path-from")
    page.page.fill("#search", "퀘벡주 정부")  # the other end, found in Korean
    page.page.press("#search", "Enter")
    expected = graph.path("sk-on", "government-of-quebec")
    assert page.page.get_attribute("body", "data-path") == " ".join(
        s.id for s in expected.chains[0].stops)
    assert page.errors == []


def test_the_page_finds_the_chains_kqgraph_path_finds(page, pages, graph):
    """On pairs across the network, the page's search and `kqgraph path` agree: the same
    first chain, and places only where no other chain exists."""
    page.open(pages["plain"])
    nodes = [n["id"] for n in data_of(pages["plain"])["nodes"]]
    ends = nodes[::9]
    checked = 0
    for a in ends[:8]:
        for b in ends:
            if a == b:
                continue
            mine = page.page.evaluate("([a, b]) => window.kqShortest(a, b)", [a, b])
            found = graph.path(a, b)
            expected = [s.id for s in found.chains[0].stops] if found.chains else None
            assert mine["chain"] == expected, (a, b)
            if expected:
                assert mine["through"] == found.through_avoided, (a, b)
            checked += 1
    assert checked > 100


def test_hostile_labels_in_the_path_bar_stay_text(page, tmp_path: Path):
    xss = '<img src=x onerror="document.title=\'x\'">'
    ttl = tmp_path / "hostile.ttl"
    ttl.write_text(f"""
@prefix kq: <https://w3id.org/kqgraph/ontology#> .
@prefix kqs: <https://w3id.org/kqgraph/source/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://example.org/a> a kq:Company ; rdfs:label {json.dumps(xss)}@en ;
    prov:wasDerivedFrom kqs:x .
<https://example.org/b> a kq:University ; rdfs:label "b"@en ;
    <https://example.org/rel> <https://example.org/a> ; prov:wasDerivedFrom kqs:x .
<https://example.org/rel> rdfs:label {json.dumps(xss)}@en .
kqs:x a kq:Source ; rdfs:label {json.dumps(xss)}@en .
""", encoding="utf-8")
    out = tmp_path / "hostile.html"
    result = CliRunner().invoke(cli, ["viz", "-g", str(ttl), "-o", str(out), "--path",
                                      "<https://example.org/a>", "<https://example.org/b>"])
    assert result.exit_code == 0, result.stderr
    page.open(out)
    bar = page.page.inner_text("#kq-path")
    assert bar.count(xss) >= 3  # the label, the link's label and its source, as text
    assert page.page.query_selector("img") is None
    assert page.page.title() != "x" and page.errors == []
