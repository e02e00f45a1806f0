"""Projection stage: RDF → networkx, for analysis, visualisation and graph-tool exports.

Nodes are the graph's entities (organisations, places, people, events and talks, and the
relation nodes: agreements, presences, investments, missions, policies); edges are the
statements linking two of them, labelled with the property's label. Types, labels, sources,
sectors and literals become node attributes, and so do observations and claims (as the
entity's key facts): a tooltip shows them, and they do not crowd the picture.

Each node and edge says when it held (`start`, `end`, as the sources write them; see
kqgraph.dates) and who says so (`sources`): an edge's own statement when the triple is
reified (Ford's part in the EcoPro plant ends in 2024-10), else the relation node it belongs
to. `at` keeps what was in force on a day. Every attribute is a string, so that GraphML and
CSV carry the projection unchanged; lists are joined with " | " (see `join`).

The projection is made as records (`Network`: nodes and edges with their attributes), which
is what is kept beside a store and what the GraphML and CSV writers read; analyses and
views get the networkx graph made of them (`project`).
"""

from __future__ import annotations

import contextlib
import gc
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from kqgraph import dates
from kqgraph.errors import KqError
from kqgraph.lookup import fold, labels_of, resolve
from kqgraph.vocab import KQ, LANGS, PROV, RDF, RDFS, SCHEMA, curie, pick_label, short_name

if TYPE_CHECKING:
    import networkx as nx
    import pyoxigraph as ox

SEP = " | "


def join(items: Iterable[str]) -> str:
    """A list as one attribute: items joined with SEP, a `|` or `\\` inside an item
    escaped with a backslash, so that `split` gives the items back whatever they hold (a
    description may well contain " | ")."""
    items = list(items)
    if not items:
        return ""
    text = SEP.join(items)
    if "\\" not in text and text.count("|") == len(items) - 1:
        return text  # nothing to escape: the common case, checked once for the whole list
    return SEP.join(x.replace("\\", "\\\\").replace("|", "\\|") if "|" in x or "\\" in x
                    else x for x in items)


def split(text: str) -> list[str]:
    """The items of a `join`ed attribute ("" is no item)."""
    if not text:
        return []
    if "\\" not in text:
        return text.split(SEP)
    items, item, at = [], [], 0
    while at < len(text):
        if text[at] == "\\" and at + 1 < len(text):
            item.append(text[at + 1])
            at += 2
        elif text.startswith(SEP, at):
            items.append("".join(item))
            item, at = [], at + len(SEP)
        else:
            item.append(text[at])
            at += 1
    items.append("".join(item))
    return items


# Classes shown as attributes of what they are about, never as nodes.
NOT_NODES = {"Observation", "Claim", "Sector", "Source"}
# Properties that are structure or provenance, never edges.
NOT_EDGES = {RDF.type, PROV.wasDerivedFrom, KQ.sector}

ENTITY_QUERY = """
SELECT ?s ?class WHERE {
  ?s a ?class . ?class rdfs:subClassOf* kq:Entity .
  FILTER(isIRI(?s) && STRSTARTS(STR(?class), STR(kq:)))
}"""
COUNTRY_QUERY = """
SELECT ?s (MIN(STR(?country)) AS ?c) WHERE {
  ?s (schema:location|schema:containedInPlace|schema:worksFor|schema:affiliation)* ?country .
  ?country a kq:Country .
} GROUP BY ?s"""
FACT_QUERY = """
SELECT ?about ?fact WHERE {
  { ?fact a kq:Observation ; schema:observationAbout ?about }
  UNION { ?fact a kq:Claim ; kq:about ?about }
}"""
LIFECYCLE_QUERY = """
SELECT ?s ?p ?d WHERE { ?p rdfs:subPropertyOf+ kq:lifecycleDate . ?s ?p ?d FILTER(isIRI(?s)) }"""
STATEMENT_QUERY = """
SELECT ?s ?p ?o ?start ?end ?source WHERE {
  ?st a kq:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
  FILTER(isIRI(?o))
  OPTIONAL { ?st schema:startDate ?start } OPTIONAL { ?st schema:endDate ?end }
  OPTIONAL { ?st prov:wasDerivedFrom ?source }
}"""


