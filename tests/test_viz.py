"""The projection (RDF → networkx) and `kqgraph viz`: one offline HTML file, tested in a real
headless Chromium with every network request blocked and counted."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from kqgraph.cli import cli
from kqgraph.engine import LocalEngine
from kqgraph.files import with_ontology
from kqgraph.project import project
from kqgraph.viz import render

XSS_IMG = '<img src=x onerror="document.title=\'x\'">'
XSS_SCRIPT = "</script><script>document.title='y'</script>"


@pytest.fixture(scope="module")
def graph(engine):
    return project(engine, lang="en")


def viz(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["viz", *args])
    return result.exit_code, result.stdout, result.stderr


# --- projection -------------------------------------------------------------------------------

def test_projection_nodes_are_the_entities(graph, select):
    expected = {r["s"] for r in select("""
        SELECT DISTINCT ?s WHERE { ?s a ?c . ?c rdfs:subClassOf* kq:Entity
          FILTER NOT EXISTS { ?s a kq:Observation } FILTER NOT EXISTS { ?s a kq:Claim }
          FILTER NOT EXISTS { ?s a kq:Sector } }""")}
    assert {data["iri"] for _, data in graph.nodes(data=True)} == expected
    assert "kqr:ai" not in graph  # sectors are attributes
    assert "kqr:quebec-global-ai-index-rank-2025" not in graph  # observations too


def test_projection_edges_link_entities_with_property_labels(graph):
    edges = {(s, t, k) for s, t, k in graph.edges(keys=True)}
    assert ("kqr:mila-seoul-ai-hub-partnership-2023", "kqr:mila", "kq:party") in edges
    assert ("kqr:mila", "kqr:yoshua-bengio", "schema:founder") in edges
    assert not [k for _, _, k in edges if k in ("rdf:type", "prov:wasDerivedFrom", "kq:sector")]
    assert graph.edges["kqr:mila", "kqr:yoshua-bengio", "schema:founder"]["label_ko"] == "설립자"


def test_projection_attributes(graph):
    mila = graph.nodes["kqr:mila"]
    assert (mila["label"], mila["label_ko"], mila["class"], mila["country"]) == \
        ("Mila", "밀라", "kq:ResearchInstitute", "kqr:canada")
    assert mila["sectors"] == "kqr:ai"
    assert "kqs:lim-yong-woo-ai-seoul-2025-talk" in mila["sources"].split(" | ")
    assert "kqs:wikipedia-en-mila-research-institute" in mila["sources"].split(" | ")
    facts = mila["facts"].split(" | ")
    assert "Number of Mila researchers: more than 1400 researchers" in facts
    assert "Number of Mila researchers (2025, techsoma): more than 1500 researchers" in facts
    # Statements, disputes and verifications are never nodes.
    assert not [n for n in graph if n.startswith(("kqr:dispute-", "kqr:verification-"))
                or "--" in n]
    assert all(isinstance(v, str) for _, d in graph.nodes(data=True) for v in d.values())


def test_projection_in_korean(engine):
    assert project(engine, lang="ko").nodes["kqr:quebec"]["label"] == "퀘벡주"


def test_filters_and_focus(engine):
    assert sorted(project(engine, types=["university"])) == [
        "kqr:gist", "kqr:korea-university", "kqr:mcgill-university", "kqr:polytechnique-montreal",
        "kqr:universite-de-montreal", "kqr:universite-laval", "kqr:uqam", "kqr:ust-korea"]
    assert sorted(project(engine, types=["Université"], countries=["canada"])) == [
        "kqr:mcgill-university", "kqr:polytechnique-montreal", "kqr:universite-de-montreal",
        "kqr:universite-laval", "kqr:uqam"]
    korean_ai = sorted(project(engine, sectors=["ai"], countries=["south-korea"]))
    assert {"kqr:ai-seoul-2025", "kqr:seoul-ai-hub", "kqr:ai-seoul-2022"} <= set(korean_ai)
    assert "kqr:mila" not in korean_ai
    assert sorted(project(engine, focus="밀라", depth=1)) == [
        "kqr:ai-seoul-2022-mila-keynote", "kqr:ai-seoul-2025-bengio-keynote",
        "kqr:etri-mila-partnership-2020", "kqr:gist-mila-networking-day-2023",
        "kqr:google-grant-mila-2016", "kqr:mila", "kqr:mila-seoul-ai-hub-mou-2023",
        "kqr:mila-seoul-ai-hub-partnership-2023", "kqr:mila-university-partnership",
        "kqr:montreal", "kqr:samsung-sait-ai-lab-at-mila", "kqr:scientist-in-residence-programme",
        "kqr:yoshua-bengio"]
    assert len(project(engine, focus="mila", depth=2)) > 4


def test_construct_query_chooses_what_to_draw(tmp_path: Path, select):
    rq = tmp_path / "parties.rq"
    rq.write_text("CONSTRUCT { ?a kq:party ?p } WHERE { ?a a kq:Agreement ; kq:party ?p }",
                  encoding="utf-8")
    out = tmp_path / "parties.html"
    code, _, err = viz("--query", str(rq), "-o", str(out))
    assert code == 0, err
    data = _data(out.read_text(encoding="utf-8"))
    ids = {n["id"] for n in data["nodes"]}
    assert {"kqr:canada-korea-sti-memorandum-2016", "kqr:government-of-canada",
            "kqr:government-of-korea", "kqr:mila", "kqr:mila-seoul-ai-hub-partnership-2023",
            "kqr:seoul-ai-hub"} <= ids
    parties = select("SELECT ?a ?p WHERE { ?a a kq:Agreement ; kq:party ?p }")
    assert ids == {"kqr:" + r[k].rsplit("/", 1)[1] for r in parties for k in ("a", "p")}
    assert len(data["edges"]) == len(parties)
    assert "kqr:quebec" not in ids  # only what the CONSTRUCT returns is drawn


def test_a_select_is_not_a_drawing(tmp_path: Path):
    rq = tmp_path / "select.rq"
    rq.write_text("SELECT * WHERE { ?s ?p ?o }", encoding="utf-8")
    code, _, err = viz("--query", str(rq), "-o", str(tmp_path / "x.html"))
    assert code == 2
    assert "must be a CONSTRUCT" in err
    assert not (tmp_path / "x.html").exists()


# --- the HTML file ----------------------------------------------------------------------------

def _data(html: str) -> dict:
    match = re.search(r'<script id="kq-data" type="application/json">(.*?)</script>', html, re.S)
    assert match
    return json.loads(match[1])


def test_same_input_gives_byte_identical_html(engine):
    assert render(engine, lang="fr") == render(engine, lang="fr")


def test_html_is_one_file_with_no_external_reference(engine):
    html = render(engine)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "<link" not in html
    assert "cdnjs.cloudflare.com" not in html and "cdn.jsdelivr.net" not in html  # pyvis's
    assert "default-src 'none'" in html  # the page forbids itself any fetch


def test_written_as_utf8_whatever_the_locale(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("LC_ALL", "C")
    out = tmp_path / "k.html"
    assert viz("-o", str(out), "--lang", "ko")[0] == 0
    text = out.read_bytes().decode("utf-8")
    assert "퀘벡주" in text and "Québec" in text


def test_unknown_focus_is_a_clear_error(tmp_path: Path):
    code, _, err = viz("--focus", "nowhere-at-all", "-o", str(tmp_path / "x.html"))
    assert code == 2
    assert err.startswith("kqgraph: no entity matches 'nowhere-at-all'")


@pytest.fixture(scope="module")
def shipped_page(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("viz") / "kqgraph.html"
    assert CliRunner().invoke(cli, ["viz", "-o", str(out)]).exit_code == 0
    return out


@pytest.fixture(scope="module")
def hostile_page(tmp_path_factory) -> Path:
    """A graph whose labels, ids and descriptions are markup; none of it may run."""
    folder = tmp_path_factory.mktemp("xss")
    ttl = folder / "hostile.ttl"
    ttl.write_text(f"""
