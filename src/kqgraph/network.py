"""The network the analyses walk: the projection's nodes and links, seen one node at a time.

`kqgraph.project` builds the whole entity network as networkx; a search between two nodes
needs only the few nodes it reaches. Two views give the same answers through one small
interface (`kind`, `links`, `edge`):

- `StoreNetwork` reads them from the store node by node, on the rules of the projection
  (which classes are nodes, which properties are links, a link's dates and sources from its
  own statement or from the relation node it belongs to, what was in force on a day), so
  that `kqgraph path` on a graph of a million triples touches a few hundred nodes instead of
  building a network of a hundred thousand;
- `GraphNetwork` wraps a projection already built (for `hubs` and `gaps`, which read all of
  it).

Node ids are IRIs here; ties are broken by IRI everywhere.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, NamedTuple

from kqgraph import dates
from kqgraph.lookup import node
from kqgraph.project import NOT_EDGES, NOT_NODES, span_of, split
from kqgraph.vocab import KQ, PROV, RDF, SCHEMA, curie, expand

KEEP = ("in force", "undated")  # what project.in_force keeps


class Link(NamedTuple):
    """A link of a node: the node at its other end, the property, and its direction
    (`forward`: the statement reads node → other)."""

    other: str
    property: str
    forward: bool


class EdgeFacts(NamedTuple):
    """When a link held and who says so (CURIEs), as the projection gives them."""

    start: dates.Span | None
    end: dates.Span | None
    sources: tuple[str, ...]


def kind_of(classes: frozenset[str] | set[str]) -> str:
    """The one class a node is shown as (the projection's rule)."""
    return "Talk" if "Talk" in classes else min(set(classes) - {"Source"})


def is_node(classes: frozenset[str] | set[str]) -> bool:
    return bool(classes) and (not classes & NOT_NODES or "Talk" in classes)


def subclasses(engine: Any, names: list[str] | tuple[str, ...] | set[str]) -> frozenset[str]:
    """The kq: classes named (local names) and every class under them."""
    found: set[str] = set()
    for name in names:
        rows = engine.query(f"SELECT ?c WHERE {{ ?c rdfs:subClassOf* <{KQ[name]}> }}").rows
        found |= {r["c"].value.removeprefix(KQ.base) for r in rows if r["c"].value in KQ}
    return frozenset(found)


class StoreNetwork:
    """The projection read lazily from an engine (its `triples` and `query`): only the
    nodes a search reaches are looked at. `at` keeps what was in force on that day."""

    def __init__(self, engine: Any, *, at: str | None = None) -> None:
        self.engine = engine
        self.at = at
        rows = engine.query("SELECT ?c WHERE { ?c rdfs:subClassOf* kq:Entity }").rows
        self._entity = {r["c"].value: r["c"].value.removeprefix(KQ.base) for r in rows
                        if r["c"].value.startswith(KQ.base)}
        rows = engine.query("SELECT ?p WHERE { ?p rdfs:subPropertyOf+ kq:lifecycleDate }").rows
        self._lifecycle = {r["p"].value for r in rows}
        self._classes: dict[str, frozenset[str]] = {}
        self._kinds: dict[str, str | None] = {}
        self._links: dict[str, list[Link]] = {}
        self._reified: dict[str, dict[tuple[str, str], EdgeFacts]] = {}
        self._sources: dict[str, tuple[str, ...]] = {}
        self._spans: dict[str, tuple[dates.Span | None, dates.Span | None]] = {}

    def classes(self, iri: str) -> frozenset[str]:
        """The node's kq: entity classes as asserted (local names); empty for a non-entity."""
        if iri not in self._classes:
            types = {t.object.value for t in self.engine.triples(node(iri), node(RDF.type))}
            self._classes[iri] = frozenset(self._entity[t] for t in types if t in self._entity)
        return self._classes[iri]

    def kind(self, iri: str) -> str | None:
        """The class the node is shown as, or None when it is not a node of the network (or
        was not in force on the day `at`)."""
        if iri not in self._kinds:
            classes = self.classes(iri)
            shown = kind_of(classes) if is_node(classes) else None
            if shown and self.at and dates.status(*self.span(iri), self.at) not in KEEP:
                shown = None
            self._kinds[iri] = shown
        return self._kinds[iri]

    def span(self, iri: str) -> tuple[dates.Span | None, dates.Span | None]:
        """When the node held: its start and end (kqgraph.dates rules)."""
        if iri not in self._spans:
            found: dict[str, list[str]] = defaultdict(list)
            for t in self.engine.triples(node(iri)):
                if t.predicate.value in self._lifecycle:
                    found[t.predicate.value].append(t.object.value)
            self._spans[iri] = dates.starts_and_ends(set(self.classes(iri)), found)
        return self._spans[iri]

    def sources(self, iri: str) -> tuple[str, ...]:
        """The node's sources, CURIEs, sorted by IRI."""
        if iri not in self._sources:
            found = sorted({t.object.value for t in self.engine.triples(
                node(iri), node(PROV.wasDerivedFrom))})
            self._sources[iri] = tuple(curie(s) for s in found)
        return self._sources[iri]

    def links(self, iri: str) -> list[Link]:
        """The node's links to other nodes (in force on `at`), sorted by the other node's IRI,
        then the property's, forward first."""
        if iri not in self._links:
            import pyoxigraph as ox

            found = set()
            here = node(iri)
            for t in self.engine.triples(here):
                if (isinstance(t.object, ox.NamedNode) and t.predicate.value not in NOT_EDGES
                        and self.kind(t.object.value)):
                    found.add(Link(t.object.value, t.predicate.value, True))
            for t in self.engine.triples(None, None, here):
                if (isinstance(t.subject, ox.NamedNode) and t.predicate.value not in NOT_EDGES
                        and self.kind(t.subject.value)):
                    found.add(Link(t.subject.value, t.predicate.value, False))
            if not self.kind(iri):
                found = set()
            links = sorted(found, key=lambda x: (x.other, x.property, not x.forward))
            if self.at:
                links = [x for x in links if dates.status(
                    *self.edge(*self.triple(iri, x))[:2], self.at) in KEEP]
            self._links[iri] = links
        return self._links[iri]

    @staticmethod
    def triple(iri: str, link: Link) -> tuple[str, str, str]:
        """The statement a link stands for, as (subject, predicate, object)."""
        return (iri, link.property, link.other) if link.forward else (
            link.other, link.property, iri)

    def edge(self, s: str, p: str, o: str) -> EdgeFacts:
        """The link's dates and sources: its own statement's where the triple is reified,
        else those of the relation node it belongs to (project.py's rule)."""
        own = self._statements(s).get((p, o))
        relation = s if self.classes(s) & set(dates.STARTS) or not (
            self.classes(o) & set(dates.STARTS)) else o
        start, end = self.span(relation)
        if own is None:
            return EdgeFacts(start, end, self.sources(relation))
        return EdgeFacts(own.start or start, own.end or end,
                         own.sources or self.sources(relation))

    def _statements(self, s: str) -> dict[tuple[str, str], EdgeFacts]:
        """The kq:Statements whose subject is `s`, by (predicate, object): their start, end
        and sources, several statements of one triple merged."""
        if s not in self._reified:
            import pyoxigraph as ox

            merged: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(
                lambda: {"start": set(), "end": set(), "sources": set()})
            for t in self.engine.triples(None, node(RDF.subject), node(s)):
                st = t.subject
                values: dict[str, list[Any]] = defaultdict(list)
                for u in self.engine.triples(st):
                    values[u.predicate.value].append(u.object)
                kinds = {v.value for v in values[RDF.type]}
                if KQ.Statement not in kinds or not values[RDF.predicate]:
                    continue
                for p in values[RDF.predicate]:
                    for o in values[RDF.object]:
                        if not isinstance(o, ox.NamedNode):
                            continue
                        entry = merged[(p.value, o.value)]
                        entry["start"] |= {v.value for v in values[SCHEMA.startDate]}
                        entry["end"] |= {v.value for v in values[SCHEMA.endDate]}
                        entry["sources"] |= {v.value for v in values[PROV.wasDerivedFrom]}
            self._reified[s] = {key: EdgeFacts(
                dates.span(sorted(e["start"])), dates.span(sorted(e["end"])),
                tuple(curie(x) for x in sorted(e["sources"]))) for key, e in merged.items()}
        return self._reified[s]


class GraphNetwork:
    """A projection already built (kqgraph.project), behind the same interface."""

    def __init__(self, graph: Any) -> None:
        self.graph = graph
        self._iri = {n: data["iri"] for n, data in graph.nodes(data=True)}
        self._id = {iri: n for n, iri in self._iri.items()}
        self._links: dict[str, list[Link]] = {}

    def id(self, iri: str) -> str:
        """The projection's node id (CURIE) of an IRI."""
        return self._id[iri]

    def kind(self, iri: str) -> str | None:
        n = self._id.get(iri)
        return None if n is None else self.graph.nodes[n]["class"].removeprefix("kq:")

    def sources(self, iri: str) -> tuple[str, ...]:
        text = self.graph.nodes[self._id[iri]]["sources"]
        return tuple(split(text))

    def links(self, iri: str) -> list[Link]:
        if iri not in self._links:
            n = self._id.get(iri)
            found: set[Link] = set()
            if n is not None:
                found |= {Link(self._iri[b], _iri(k), True)
                          for _, b, k in self.graph.out_edges(n, keys=True)}
                found |= {Link(self._iri[a], _iri(k), False)
                          for a, _, k in self.graph.in_edges(n, keys=True)}
            self._links[iri] = sorted(found, key=lambda x: (x.other, x.property, not x.forward))
        return self._links[iri]

    triple = staticmethod(StoreNetwork.triple)

    def edge(self, s: str, p: str, o: str) -> EdgeFacts:
        data = self.graph.edges[self._id[s], self._id[o], curie(p)]
        start, end = span_of(data)
        return EdgeFacts(start, end, tuple(split(data["sources"])))


def _iri(shown: str) -> str:
    return expand(shown) or shown.strip("<>")