def project(
    engine: Any,
    *,
    lang: str = "en",
    types: Iterable[str] = (),
    sectors: Iterable[str] = (),
    countries: Iterable[str] = (),
    focus: str | None = None,
    depth: int = 1,
    only: Iterable[ox.Triple] | None = None,
    at: str | None = None,
) -> nx.MultiDiGraph:
    """The entity network, optionally filtered by class, sector and country, cut to the
    ego network of `focus` within `depth` steps, or to what was in force on the day `at`
    (what had not begun or had ended then is left out; what is undated stays). Node ids are
    CURIEs (`kqr:mila`).

    With `only` (e.g. a CONSTRUCT's result) just those triples are drawn: their entities as
    nodes, with attributes from the whole graph, and the links among them.
    """
    graph = (_network(engine, lang, only) if only is not None
             else network(engine, lang=lang)).graph()
    if at is not None:
        graph = in_force(graph, at)
    return _filter(engine, graph, types=types, sectors=sectors, countries=countries,
                   focus=focus, depth=depth)


class Network(NamedTuple):
    """The projection as plain records, in the order networkx gives them back: what GraphML
    and CSV write, and what is kept beside a store. An export reads these without building
    (or importing) networkx, about a quarter of a new graph's GraphML export at 100k
    triples before."""

    nodes: list[tuple[str, dict[str, str]]]  # id, attributes
    edges: list[tuple[str, str, str, dict[str, str]]]  # source, target, key, attributes

    def graph(self) -> nx.MultiDiGraph:
        """As a networkx graph, for analysis and drawing."""
        import networkx as nx

        graph = nx.MultiDiGraph()
        graph.add_nodes_from(self.nodes)
        graph.add_edges_from(self.edges)
        return graph


# The modules whose code decides what a projection holds: a change in any of them makes a
# kept projection stale (the package version does not change between commits).
MADE_BY = ("project", "dates", "lookup", "vocab")


def network(engine: Any, *, lang: str = "en") -> Network:
    """The whole entity network in `lang`, as records. Of a persistent store it is kept
    beside the store (kqgraph.cache.derived) and read back in a fraction of the time it
    takes to make (benchmarks/README.md): views, exports and analyses of a large graph
    reuse it."""
    if not engine.persistent or lang not in LANGS:
        return _network(engine, lang, None)
    made = []

    def make() -> bytes:
        made.append(_network(engine.in_memory(), lang, None))
        return _dumps(made[0])

    try:
        depends = b"".join((Path(__file__).parent / f"{name}.py").read_bytes()
                           for name in MADE_BY) + lang.encode()
    except OSError:  # the package's code is not files: nothing kept
        return _network(engine, lang, None)
    data = engine.derived(f"projection-{lang}.json", depends, make)
    return made[0] if made else _loads(data)


def _dumps(network: Network) -> bytes:
    """Compact UTF-8 JSON (orjson: the bytes of json.dumps(ensure_ascii=False,
    separators=(",", ":")), 20 times sooner)."""
    import orjson

    return orjson.dumps({"nodes": network.nodes, "edges": network.edges})


def _loads(data: bytes) -> Network:
    import orjson

    kept = orjson.loads(data)
    return Network([(n, d) for n, d in kept["nodes"]],
                   [(s, t, k, d) for s, t, k, d in kept["edges"]])


def _network(engine: Any, lang: str, only: Iterable[ox.Triple] | None) -> Network:
    """The network before filters: every entity, or those of `only`."""
    with _without_cycle_collection():
        return _make_network(engine, lang, only)


