"""Visualisation stage: the networkx projection drawn as one offline, self-contained HTML file.

pyvis ships the vis-network library, which is inlined here. Neither pyvis's Network nor its
page template is used: Network.add_edge scans every node per edge (4.7 s of a 100k-triple
graph's 23,000 edges), so the node and edge records are built here, with the same fields;
the template it links Bootstrap
from a CDN even with `cdn_resources="in_line"`, its "local" mode writes a lib/ folder, it
inserts the heading as raw HTML and switches tooltips to HTML as soon as one contains
"href", and it writes with the locale's encoding. Instead the data goes into the page as
JSON (with <, > and & escaped), and the page's script builds every label, tooltip, legend
entry and filter with textContent: text from the data is never markup.

The same graph and options give byte-identical HTML: node order, colours and the
precomputed layout (networkx or igraph, fixed seed) are all deterministic, and nothing records the
time or the machine.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kqgraph import __version__
from kqgraph.errors import KqError
from kqgraph.vocab import TITLE

if TYPE_CHECKING:
    import networkx as nx

# Above this many nodes physics is off: the precomputed layout is drawn as is, so the page
# is interactive at once (measured in benchmarks/viz.py).
PHYSICS_LIMIT = 600
# Above this many nodes the layout is igraph's grid Fruchterman–Reingold (about linear);
# below it networkx's spring layout, which the shipped graph's page was drawn with. The page
# draws such a network lighter too (no arrowheads or borders; see assets/viz.js).
LARGE = 2000
# Above this many nodes only the best-linked CORE are laid out so; the others are placed
# beside their neighbours (see _core_layout).
CORE = 15_000
# igraph's grid layout does up to 200 rounds, fewer above 6,500 nodes (as many node-rounds
# as 200 rounds of 6,500): at 13,338 nodes 200 rounds took 3.3 s and 97 took 1.5 s, with
# linked nodes 3% further apart relative to any two nodes (0.440 against 0.427; 0.448 at 60
# rounds): the rounds past about a hundred barely move a network of that size.
GRID_WORK = 1_300_000
SEED = 20250211
PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
           "#17becf", "#bcbd22", "#7f7f7f", "#393b79", "#637939", "#8c6d31", "#843c39",
           "#7b4173", "#3182bd", "#e6550d", "#31a354", "#756bb1", "#636363"]
SHAPES = {"Agreement": "diamond", "Presence": "triangle", "Event": "star", "Talk": "star",
          "Person": "ellipse", "Country": "square", "Province": "square", "City": "square",
          "Venue": "square", "Policy": "hexagon"}
TEXT = {
    "en": {"search": "Find a node (any language)…", "class": "Class", "sector": "Sector",
           "country": "Country", "all": "all", "freeze": "Freeze layout",
           "unfreeze": "Resume layout", "sources": "Sources", "facts": "Facts",
           "notfound": "No node matches", "fit": "Show all"},
    "fr": {"search": "Trouver un nœud (toute langue)…", "class": "Classe",
           "sector": "Secteur", "country": "Pays", "all": "tous",
           "freeze": "Figer la disposition", "unfreeze": "Reprendre la disposition",
           "sources": "Sources", "facts": "Faits", "notfound": "Aucun nœud ne correspond",
           "fit": "Tout afficher"},
    "ko": {"search": "노드 찾기 (모든 언어)…", "class": "유형", "sector": "분야",
           "country": "국가", "all": "전체", "freeze": "배치 고정", "unfreeze": "배치 재개",
           "sources": "출처", "facts": "사실", "notfound": "일치하는 노드 없음",
           "fit": "전체 보기"},
}


def render(
    engine: Any,
    *,
    lang: str = "en",
    types: tuple[str, ...] = (),
    sectors: tuple[str, ...] = (),
    countries: tuple[str, ...] = (),
    focus: str | None = None,
    depth: int = 1,
    only: list[Any] | None = None,
    query_name: str | None = None,
    title: str | None = None,
    path: Any = None,
    progress: Callable[[str], None] | None = None,
) -> str:
    """The HTML page for the graph (or the part the options select; `only`: the triples a
    CONSTRUCT query chose, `query_name` its file's name for the footer; `path`, a
    Connection from Graph.path, is highlighted). `progress` hears each stage's name, then
    "" at the end."""
    from kqgraph.lookup import count
    from kqgraph.project import project
    from kqgraph.vizpath import page_data

    tell = progress or (lambda message: None)
    tell("viz: reading the network…")
    graph = project(engine, lang=lang, types=types, sectors=sectors, countries=countries,
                    focus=focus, depth=depth, only=only)
    options = {"lang": lang, "type": list(types), "sector": list(sectors),
               "country": list(countries), "focus": focus, "depth": depth if focus else None,
               "query": query_name}
    if path is not None:
        options["path"] = f"{path.source.id} {path.target.id}"
    shown = {k: v for k, v in options.items() if v not in (None, [], "")}
    from kqgraph.panel import details

    tell(f"viz: the side panel's facts and sources of {graph.number_of_nodes():,} nodes…")
    panel = details(engine, graph, lang)
    paths = page_data(graph, lang=lang, engine=engine, path=path)
    tell(f"viz: laying out {graph.number_of_nodes():,} nodes and writing the page…")
    html = page(graph, lang=lang, title=title or TITLE[lang], options=shown,
                triples=count(engine, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"),
                panel=panel, paths=paths)
    tell("")
    return html


def network(graph: nx.MultiDiGraph) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The nodes (positions, colours, shapes, sizes) and edges vis-network draws, in the
    projection's order."""
    classes = sorted({data["class"] for _, data in graph.nodes(data=True)})
    colour = {cls: PALETTE[i % len(PALETTE)] for i, cls in enumerate(classes)}
    positions = _layout(graph)
    degree = dict(graph.degree())
    nodes = []
    for node, data in graph.nodes(data=True):
        cls = data["class"].removeprefix("kq:")
        x, y = positions.get(node, (0, 0))
        nodes.append({"id": node, "label": data["label"], "shape": SHAPES.get(cls, "dot"),
                      "color": colour[data["class"]],
                      "size": 10 + 4 * min(degree.get(node, 0), 10), "x": x, "y": y})
    edges = [{"from": source, "to": target, "id": f"{source} {key} {target}", "property": key}
             for source, target, key in graph.edges(keys=True)]
    return nodes, edges