@prefix kq: <https://w3id.org/kqgraph/ontology#> .
@prefix kqs: <https://w3id.org/kqgraph/source/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <https://schema.org/> .
<https://example.org/a%3Cimg%3E> a kq:Company ;
    rdfs:label {json.dumps(XSS_IMG)}@en, "악성 회사"@ko ;
    schema:description {json.dumps(XSS_SCRIPT + " <a href='x'>link</a>")}@en ;
    prov:wasDerivedFrom kqs:x .
<https://example.org/b> a kq:University ;
    rdfs:label {json.dumps(XSS_SCRIPT)}@en ;
    schema:affiliation <https://example.org/a%3Cimg%3E> ;
    <https://example.org/rel%3E> <https://example.org/a%3Cimg%3E> ;
    kq:sector <https://example.org/sector> ;
    schema:location <https://example.org/country> ;
    prov:wasDerivedFrom kqs:x .
<https://example.org/rel%3E> rdfs:label {json.dumps(XSS_IMG)}@en .
<https://example.org/sector> a kq:Sector ; rdfs:label {json.dumps(XSS_IMG)}@en .
<https://example.org/country> a kq:Country ; rdfs:label {json.dumps(XSS_SCRIPT)}@en ;
    prov:wasDerivedFrom kqs:x .