@contextlib.contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused: a projection makes hundreds of thousands of dicts,
    lists and tuples and no cycles, and the collector's passes over them were a fifth of its
    time (0.70 s → 0.57 s at 100k triples). What is freed is freed as before. The pause is
    the whole process's (gc has no other kind): a library user's threads with cyclic garbage
    wait for it as long as the projection takes (seconds at 1M triples)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _make_network(engine: Any, lang: str, only: Iterable[ox.Triple] | None) -> Network:
    import pyoxigraph as ox

    classes: dict[str, set[str]] = defaultdict(set)
    for row in engine.query(ENTITY_QUERY).rows:
        classes[row["s"].value].add(row["class"].value.removeprefix(KQ.base))
    nodes = {iri: cls for iri, cls in classes.items() if not cls & NOT_NODES or "Talk" in cls}
    facts: dict[str, list[str]] = defaultdict(list)
    for row in engine.query(FACT_QUERY).rows:
        facts[row["about"].value].append(row["fact"].value)
    index = _Index(engine.triples(), {*nodes, *(f for fs in facts.values() for f in fs)}, lang)
    triples = index.links
    if only is not None:
        triples = [(t.subject.value, t.predicate.value, t.object.value) for t in only
                   if isinstance(t.object, ox.NamedNode)]
        drawn = {t.subject.value for t in only} | {t.object.value for t in only}
        nodes = {iri: cls for iri, cls in nodes.items() if iri in drawn}
    country = {row["s"].value: row["c"].value for row in engine.query(COUNTRY_QUERY).rows}

    lifecycle: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for row in engine.query(LIFECYCLE_QUERY).rows:
        lifecycle[row["s"].value][row["p"].value].append(row["d"].value)
    spans = {iri: dates.starts_and_ends(cls, lifecycle.get(iri, {})) for iri, cls in nodes.items()}
    reified = _statements(engine)

    held: dict[str, dict[str, str]] = {}  # node id → attributes, in the order of ids
    for iri in sorted(nodes):
        held[index.curie(iri)] = {
            **_attributes(index, iri, nodes[iri], country.get(iri), facts.get(iri, [])),
            **_when(*spans[iri])}
    edges = sorted({(s, p, o) for s, p, o in triples
                    if s in nodes and p not in NOT_EDGES and o in nodes})
    starts = set(dates.STARTS)
    pairs: dict[tuple[str, str], list[tuple[str, str, str, dict[str, str]]]] = {}
    named: dict[str, dict[str, str]] = {}  # a property's CURIE and labels, made once
    for s, p, o in edges:
        if (names := named.get(p)) is None:
            labels = index.labels.get(p, {})
            shown = index.curie(p)
            names = named[p] = {
                "property": shown, "label": pick_label(labels, lang) or shown.split(":", 1)[-1],
                **{f"label_{code}": labels.get(code, "") for code in LANGS}}
        relation = s if nodes[s] & starts or not nodes[o] & starts else o
        start, end, sources = reified.get((s, p, o), (None, None, ()))
        node_start, node_end = spans[relation]
        if sources:
            cited = {"sources": join(x for x in sources if x),
                     "source_labels": join(index.label(_iri(x)) for x in sources if x)}
        else:  # the relation node's own, already joined
            own = held[index.curie(relation)]
            cited = {"sources": own["sources"], "source_labels": own["source_labels"]}
        source, target = index.curie(s), index.curie(o)
        pair = (source, target)
        if (group := pairs.get(pair)) is None:
            group = pairs[pair] = []
        group.append((source, target, names["property"],
                      {**names, **_when(start or node_start, end or node_end), **cited}))
    # networkx gives a node's edges back by neighbour, in the order each was first linked
    # (edges come sorted by subject, so by node too): kept in that order, records and
    # graph read the same.
    return Network(list(held.items()), [e for group in pairs.values() for e in group])


def _iri(shown: str) -> str:
    from kqgraph.vocab import expand

    return expand(shown) or shown.strip("<>")


def _when(start: dates.Span | None, end: dates.Span | None) -> dict[str, str]:
    return {"start": dates.shown(start), "end": dates.shown(end)}


def _statements(engine: Any) -> dict[tuple[str, str, str], tuple[Any, Any, tuple[str, ...]]]:
    """For each reified entity-to-entity triple: the start and end its statements give,
    and their sources (CURIEs)."""
    found: dict[tuple[str, str, str], dict[str, set[str]]] = defaultdict(
        lambda: {"start": set(), "end": set(), "sources": set()})
    for row in engine.query(STATEMENT_QUERY).rows:
        entry = found[(row["s"].value, row["p"].value, row["o"].value)]
        for key in ("start", "end"):
            if key in row:
                entry[key].add(row[key].value)
        if "source" in row:
            entry["sources"].add(curie(row["source"].value))
    return {triple: (dates.span(sorted(e["start"])), dates.span(sorted(e["end"])),
                     tuple(sorted(e["sources"]))) for triple, e in found.items()}