def _layout(graph: nx.MultiDiGraph) -> dict[str, tuple[int, int]]:
    """A deterministic force-directed layout, scaled to screen units."""
    import networkx as nx

    if graph.number_of_nodes() == 0:
        return {}
    # Only the shape: to_undirected() would deep-copy every attribute (2 s at 100k triples).
    simple = nx.Graph()
    simple.add_nodes_from(graph)
    simple.add_edges_from(graph.edges(keys=False))
    if len(simple) > CORE:
        positions = _core_layout(simple)
    elif len(simple) > LARGE:
        positions = _grid_layout(simple)
    elif len(simple) <= 200:
        positions = nx.spring_layout(simple, seed=SEED, iterations=100)
    else:
        # A force-directed round costs O(n²) (about 0.1 s at 500 nodes, 1.5 s at 5,000
        # here): fewer rounds the larger the network, so the build stays within seconds.
        # (A spectral start would converge faster, but SciPy's eigensolver starts from a
        # random vector, which would make the page differ from run to run.)
        start = nx.random_layout(simple, seed=SEED)
        rounds = max(3, min(100, int(2.5e6 / len(simple) ** 2)))
        positions = nx.spring_layout(simple, pos=start, seed=SEED, iterations=rounds)
    scale = 40 * max(len(simple) ** 0.5, 4)
    return {n: (round(float(x) * scale), round(float(y) * scale)) for n, (x, y) in
            sorted(positions.items())}