kqs:x a kq:Source ; rdfs:label {json.dumps(XSS_IMG)}@en .
""", encoding="utf-8")
    out = folder / "hostile.html"
    result = CliRunner().invoke(cli, ["viz", "-g", str(ttl), "-o", str(out),
                                      "--title", XSS_SCRIPT])
    assert result.exit_code == 0, result.stderr
    return out


def test_page_data_is_the_standard_librarys_json_made_script_safe():
    # The page's data is written with orjson for speed; it must be what json.dumps writes
    # (keys sorted at every depth, no ASCII escaping), then made safe inside <script>.
    from kqgraph.viz import _json_for_script

    value = {"z": [1, -2, {"b": "\u2028</script>&", "a": "한국 · Québec 𝄞"}], "a": "\"\\\n"}
    expected = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                       ("\u2028", "\\u2028")):
        expected = expected.replace(char, code)
    assert _json_for_script(value) == expected
    assert json.loads(_json_for_script(value)) == value


def test_hostile_text_is_escaped_in_the_file(hostile_page: Path):
    html = hostile_page.read_text(encoding="utf-8")
    assert html.count("</script>") == 3  # the page's own three scripts, nothing more
    assert "<img src=x" not in html
    assert "&lt;/script&gt;&lt;script&gt;" in html  # the <title>


# --- in Chromium ------------------------------------------------------------------------------

def test_page_works_offline_with_the_expected_network(page, shipped_page: Path, graph):
    page.open(shipped_page)
    assert page.external() == []
    assert page.requests == [shipped_page.resolve().as_uri()]
    counts = page.page.evaluate("[window.kqNodes.length, window.kqEdges.length]")
    assert counts == [graph.number_of_nodes(), graph.number_of_edges()]
    assert page.page.title() == "Korea–Quebec cooperation knowledge graph"
    assert "30 nodes" in page.page.inner_text("footer") or str(graph.number_of_nodes()) in \
        page.page.inner_text("footer")
    assert page.errors == []


def test_a_large_network_is_drawn_without_arrowheads_or_borders(page, engine, tmp_path: Path,
                                                                 monkeypatch, shipped_page):
    # LARGE lowered so that the shipped graph is drawn as a user's big graph is.
    import kqgraph.viz as viz_module

    def drawn(path: Path) -> list:
        page.open(path)
        return page.page.evaluate(
            "[Object.values(window.kqNetwork.body.edges)"
            "   .filter(e => e.options.arrows.to.enabled).length,"
            " window.kqNetwork.body.nodes[window.kqNodes.getIds()[0]].options.borderWidth,"
            " window.kqNetwork.renderer.options.hideEdgesOnDrag]")

    edges = project(engine).number_of_edges()
    assert drawn(shipped_page) == [edges, 1, False]
    monkeypatch.setattr(viz_module, "LARGE", 10)
    large = tmp_path / "large.html"
    large.write_text(render(engine), encoding="utf-8")
    assert drawn(large) == [0, 0, True]
    assert page.errors == []


def test_a_large_network_names_its_nodes_when_zoomed_in(page, engine, tmp_path: Path,
                                                        monkeypatch, shipped_page):
    import kqgraph.viz as viz_module

    named = ("window.kqNodes.get().filter(n => n.label).map(n => n.id).sort()")
    page.open(shipped_page)
    every = page.page.evaluate("window.kqNodes.getIds().sort()")
    assert page.page.evaluate(named) == every  # a small network: every name from the start
    monkeypatch.setattr(viz_module, "LARGE", 10)
    large = tmp_path / "large.html"
    large.write_text(render(engine), encoding="utf-8")
    page.open(large)
    people = page.page.evaluate(
        "window.kqData.nodes.filter(n => n.shape === 'ellipse').map(n => n.id).sort()")
    assert people and page.page.evaluate(named) == people  # an ellipse's name is its shape
    # Zoomed in on Mila: the nodes then in view get their names, the others not yet.
    page.page.evaluate("""() => {
        window.kqNetwork.moveTo({position: window.kqNetwork.getPosition('kqr:mila'),
                                 scale: 2, animation: false});
        window.kqNameInView();
    }""")
    in_view = page.page.evaluate("""() => {
        const net = window.kqNetwork, box = document.getElementById('network');
        const a = net.DOMtoCanvas({x: 0, y: 0});
        const b = net.DOMtoCanvas({x: box.clientWidth, y: box.clientHeight});
        return Object.entries(net.getPositions())
            .filter(([id, p]) => p.x >= a.x && p.x <= b.x && p.y >= a.y && p.y <= b.y)
            .map(([id]) => id);
    }""")
    assert "kqr:mila" in in_view and len(in_view) < len(every)
    assert page.page.evaluate(named) == sorted({*people, *in_view})
    labels = page.page.evaluate(
        "Object.fromEntries(window.kqNodes.get().map(n => [n.id, n.label]))")
    wanted = {n["id"]: n["label"] for n in page.page.evaluate("window.kqData.nodes")}
    assert all(labels[n] == wanted[n] for n in in_view)
    assert page.page.evaluate("document.body.dataset.named") == str(len({*people, *in_view}))
    # Zoomed out below readable names (14 px at 0.3 is 4.2 px): those given stay, no more
    # are added.
    page.page.evaluate("() => { window.kqNetwork.moveTo({scale: 0.3, animation: false}); "
                       "window.kqNameInView(); }")
    assert page.page.evaluate(named) == sorted({*people, *in_view})
    assert page.errors == []


def test_filters_update_only_what_changes(page, shipped_page: Path, graph):
    # Each DataSet update redraws the network (seconds at thousands of nodes): the page
    # must not rewrite every node when a filter leaves it as it was, as on opening.
    page.open(shipped_page)
    page.page.evaluate("""() => {
        window.updated = [];
        for (const ds of [window.kqNodes, window.kqEdges]) {
            const update = ds.update.bind(ds);
            ds.update = (changes) => {
                window.updated.push(changes.length);
                return update(changes);
            };
        }
    }""")
    page.page.evaluate("window.kqApplyFilters()")
    assert page.page.evaluate("window.updated") == []
    universities = sum(1 for _, d in graph.nodes(data=True) if d["class"] == "kq:University")
    page.page.uncheck("input[data-class='kq:University']")
    assert page.page.evaluate("window.updated") == [universities]
    page.page.check("input[data-class='kq:University']")
    assert page.page.evaluate("window.updated") == [universities, universities]
    assert page.errors == []


def test_legend_and_sector_filter(page, shipped_page: Path, graph):
    page.open(shipped_page)
    total = graph.number_of_nodes()
    assert page.page.get_attribute("body", "data-visible") == str(total)
    universities = sum(1 for _, d in graph.nodes(data=True) if d["class"] == "kq:University")
    page.page.uncheck("input[data-class='kq:University']")
    assert page.page.get_attribute("body", "data-visible") == str(total - universities)
    hidden = page.page.evaluate("window.kqNodes.get({filter: n => n.hidden}).map(n => n.id)")
    assert sorted(hidden) == sorted(n for n, d in graph.nodes(data=True)
                                    if d["class"] == "kq:University")
    assert "kqr:mcgill-university" in hidden
    page.page.check("input[data-class='kq:University']")
    options = page.page.eval_on_selector_all("#sector option", "os => os.map(o => o.value)")
    in_graph = sorted({s for _, d in graph.nodes(data=True) for s in d["sectors"].split(" | ")
                       if s})
    assert options == ["", *in_graph]
    assert {"kqr:batteries", "kqr:quantum-technologies", "kqr:shipbuilding"} <= set(options)
    page.page.select_option("#sector", "kqr:energy")
    assert sorted(page.page.evaluate(
        "window.kqNodes.get({filter: n => !n.hidden}).map(n => n.id)")) == sorted(
        n for n, d in graph.nodes(data=True) if "kqr:energy" in d["sectors"].split(" | "))
    page.page.select_option("#sector", "kqr:aerospace")
    in_aerospace = sum(1 for _, d in graph.nodes(data=True) if "kqr:aerospace" in d["sectors"])
    assert page.page.get_attribute("body", "data-visible") == str(in_aerospace)
    assert page.errors == []


def test_hover_shows_tooltip_with_source(page, shipped_page: Path):
    page.open(shipped_page)
    box = page.page.evaluate("""(() => {
        const net = window.kqNetwork, p = net.getPositions(['kqr:mila'])['kqr:mila'];
        const d = net.canvasToDOM(p);
        const r = document.getElementById('network').getBoundingClientRect();
        return [d.x + r.left, d.y + r.top]; })()""")
    page.page.mouse.move(box[0] + 40, box[1] + 40)
    page.page.mouse.move(box[0], box[1])
    tip = page.page.wait_for_selector("div.vis-tooltip", state="visible", timeout=10_000)
    text = tip.inner_text()
    assert "Mila" in text
    assert "Quebec's AI trends and international cooperation opportunities" in text
    assert "more than 1400" in text
    assert page.errors == []


def test_search_in_korean_focuses_the_node(page, shipped_page: Path):
    page.open(shipped_page)
    page.page.fill("#search", "밀라")
    page.page.press("#search", "Enter")
    assert page.page.get_attribute("body", "data-focused") == "kqr:mila"
    assert page.page.evaluate("window.kqNetwork.getSelectedNodes()") == ["kqr:mila"]
    page.page.fill("#search", "quebec")  # accents ignored: finds Québec / Quebec
    page.page.press("#search", "Enter")
    assert page.page.get_attribute("body", "data-focused") == "kqr:quebec"
    page.page.fill("#search", "zzzz")
    page.page.press("#search", "Enter")
    assert page.page.inner_text("#status") == "No node matches"


def test_hostile_labels_are_text_and_nothing_runs(page, hostile_page: Path):
    page.open(hostile_page)
    assert page.page.title() == XSS_SCRIPT  # shown as text, not run
    assert page.page.inner_text("#title") == XSS_SCRIPT
    labels = page.page.evaluate("window.kqNodes.get().map(n => n.label)")
    assert sorted(labels) == sorted([XSS_IMG, XSS_SCRIPT, XSS_SCRIPT])
    options = page.page.eval_on_selector_all("select option", "os => os.map(o => o.textContent)")
    assert XSS_IMG in options and XSS_SCRIPT in options  # sector and country, as text
    edge_tips = page.page.evaluate("window.kqEdges.get().map(e => e.title.textContent)")
    assert XSS_IMG in edge_tips
    page.page.uncheck("input[data-class='kq:Country']")  # the legend still works
    page.page.select_option("#sector", "<https://example.org/sector>")
    assert page.page.get_attribute("body", "data-visible") == "1"
    assert page.page.query_selector("img") is None
    tip = page.page.evaluate("window.kqNodes.get('<https://example.org/a%3Cimg%3E>')"
                             ".title.textContent")
    assert XSS_IMG in tip and XSS_SCRIPT in tip
    assert page.page.evaluate("document.querySelectorAll('script').length") == 3
    page.page.fill("#search", "악성")
    page.page.press("#search", "Enter")
    assert page.page.get_attribute("body", "data-focused") == "<https://example.org/a%3Cimg%3E>"
    assert page.external() == []
    assert page.errors == []


def test_screenshot(page, shipped_page: Path, tmp_path: Path):
    page.open(shipped_page)
    shot = tmp_path / "kqgraph.png"
    page.page.screenshot(path=str(shot))
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1400, 900)


def test_with_ontology_adds_it_once():
    files = with_ontology(None)
    assert sum(f.name == "ontology.ttl" for f in files) == 1
    assert len(LocalEngine.open(files))  # loads


def test_the_footer_counts_what_is_drawn_in_the_page_language(engine, monkeypatch):
    import kqgraph.viz as viz_module
    from kqgraph import __version__

    graph = project(engine)
    n, m, triples = graph.number_of_nodes(), graph.number_of_edges(), len(engine)
    tail = "https://w3id.org/kqgraph/source/"
    assert _data(render(engine))["footer"] == (
        f"kqgraph {__version__} · {triples} triples · {n} nodes, {m} edges · "
        f"options: lang=en · sources: {tail}")
    assert _data(render(engine, lang="ko"))["footer"] == (
        f"kqgraph {__version__} · {triples} 트리플 · {n} 노드, {m} 링크 · "
        f"옵션: lang=ko · 출처: {tail}")
    monkeypatch.setattr(viz_module, "LARGE", 10)  # drawn as a large network: names on zoom
    assert _data(render(engine, lang="fr"))["footer"] == (
        f"kqgraph {__version__} · {triples} triplets · {n} nœuds (noms affichés en zoomant), "
        f"{m} liens · options: lang=fr · sources: {tail}")


def test_large_networks_draw_a_precomputed_layout_without_physics():
    import networkx as nx

    from kqgraph.viz import PHYSICS_LIMIT, page

    def network(n: int) -> nx.MultiDiGraph:
        graph = nx.MultiDiGraph()
        for i in range(n):
            graph.add_node(f"kqr:n{i}", iri=f"https://w3id.org/kqgraph/id/n{i}", label=f"n{i}",
                           label_ko="", label_en=f"n{i}", label_fr="", **{"class": "kq:Company"},
                           class_label="company", country="", country_label="", sectors="",
                           sector_labels="", sources="", source_labels="", facts="",
                           details="")
        for i in range(1, n):
            graph.add_edge(f"kqr:n{i}", f"kqr:n{i // 2}", key="kq:party", property="kq:party",
                           label="party")
        return graph

    small = _data(page(network(PHYSICS_LIMIT), lang="en", title="t", options={}, triples=0))
    large = _data(page(network(PHYSICS_LIMIT + 1), lang="en", title="t", options={},
                       triples=0))
    assert (small["physics"], large["physics"]) == (True, False)
    positions = {(n["x"], n["y"]) for n in large["nodes"]}
    assert len(positions) > 0.95 * PHYSICS_LIMIT  # nodes spread by the layout, not piled up
    again = _data(page(network(PHYSICS_LIMIT + 1), lang="en", title="t", options={},
                       triples=0))
    assert again == large  # deterministic, even where the layout is cut short


def test_very_large_networks_lay_out_a_core_and_place_the_rest(engine, monkeypatch):
    # CORE lowered so that the shipped graph takes the path of a network of 100,000 nodes.
    import kqgraph.viz as viz_module

    graph = project(engine)
    monkeypatch.setattr(viz_module, "CORE", 40)
    first, second = viz_module._layout(graph), viz_module._layout(graph)
    assert first == second
    assert sorted(first) == sorted(graph.nodes)
    simple = graph.to_undirected()
    core = sorted(simple, key=lambda n: (-simple.degree(n), n))[:40]
    scale = 40 * len(graph) ** 0.5
    assert max(max(abs(x), abs(y)) for x, y in first.values()) == round(scale)
    # Every node linked to the core sits within a few spacings of a neighbour; the others
    # go in rows below the drawing.
    import networkx as nx

    spacing = scale / len(graph) ** 0.5
    reached = {n for c in nx.connected_components(simple) if set(c) & set(core) for n in c}
    lowest = max(y for n, (_, y) in first.items() if n in reached)
    for node in reached - set(core):
        x, y = first[node]
        assert any(abs(x - first[m][0]) + abs(y - first[m][1]) <= 3 * spacing
                   for m in simple[node]), node
    assert all(first[n][1] > lowest for n in set(first) - reached)


def test_large_networks_get_the_grid_layout_the_same_every_run(engine, monkeypatch):
    # LARGE lowered so that the shipped graph takes the path of a user's big graph.
    import kqgraph.viz as viz_module

    graph = project(engine)
    before = viz_module._layout(graph)
    monkeypatch.setattr(viz_module, "LARGE", 10)
    first, second = viz_module._layout(graph), viz_module._layout(graph)
    assert first == second
    assert first != before  # igraph's layout, not networkx's
    assert sorted(first) == sorted(graph.nodes)
    scale = 40 * len(graph) ** 0.5  # normalised to [-1, 1], then scaled as networkx's
    assert max(max(abs(x), abs(y)) for x, y in first.values()) == round(scale)
    html = render(engine)
    assert render(engine) == html
