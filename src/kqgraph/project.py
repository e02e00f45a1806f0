"""Projection stage: RDF → networkx, for analysis, visualisation and graph-tool exports.

Nodes are the graph's entities (organisations, places, people, events and talks, and the
relation nodes: agreements, presences, policies); edges are the statements linking two of
them, labelled with the property's label. Types, labels, sources, sectors and literals
become node attributes, and so do observations and claims (as the entity's key facts): a
tooltip shows them, and they do not crowd the picture. Every attribute is a string, so that
GraphML and CSV carry the projection unchanged; lists are joined with " | ".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from kqgraph.errors import KqError
from kqgraph.query import display, labels_of, pick_label, resolve
from kqgraph.vocab import PREFIXES, curie

if TYPE_CHECKING:
    import networkx as nx
    import pyoxigraph as ox

    from kqgraph.store import Loaded

SEP = " | "
LABEL = PREFIXES["rdfs"] + "label"
LANGS = ("ko", "en", "fr")
# Classes shown as attributes of what they are about, never as nodes.
NOT_NODES = {"Observation", "Claim", "Sector", "Source"}
# Properties that are structure or provenance, never edges.
NOT_EDGES = {PREFIXES["rdf"] + "type", PREFIXES["prov"] + "wasDerivedFrom",
             PREFIXES["kq"] + "sector"}

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


def project(
    loaded: Loaded,
    *,
    lang: str = "en",
    types: Iterable[str] = (),
    sectors: Iterable[str] = (),
    countries: Iterable[str] = (),
    focus: str | None = None,
    depth: int = 1,
    only: Iterable[ox.Triple] | None = None,
) -> nx.MultiDiGraph:
    """The entity network, optionally filtered by class, sector and country, or cut to the
    ego network of `focus` within `depth` steps. Node ids are CURIEs (`kqr:mila`).

    With `only` (e.g. a CONSTRUCT's result) just those triples are drawn: their entities as
    nodes, with attributes from the whole graph, and the links among them.
    """
    import networkx as nx
    import pyoxigraph as ox

    store = loaded.store
    classes: dict[str, set[str]] = defaultdict(set)
    for row in _select(loaded, ENTITY_QUERY):
        classes[row["s"].value].add(row["class"].value.removeprefix(PREFIXES["kq"]))
    nodes = {iri: cls for iri, cls in classes.items() if not cls & NOT_NODES or "Talk" in cls}
    triples = [q.triple for q in store.quads_for_pattern(None, None, None)]
    if only is not None:
        triples = list(only)
        drawn = {t.subject.value for t in triples} | {t.object.value for t in triples}
        nodes = {iri: cls for iri, cls in nodes.items() if iri in drawn}
    country = {row["s"].value: row["c"].value for row in _select(loaded, COUNTRY_QUERY)}
    facts: dict[str, list[str]] = defaultdict(list)
    for row in _select(loaded, FACT_QUERY):
        facts[row["about"].value].append(row["fact"].value)

    graph = nx.MultiDiGraph()
    for iri in sorted(nodes):
        graph.add_node(curie(iri), **_attributes(loaded, iri, nodes[iri], country.get(iri),
                                                  facts.get(iri, []), lang))
    edges = sorted({(t.subject.value, t.predicate.value, t.object.value) for t in triples
                    if t.subject.value in nodes and t.predicate.value not in NOT_EDGES
                    and isinstance(t.object, ox.NamedNode) and t.object.value in nodes})
    for s, p, o in edges:
        labels = labels_of(loaded, p)
        graph.add_edge(curie(s), curie(o), key=curie(p), property=curie(p),
                       label=pick_label(labels, lang) or curie(p).split(":", 1)[-1],
                       **{f"label_{code}": labels.get(code, "") for code in LANGS})
    return _filter(loaded, graph, types=types, sectors=sectors, countries=countries,
                   focus=focus, depth=depth)


def _select(loaded: Loaded, text: str) -> Any:
    return loaded.query(text)


def _attributes(loaded: Loaded, iri: str, classes: set[str], country: str | None,
                facts: list[str], lang: str) -> dict[str, str]:
    import pyoxigraph as ox

    node = ox.NamedNode(iri)
    cls = "Talk" if "Talk" in classes else min(classes - {"Source"})
    labels = labels_of(loaded, iri)
    values = _literals(loaded, node, lang)
    # Sets: a statement made in two files comes back once per file.
    sources = sorted({q.object.value for q in loaded.store.quads_for_pattern(
        node, ox.NamedNode(PREFIXES["prov"] + "wasDerivedFrom"), None)})
    sectors = sorted({q.object.value for q in loaded.store.quads_for_pattern(
        node, ox.NamedNode(PREFIXES["kq"] + "sector"), None)})
    class_node = ox.NamedNode(PREFIXES["kq"] + cls)
    return {
        "iri": iri,
        "label": pick_label(labels, lang) or curie(iri).split(":", 1)[-1],
        **{f"label_{code}": labels.get(code, "") for code in LANGS},
        "class": f"kq:{cls}",
        "class_label": display(loaded, class_node, lang),
        "country": curie(country) if country else "",
        "country_label": display(loaded, ox.NamedNode(country), lang) if country else "",
        "sectors": SEP.join(curie(s) for s in sectors),
        "sector_labels": SEP.join(display(loaded, ox.NamedNode(s), lang) for s in sectors),
        "sources": SEP.join(curie(s) for s in sources),
        "source_labels": SEP.join(display(loaded, ox.NamedNode(s), lang) for s in sources),
        "facts": SEP.join(sorted({_fact_text(loaded, f, lang) for f in facts})),
        "details": SEP.join(f"{k}: {', '.join(sorted(v))}" for k, v in sorted(values.items())),
    }


def _literals(loaded: Loaded, node: Any, lang: str) -> dict[str, list[str]]:
    """The node's literal values other than labels, by property label; of the values with a
    language tag, only the one in `lang` (or the fallback)."""
    import pyoxigraph as ox

    by_property: dict[Any, list[Any]] = defaultdict(list)
    for quad in loaded.store.quads_for_pattern(node, None, None):
        if isinstance(quad.object, ox.Literal) and quad.predicate.value != LABEL:
            by_property[quad.predicate].append(quad.object)
    out = {}
    for prop, literals in by_property.items():
        chosen = sorted({lit.value for lit in literals if not lit.language})
        tagged = {lit.language: lit.value for lit in literals if lit.language}
        if tagged:
            chosen.append(pick_label(tagged, lang) or "")
        out[display(loaded, prop, lang)] = chosen
    return out


def _fact_text(loaded: Loaded, fact: str, lang: str) -> str:
    """An observation as 'label: qualifier value unit', a claim as its text."""
    import pyoxigraph as ox

    node = ox.NamedNode(fact)

    def one(prop: str) -> Any:
        return next(iter(loaded.store.quads_for_pattern(node, ox.NamedNode(prop), None)), None)

    value = one(PREFIXES["schema"] + "value")
    label = display(loaded, node, lang)
    if value is None:
        texts = {q.object.language: q.object.value for q in loaded.store.quads_for_pattern(
            node, ox.NamedNode(PREFIXES["schema"] + "description"), None)}
        return f"{label}: {pick_label(texts, lang) or ''}".rstrip(": ")
    qualifier = one(PREFIXES["kq"] + "valueQualifier")
    unit = one(PREFIXES["schema"] + "unitCode") or one(PREFIXES["schema"] + "unitText")
    parts = [display(loaded, qualifier.object, lang)] if qualifier else []
    parts.append(value.object.value)
    if unit:
        parts.append("%" if unit.object.value == "P1" else unit.object.value)
    return f"{label}: {' '.join(parts)}"


def _filter(loaded: Loaded, graph: nx.MultiDiGraph, *, types: Iterable[str],
            sectors: Iterable[str], countries: Iterable[str], focus: str | None,
            depth: int) -> nx.MultiDiGraph:
    import networkx as nx

    keep = set(graph)
    if types := [_class_name(loaded, t) for t in types]:
        keep = {n for n in keep if graph.nodes[n]["class"] in types}
    if sectors := [curie(resolve(loaded, s)) for s in sectors]:
        keep = {n for n in keep if set(graph.nodes[n]["sectors"].split(SEP)) & set(sectors)}
    if countries := [curie(resolve(loaded, c)) for c in countries]:
        keep = {n for n in keep if graph.nodes[n]["country"] in countries}
    graph = graph.subgraph(keep).copy()
    if focus is not None:
        center = curie(resolve(loaded, focus))
        if center not in graph:
            raise KqError(f"{focus!r} is not drawn (it is not an entity node, or is filtered "
                          "out)")
        near = nx.ego_graph(graph.to_undirected(as_view=True), center, radius=depth)
        graph = graph.subgraph(near).copy()
    return graph


def _class_name(loaded: Loaded, name: str) -> str:
    """A --type value as a class CURIE: 'kq:University', 'University', 'university' or a
    label such as 'université'."""
    import pyoxigraph as ox

    from kqgraph.query import fold

    wanted = fold(name.removeprefix("kq:"))
    for row in _select(loaded, "SELECT ?c WHERE { ?c rdfs:subClassOf* kq:Entity }"):
        local = row["c"].value.removeprefix(PREFIXES["kq"])
        labels = [q.object.value for q in loaded.store.quads_for_pattern(
            ox.NamedNode(row["c"].value), ox.NamedNode(LABEL), None)]
        if wanted in {fold(local), *map(fold, labels)}:
            return f"kq:{local}"
    raise KqError(f"no class named {name!r} (e.g. university, company, agreement)")
