"""Analysis stage: who the hubs are. Degree and betweenness centrality, Louvain
communities (fixed seed) and connected components of the entity network without places
(they link everything: the same default as `path`), and counts of the whole network per
country, sector and year.

Ties are broken by IRI and scores rounded, so the same graph gives the same answer on every
machine. Betweenness is exact up to EXACT_BETWEENNESS nodes, and estimated above that from
SAMPLE source nodes drawn with the fixed seed (the answer says which).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, NamedTuple

from kqgraph import dates
from kqgraph.analysis import avoided_kinds, kind_labels, simple
from kqgraph.network import subclasses
from kqgraph.project import split

if TYPE_CHECKING:
    import networkx as nx

SEED = 20250211  # Louvain's and sampled betweenness's
EXACT_BETWEENNESS = 5000  # nodes; above, betweenness is estimated from a fixed sample
SAMPLE = 64


class Ranked(NamedTuple):
    """A node and its score (a number of neighbours, or a centrality)."""

    id: str
    label: str
    kind: str
    kind_label: str
    value: float
    sources: tuple[str, ...]


class Community(NamedTuple):
    """A Louvain community: its size, members (most linked first) and their countries."""

    number: int
    size: int
    members: list[Ranked]
    countries: list[tuple[str, int]]


class Count(NamedTuple):
    """How many nodes share one value (a country, a sector, a year), by class."""

    id: str
    label: str
    total: int
    by_kind: dict[str, int]


class Hubs(NamedTuple):
    nodes: int
    edges: int
    left_out: tuple[str, ...]
    left_out_labels: tuple[str, ...]
    at: str | None
    degree: list[Ranked]
    betweenness: list[Ranked]
    betweenness_sample: int | None  # sources sampled (seed SEED), None when exact
    communities: list[Community]
    components: list[int]
    by_country: list[Count]
    by_sector: list[Count]
    by_year: list[Count]
    kind_labels: dict[str, str]


def hubs(engine: Any, graph: nx.MultiDiGraph, *, lang: str = "en", top: int = 10,
         leave_out: Iterable[str] = (), at: str | None = None) -> Hubs:
    """Degree and betweenness top `top`, Louvain communities and connected components of
    the projection without the classes `leave_out` (places by default), and counts of the
    whole projection per country, sector and year."""
    import networkx as nx

    asked, kinds = avoided_kinds(engine, leave_out)
    data = graph.nodes
    keep = [n for n in graph if data[n]["class"].removeprefix("kq:") not in kinds]
    net = simple(graph, keep)

    def ranked(n: str, value: float) -> Ranked:
        d = data[n]
        return Ranked(n, d["label"], d["class"], d["class_label"], value,
                      tuple(split(d["sources"])))

    def best(scores: dict[str, float]) -> list[Ranked]:
        order = sorted(scores, key=lambda n: (-round(scores[n], 9), data[n]["iri"]))
        return [ranked(n, round(scores[n], 6)) for n in order[:top]]

    degree = dict(net.degree())
    sample = SAMPLE if len(net) > EXACT_BETWEENNESS else None
    between = nx.betweenness_centrality(net, k=sample, seed=SEED) if len(net) else {}
    groups = nx.community.louvain_communities(net, seed=SEED) if len(net) else []
    groups = sorted(groups, key=lambda g: (-len(g), min(data[n]["iri"] for n in g)))
    communities = []
    for i, group in enumerate(groups, 1):
        members = sorted(group, key=lambda n: (-degree[n], data[n]["iri"]))
        countries = Counter(data[n]["country_label"] for n in group if data[n]["country"])
        communities.append(Community(i, len(group), [ranked(n, degree[n]) for n in members],
                                     sorted(countries.items(), key=lambda c: (-c[1], c[0]))))
    components = sorted((len(c) for c in nx.connected_components(net)), reverse=True)
    counts = _counts(engine, graph)
    classes = {d["class"]: d["class_label"] for _, d in graph.nodes(data=True)}
    return Hubs(len(net), net.number_of_edges(), asked, kind_labels(engine, asked, lang), at,
                best(degree), best(between), sample, communities, components, *counts,
                classes)


def _counts(engine: Any, graph: nx.MultiDiGraph) -> tuple[list[Count], ...]:
    """Actors (organisations and people) per country; nodes per sector; relations (agreements,
    presences, investments, events) per year they began, each by class."""
    actors = subclasses(engine, ["Organization", "Person"])
    relations = subclasses(engine, ["Agreement", "Presence", "Investment", "Event"])
    country: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    sector: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    year: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for _, d in graph.nodes(data=True):
        kind = d["class"].removeprefix("kq:")
        if kind in actors:
            country[(d["country"], d["country_label"])][d["class"]] += 1
        if d["sectors"]:
            for s, name in zip(split(d["sectors"]), split(d["sector_labels"]),
                               strict=False):
                sector[(s, name)][d["class"]] += 1
        start = dates.span([v for v in d["start"].split(" · ") if v])
        if kind in relations and start:
            first = (start.lo if not start.disputed else start.earliest)[:4]
            year[(first, first)][d["class"]] += 1

    def rows(found: dict[tuple[str, str], Counter[str]], by_total: bool) -> list[Count]:
        out = [Count(k[0], k[1], sum(c.values()), dict(sorted(c.items())))
               for k, c in found.items()]
        return sorted(out, key=lambda r: (-r.total, r.id) if by_total else (r.id,))

    return rows(country, True), rows(sector, True), rows(year, False)
