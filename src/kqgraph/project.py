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
CSV carry the projection unchanged; lists are joined with " | ".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from kqgraph import dates
from kqgraph.errors import KqError
from kqgraph.lookup import display, fold, label, labels_of, node, resolve
from kqgraph.vocab import KQ, LANGS, PROV, RDF, RDFS, SCHEMA, curie, pick_label

if TYPE_CHECKING:
    import networkx as nx
    import pyoxigraph as ox

SEP = " | "
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
    import networkx as nx
    import pyoxigraph as ox

    engine = _LabelsRemembered(engine)
    classes: dict[str, set[str]] = defaultdict(set)
    for row in engine.query(ENTITY_QUERY).rows:
        classes[row["s"].value].add(row["class"].value.removeprefix(KQ.base))
    nodes = {iri: cls for iri, cls in classes.items() if not cls & NOT_NODES or "Talk" in cls}
    triples = list(engine.triples())
    if only is not None:
        triples = list(only)
        drawn = {t.subject.value for t in triples} | {t.object.value for t in triples}
        nodes = {iri: cls for iri, cls in nodes.items() if iri in drawn}
    country = {row["s"].value: row["c"].value for row in engine.query(COUNTRY_QUERY).rows}
    facts: dict[str, list[str]] = defaultdict(list)
    for row in engine.query(FACT_QUERY).rows:
        facts[row["about"].value].append(row["fact"].value)

    lifecycle: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for row in engine.query(LIFECYCLE_QUERY).rows:
        lifecycle[row["s"].value][row["p"].value].append(row["d"].value)
    spans = {iri: dates.starts_and_ends(cls, lifecycle.get(iri, {})) for iri, cls in nodes.items()}
    reified = _statements(engine)

    graph = nx.MultiDiGraph()
    for iri in sorted(nodes):
        graph.add_node(curie(iri), **_attributes(engine, iri, nodes[iri], country.get(iri),
                                                  facts.get(iri, []), lang), **_when(*spans[iri]))
    edges = sorted({(t.subject.value, t.predicate.value, t.object.value) for t in triples
                    if t.subject.value in nodes and t.predicate.value not in NOT_EDGES
                    and isinstance(t.object, ox.NamedNode) and t.object.value in nodes})
    for s, p, o in edges:
        labels = labels_of(engine, p)
        relation = s if nodes[s] & set(dates.STARTS) or o not in nodes or not (
            nodes[o] & set(dates.STARTS)) else o
        start, end, sources = reified.get((s, p, o), (None, None, ()))
        node_start, node_end = spans[relation]
        sources = sources or tuple(graph.nodes[curie(relation)]["sources"].split(SEP))
        graph.add_edge(curie(s), curie(o), key=curie(p), property=curie(p),
                       label=pick_label(labels, lang) or curie(p).split(":", 1)[-1],
                       **{f"label_{code}": labels.get(code, "") for code in LANGS},
                       **_when(start or node_start, end or node_end),
                       sources=SEP.join(x for x in sources if x),
                       source_labels=SEP.join(label(engine, _iri(x), lang)
                                              for x in sources if x))
    if at is not None:
        graph = in_force(graph, at)
    return _filter(engine, graph, types=types, sectors=sectors, countries=countries,
                   focus=focus, depth=depth)


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


class _LabelsRemembered:
    """The engine, with each entity's labels read once: a projection asks for the same
    class, country, sector, source and property labels on every node (86,000 lookups for
    13,000 nodes at 100k triples)."""

    def __init__(self, engine: Any) -> None:
        self._engine = engine
        self._labels: dict[Any, list[Any]] = {}

    def triples(self, subject: Any = None, predicate: Any = None, obj: Any = None
                ) -> Iterator[ox.Triple]:
        if subject is None or obj is not None or predicate is None \
                or predicate.value != RDFS.label:
            return self._engine.triples(subject, predicate, obj)
        if subject not in self._labels:
            self._labels[subject] = list(self._engine.triples(subject, predicate, None))
        return iter(self._labels[subject])

    def __getattr__(self, name: str) -> Any:
        return getattr(self._engine, name)