def span_of(data: dict[str, str]) -> tuple[dates.Span | None, dates.Span | None]:
    """A node's or edge's start and end, from its `start` and `end` attributes."""
    return (dates.span([v for v in data.get("start", "").split(" · ") if v]),
            dates.span([v for v in data.get("end", "").split(" · ") if v]))


def in_force(graph: nx.MultiDiGraph, day: str) -> nx.MultiDiGraph:
    """The part of the network in force on `day`: nodes and edges whose start had passed and
    whose end had not (see kqgraph.dates.status), and those that are undated."""
    keep = {"in force", "undated"}
    nodes = [n for n, data in graph.nodes(data=True)
             if dates.status(*span_of(data), day) in keep]
    sub = graph.subgraph(nodes).copy()
    sub.remove_edges_from([(a, b, k) for a, b, k, data in sub.edges(keys=True, data=True)
                           if dates.status(*span_of(data), day) not in keep])
    return sub


class _Index:
    """Every triple read once (a projection needs labels of nearly everything, and the
    literals, sources and sectors of every node; one lookup each was 300,000 pattern
    queries at 100k triples, and as many HTTP requests on an endpoint)."""

    def __init__(self, triples: Iterable[ox.Triple], kept: set[str], lang: str) -> None:
        import pyoxigraph as ox

        self.lang = lang
        self.labels: dict[str, dict[str, str]] = defaultdict(dict)
        # subject → predicate → objects, for the kept subjects (the nodes and their facts)
        self.of: dict[str, dict[str, list[Any]]] = {}
        self.links: list[tuple[str, str, str]] = []
        self._curies: dict[str, str] = {}
        self._shown: dict[str, str] = {}
        label_iri = RDFS.label
        named, literal = ox.NamedNode, ox.Literal
        for subject, predicate, obj in triples:
            if not isinstance(subject, named):
                continue
            s, p = subject.value, predicate.value
            if p == label_iri and isinstance(obj, literal):
                self.labels[s][obj.language or ""] = obj.value
            elif isinstance(obj, named):
                self.links.append((s, p, obj.value))
            if s in kept:  # get before set: setdefault would make a dict and a list each time
                if (held := self.of.get(s)) is None:
                    held = self.of[s] = {}
                if (objects := held.get(p)) is None:
                    held[p] = [obj]
                else:
                    objects.append(obj)

    def curie(self, iri: str) -> str:
        if (shown := self._curies.get(iri)) is None:
            shown = self._curies[iri] = curie(iri)
        return shown

    def label(self, iri: str) -> str:
        """As kqgraph.lookup.label, from the index."""
        if (shown := self._shown.get(iri)) is None:
            shown = self._shown[iri] = (pick_label(self.labels.get(iri, {}), self.lang)
                                        or short_name(iri))
        return shown

    def display(self, term: Any) -> str:
        """As kqgraph.lookup.display, from the index."""
        import pyoxigraph as ox

        if isinstance(term, ox.NamedNode):
            return self.label(term.value)
        if isinstance(term, ox.BlankNode):
            return f"_:{term.value}"
        return term.value

    def objects(self, iri: str, predicate: str) -> list[Any]:
        return self.of.get(iri, {}).get(predicate, [])


_LABEL_KEYS = tuple((f"label_{code}", code) for code in LANGS)