def _grid_layout(simple: nx.Graph) -> dict[str, tuple[float, float]]:
    """igraph's Fruchterman–Reingold on a grid: repulsion only between nearby nodes, so a
    round costs about O(n) where networkx's costs O(n²) (benchmarks/viz.py measures both).
    Seeded twice over, the start and igraph's random generator, so the page is the same
    from run to run; positions normalised to [-1, 1] as networkx's are."""
    import random

    import igraph

    nodes = sorted(simple)
    index = {n: i for i, n in enumerate(nodes)}
    g = igraph.Graph(n=len(nodes), edges=sorted((min(index[a], index[b]), max(index[a], index[b]))
                                                for a, b in simple.edges()))
    rng = random.Random(SEED)
    # igraph's grid cells are a few units wide: a start squeezed into [-1, 1] puts every
    # node in one cell and the round back to O(n²) (58 s against 2 s at 13,000 nodes).
    half = len(nodes) ** 0.5
    start = [[rng.uniform(-half, half), rng.uniform(-half, half)] for _ in nodes]
    igraph.set_random_number_generator(random.Random(SEED))
    try:
        rounds = max(50, min(200, GRID_WORK // len(nodes)))
        coords = g.layout_fruchterman_reingold(seed=start, niter=rounds, grid="grid").coords
    finally:
        igraph.set_random_number_generator(random)
    span = max((abs(c) for xy in coords for c in xy), default=1.0) or 1.0
    return {n: (xy[0] / span, xy[1] / span) for n, xy in zip(nodes, coords, strict=True)}


def _core_layout(simple: nx.Graph) -> dict[str, tuple[float, float]]:
    """Above CORE nodes: the CORE best-linked nodes laid out as _grid_layout does, and every
    other node placed beside the first laid-out neighbour a breadth-first walk from them
    reaches (nodes no walk reaches go in rows below). igraph's grid layout grows faster than
    its nodes on these networks (2.4 s at 13,000 nodes, 28 s at 40,000, over 6 minutes at
    133,000), while this costs the core's layout and one walk. Deterministic: sorted
    neighbours, seeded offsets."""
    import math
    import random

    by_degree = sorted(simple, key=lambda n: (-simple.degree(n), n))
    positions = dict(_grid_layout(simple.subgraph(by_degree[:CORE])))
    rng = random.Random(SEED)
    step = 1 / len(simple) ** 0.5  # about the spacing the whole network would have
    queue = list(by_degree[:CORE])
    for node in queue:  # grows as it goes: a breadth-first walk
        x, y = positions[node]
        for near in sorted(simple[node]):
            if near not in positions:
                angle, radius = rng.uniform(0, 2 * math.pi), step * rng.uniform(0.5, 1.5)
                positions[near] = (x + radius * math.cos(angle), y + radius * math.sin(angle))
                queue.append(near)
    left = sorted(n for n in simple if n not in positions)
    width = max(1, math.ceil(len(left) ** 0.5))
    for i, node in enumerate(left):
        positions[node] = (-1 + 2 * (i % width) / width, 1.1 + 2 * step * (i // width))
    span = max((abs(c) for xy in positions.values() for c in xy), default=1.0) or 1.0
    return {n: (x / span, y / span) for n, (x, y) in positions.items()}


def page(graph: nx.MultiDiGraph, *, lang: str, title: str, options: dict[str, Any],
         triples: int, panel: dict[str, Any] | None = None,
         paths: dict[str, Any] | None = None) -> str:
    """The whole HTML document; `panel` (kqgraph.panel.details) feeds the side panel and
    the date filter, `paths` (kqgraph.vizpath.page_data) the path finder."""
    from kqgraph.project import split

    drawn, drawn_edges = network(graph)
    physics = graph.number_of_nodes() <= PHYSICS_LIMIT
    nodes = []
    for entry in drawn:
        data = graph.nodes[entry["id"]]
        nodes.append({
            "id": entry["id"], "label": entry["label"], "shape": entry["shape"],
            "color": entry["color"], "size": entry["size"], "x": entry["x"], "y": entry["y"],
            "class": data["class"], "classLabel": data["class_label"],
            "labels": [data["label_ko"], data["label_en"], data["label_fr"]],
            "country": data["country"], "countryLabel": data["country_label"],
            "sectors": split(data["sectors"]),
            "sectorLabels": split(data["sector_labels"]), "iri": data["iri"],
            "sources": split(data["source_labels"]), "facts": split(data["facts"]),
            "details": split(data["details"]),
        })
    edges = [{"id": e["id"], "from": e["from"], "to": e["to"],
              "label": graph.edges[e["from"], e["to"], e["property"]]["label"]}
             for e in drawn_edges]
    countries = sorted({(data["country"], data["country_label"])
                        for _, data in graph.nodes(data=True) if data["country"]})
    sectors = sorted({(s, label) for n in nodes for s, label in
                      zip(n["sectors"], n["sectorLabels"], strict=False)})
    legend = sorted({(n["class"], n["classLabel"], n["color"], n["shape"]) for n in nodes})
    data = {
        "nodes": nodes, "edges": edges, "physics": physics, "seed": SEED,
        "large": graph.number_of_nodes() > LARGE,
        "legend": [{"class": c, "label": label, "color": col, "shape": shp}
                   for c, label, col, shp in legend],
        "sectors": [{"id": s, "label": label} for s, label in sectors],
        "countries": [{"id": c, "label": label} for c, label in countries],
        "text": _text(lang), "title": title,
        "panel": panel or {"sources": [], "nodes": {}, "edges": {}},
        "footer": _footer(lang, graph, options, triples),
        "paths": paths or _no_paths(graph, lang),  # kqgraph.vizpath
    }
    parts = {
        "lang": lang,
        "title": _escape_html(title),
        "vis_css": _asset("vis-network.css"),
        "vis_js": _asset("vis-network.min.js"),
        "style": _own("viz.css") + _own("viz-path.css"),
        "data": _json_for_script(data),
        "app": _own("viz.js") + _own("viz-path.js"),
        "panel_css": _own("viz-panel.css"),
        "panel_js": _own("viz-panel.js"),
    }
    # Fill the slots in one pass, so that nothing inserted is read again as a slot.
    return re.sub(r"@@(\w+)@@", lambda m: parts[m[1]], _own("viz.html"))


def _text(lang: str) -> dict[str, Any]:
    from kqgraph.panel import PANEL_TEXT

    return {**TEXT[lang], **PANEL_TEXT[lang]}


def _no_paths(graph: nx.MultiDiGraph, lang: str) -> dict[str, Any]:
    from kqgraph.vizpath import page_data

    return page_data(graph, lang=lang)


# The footer's words: what the page draws, and for a large network where its names are.
FOOTER = {
    "en": {"triples": "triples", "nodes": "nodes", "edges": "edges", "options": "options",
           "sources": "sources", "zoom": "names shown when zoomed in"},
    "fr": {"triples": "triplets", "nodes": "nœuds", "edges": "liens", "options": "options",
           "sources": "sources", "zoom": "noms affichés en zoomant"},
    "ko": {"triples": "트리플", "nodes": "노드", "edges": "링크", "options": "옵션",
           "sources": "출처", "zoom": "확대하면 이름 표시"},
}


def _footer(lang: str, graph: nx.MultiDiGraph, options: dict[str, Any], triples: int) -> str:
    words = FOOTER[lang]
    shown = ", ".join(f"{k}={v if not isinstance(v, list) else '+'.join(v)}"
                      for k, v in sorted(options.items()))
    zoom = f" ({words['zoom']})" if graph.number_of_nodes() > LARGE else ""
    return (f"kqgraph {__version__} · {triples} {words['triples']} · "
            f"{graph.number_of_nodes()} {words['nodes']}{zoom}, "
            f"{graph.number_of_edges()} {words['edges']} · {words['options']}: {shown} · "
            f"{words['sources']}: https://w3id.org/kqgraph/source/")


def _asset(name: str) -> str:
    """A file of the vis-network library that pyvis ships, read as text. Found without
    importing pyvis, whose package imports IPython and Jinja (0.2 s of every page)."""
    from importlib.util import find_spec

    spec = find_spec("pyvis")
    if spec is None or not spec.submodule_search_locations:
        raise KqError("pyvis is not installed (it ships the vis-network library the page "
                      "inlines): pip install pyvis")
    folder = Path(next(iter(spec.submodule_search_locations)))
    return (folder / "lib" / "vis-9.1.2" / name).read_text(encoding="utf-8")


def _own(name: str) -> str:
    """The page's own template, script and style (src/kqgraph/assets/)."""
    return (resources.files("kqgraph") / "assets" / name).read_text(encoding="utf-8")


def _escape_html(text: str) -> str:
    from html import escape

    return escape(text, quote=True)


def _json_for_script(value: Any) -> str:
    """JSON safe inside <script>: no '<', '>' or '&' can close the element or open a comment."""
    import orjson

    # orjson writes the bytes of json.dumps(ensure_ascii=False, sort_keys=True, compact
    # separators) for these strings, lists and integers, in a tenth of the time.
    text = orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                       ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, code)
    return text