def _attributes(engine: Any, iri: str, classes: set[str], country: str | None,
                facts: list[str], lang: str) -> dict[str, str]:

    subject = node(iri)
    cls = "Talk" if "Talk" in classes else min(classes - {"Source"})
    labels = labels_of(engine, iri)
    values = _literals(engine, subject, lang)
    sources = sorted(t.object.value for t in engine.triples(subject, node(PROV.wasDerivedFrom)))
    sectors = sorted(t.object.value for t in engine.triples(subject, node(KQ.sector)))
    class_node = node(KQ[cls])
    return {
        "iri": iri,
        "label": pick_label(labels, lang) or curie(iri).split(":", 1)[-1],
        **{f"label_{code}": labels.get(code, "") for code in LANGS},
        "class": f"kq:{cls}",
        "class_label": display(engine, class_node, lang),
        "country": curie(country) if country else "",
        "country_label": display(engine, node(country), lang) if country else "",
        "sectors": SEP.join(curie(s) for s in sectors),
        "sector_labels": SEP.join(display(engine, node(s), lang) for s in sectors),
        "sources": SEP.join(curie(s) for s in sources),
        "source_labels": SEP.join(display(engine, node(s), lang) for s in sources),
        "facts": SEP.join(sorted({_fact_text(engine, f, lang) for f in facts})),
        "details": SEP.join(f"{k}: {', '.join(sorted(v))}" for k, v in sorted(values.items())),
    }


def _literals(engine: Any, subject: Any, lang: str) -> dict[str, list[str]]:
    """The node's literal values other than labels, by property label; of the values with a
    language tag, those in `lang` (or the fallback language), every one of them, sorted."""
    import pyoxigraph as ox

    by_property: dict[Any, list[Any]] = defaultdict(list)
    for triple in engine.triples(subject, None, None):
        if isinstance(triple.object, ox.Literal) and triple.predicate.value != RDFS.label:
            by_property[triple.predicate].append(triple.object)
    out = {}
    for prop, literals in by_property.items():
        chosen = sorted({lit.value for lit in literals if not lit.language})
        tagged: dict[str, list[str]] = defaultdict(list)
        for lit in literals:
            if lit.language:
                tagged[lit.language].append(lit.value)
        if tagged:
            chosen += sorted(pick_label(dict(tagged), lang) or [])
        out[display(engine, prop, lang)] = chosen
    return out


def _fact_text(engine: Any, fact: str, lang: str) -> str:
    """An observation as 'label: qualifier value unit', a claim as its text."""
    subject = node(fact)

    def one(prop: str) -> Any:
        return next(engine.triples(subject, node(prop), None), None)

    value = one(SCHEMA.value)
    label = display(engine, subject, lang)
    if value is None:
        texts = {t.object.language: t.object.value
                 for t in engine.triples(subject, node(SCHEMA.description), None)}
        return f"{label}: {pick_label(texts, lang) or ''}".rstrip(": ")
    qualifier = one(KQ.valueQualifier)
    unit = one(SCHEMA.unitCode) or one(SCHEMA.unitText)
    parts = [display(engine, qualifier.object, lang)] if qualifier else []
    parts.append(value.object.value)
    if unit:
        parts.append("%" if unit.object.value == "P1" else unit.object.value)
    return f"{label}: {' '.join(parts)}"


def _filter(engine: Any, graph: nx.MultiDiGraph, *, types: Iterable[str],
            sectors: Iterable[str], countries: Iterable[str], focus: str | None,
            depth: int) -> nx.MultiDiGraph:
    import networkx as nx

    keep = set(graph)
    if types := [_class_name(engine, t) for t in types]:
        keep = {n for n in keep if graph.nodes[n]["class"] in types}
    if sectors := [curie(resolve(engine, s)) for s in sectors]:
        keep = {n for n in keep if set(graph.nodes[n]["sectors"].split(SEP)) & set(sectors)}
    if countries := [curie(resolve(engine, c)) for c in countries]:
        keep = {n for n in keep if graph.nodes[n]["country"] in countries}
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