def _attributes(index: _Index, iri: str, classes: set[str], country: str | None,
                facts: list[str]) -> dict[str, str]:
    cls = "Talk" if "Talk" in classes else min(classes - {"Source"})
    labels = index.labels.get(iri, {})
    held = index.of.get(iri, {})
    sources = sorted(o.value for o in held.get(PROV.wasDerivedFrom, ()))
    sectors = sorted(o.value for o in held.get(KQ.sector, ()))
    values = _literals(index, iri)
    attributes = {
        "iri": iri,
        "label": pick_label(labels, index.lang) or index.curie(iri).split(":", 1)[-1],
    }
    for key, code in _LABEL_KEYS:
        attributes[key] = labels.get(code, "")
    attributes.update({
        "class": f"kq:{cls}",
        "class_label": index.label(KQ.base + cls),
        "country": index.curie(country) if country else "",
        "country_label": index.label(country) if country else "",
        "sectors": join([index.curie(s) for s in sectors]),
        "sector_labels": join([index.label(s) for s in sectors]),
        "sources": join([index.curie(s) for s in sources]),
        "source_labels": join([index.label(s) for s in sources]),
        "facts": join(sorted({_fact_text(index, f) for f in facts})),
        "details": join([f"{k}: {', '.join(sorted(v))}" for k, v in sorted(values.items())]),
    })
    return attributes


def _literals(index: _Index, iri: str) -> dict[str, list[str]]:
    """The node's literal values other than labels, by property label; of the values with a
    language tag, those in `lang` (or the fallback language), every one of them, sorted."""
    import pyoxigraph as ox

    out = {}
    label_iri = RDFS.label
    for prop, objects in index.of.get(iri, {}).items():
        literals = [o for o in objects if isinstance(o, ox.Literal)]
        if not literals or prop == label_iri:
            continue
        chosen = sorted({lit.value for lit in literals if not lit.language})
        tagged: dict[str, list[str]] = defaultdict(list)
        for lit in literals:
            if lit.language:
                tagged[lit.language].append(lit.value)
        if tagged:
            chosen += sorted(pick_label(dict(tagged), index.lang) or [])
        out[index.label(prop)] = chosen
    return out


def _fact_text(index: _Index, fact: str) -> str:
    """An observation as 'label: qualifier value unit', a claim as its text."""

    def one(prop: str) -> Any:
        return next(iter(index.objects(fact, prop)), None)

    value = one(SCHEMA.value)
    name = index.label(fact)
    if value is None:
        texts = {o.language: o.value for o in index.objects(fact, SCHEMA.description)}
        return f"{name}: {pick_label(texts, index.lang) or ''}".rstrip(": ")
    qualifier = one(KQ.valueQualifier)
    unit = one(SCHEMA.unitCode) or one(SCHEMA.unitText)
    parts = [index.display(qualifier)] if qualifier else []
    parts.append(value.value)
    if unit:
        parts.append("%" if unit.value == "P1" else unit.value)
    return f"{name}: {' '.join(parts)}"


def _filter(engine: Any, graph: nx.MultiDiGraph, *, types: Iterable[str],
            sectors: Iterable[str], countries: Iterable[str], focus: str | None,
            depth: int) -> nx.MultiDiGraph:
    import networkx as nx

    keep = set(graph)
    if types := [_class_name(engine, t) for t in types]:
        keep = {n for n in keep if graph.nodes[n]["class"] in types}
    if sectors := [curie(resolve(engine, s)) for s in sectors]:
        keep = {n for n in keep if set(split(graph.nodes[n]["sectors"])) & set(sectors)}
    if countries := [curie(resolve(engine, c)) for c in countries]:
        keep = {n for n in keep if graph.nodes[n]["country"] in countries}
    if len(keep) < len(graph):
        graph = graph.subgraph(keep).copy()
    if focus is not None:
        center = curie(resolve(engine, focus))
        if center not in graph:
            raise KqError(f"{focus!r} is not drawn (it is not an entity node, or is filtered "
                          "out)")
        near = nx.ego_graph(graph.to_undirected(as_view=True), center, radius=depth)
        graph = graph.subgraph(near).copy()
    return graph


def _class_name(engine: Any, name: str) -> str:
    """A --type value as a class CURIE: 'kq:University', 'University', 'university' or a
    label such as 'université'."""
    wanted = fold(name.removeprefix("kq:"))
    for row in engine.query("SELECT ?c WHERE { ?c rdfs:subClassOf* kq:Entity }").rows:
        local = row["c"].value.removeprefix(KQ.base)
        labels = labels_of(engine, row["c"].value).values()
        if wanted in {fold(local), *map(fold, labels)}:
            return f"kq:{local}"
    raise KqError(f"no class named {name!r} (e.g. university, company, agreement)")
