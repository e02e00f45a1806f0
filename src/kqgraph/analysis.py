"""Analysis stage: how two actors are connected (`path`). `kqgraph.hubs` says who the hubs
are and `kqgraph.gaps` where the partner gaps lie; both build on the records and the search
here.

A path is a shortest chain of links in the entity network (kqgraph.project's rules), walked
in either direction: relation nodes (agreements, presences, investments, events, missions,
talks) are stops of their own, so party → agreement → party says how two actors are tied.
Every hop carries its property's label, its dates and its sources.

Places link everything to everything (Montreal and Seoul are the best-connected nodes of the
shipped graph, ahead of both countries), so a path avoids them by default: every kq:Place
(countries, provinces, cities, venues). Avoiding is a preference, never a wall: when no chain
avoids them the shortest chain through them is given, and the answer says so.

Results are plain records (NamedTuple); among chains of equal length the order is that of
their nodes' IRIs, so the same graph gives the same answer on every machine.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from itertools import pairwise
from typing import TYPE_CHECKING, Any, NamedTuple

from kqgraph import dates
from kqgraph.errors import KqError
from kqgraph.lookup import label
from kqgraph.network import StoreNetwork, subclasses
from kqgraph.vocab import KQ, curie

if TYPE_CHECKING:
    import networkx as nx

AVOID = ("Place",)  # avoided by default, with their subclasses
CHAIN_LIMIT = 100  # chains listed by --all at most


class Stop(NamedTuple):
    """A node on a chain: its CURIE, IRI, label, class (CURIE) and the class's label."""

    id: str
    iri: str
    label: str
    kind: str
    kind_label: str


class Hop(NamedTuple):
    """One link of a chain, from `source` to `target` (CURIEs). `forward`: the statement
    reads source → property → target; else target → property → source. Dates as the
    sources write them; sources as CURIEs and labels."""

    source: str
    target: str
    property: str
    label: str
    forward: bool
    start: str
    end: str
    sources: tuple[str, ...]
    source_labels: tuple[str, ...]


class Chain(NamedTuple):
    stops: list[Stop]
    hops: list[Hop]


class Connection(NamedTuple):
    """The shortest chains from `source` to `target` (none when they are not connected
    within `max_hops`); `count`: how many shortest chains there are (one is listed, or with
    --all up to CHAIN_LIMIT). `avoided`: the classes a chain avoids where it can (CURIEs);
    `through_avoided`: no chain avoids them, so these go through one."""

    source: Stop
    target: Stop
    chains: list[Chain]
    hops: int | None
    count: int
    avoided: tuple[str, ...]
    avoided_labels: tuple[str, ...]
    through_avoided: bool
    at: str | None
    max_hops: int | None


# --- path -------------------------------------------------------------------------------------

def kind_labels(engine: Any, kinds: Iterable[str], lang: str) -> tuple[str, ...]:
    """The labels of classes given as CURIEs (kq:Place → 'place')."""
    return tuple(label(engine, KQ[k.removeprefix("kq:")], lang) for k in kinds)


def valid_day(value: str) -> str:
    """An --at value as given, checked: a day (2016-12-20), a month (2016-12) or a year
    (2016), each standing for its first day."""
    import datetime
    import re

    if re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
        try:
            datetime.date.fromisoformat(dates.interval(value)[0])
            return value
        except ValueError:
            pass
    raise KqError(f"{value!r} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)")


def avoided_kinds(engine: Any, names: Iterable[str] = ()) -> tuple[tuple[str, ...],
                                                                    frozenset[str]]:
    """The classes to avoid (CURIEs) and every class under them (local names): places, and
    the classes named (university, event, ...); 'none' among the names drops the places."""
    from kqgraph.project import _class_name

    names = list(names)
    base = [] if any(n.lower() == "none" for n in names) else list(AVOID)
    asked = sorted({_class_name(engine, n) for n in base + names if n.lower() != "none"})
    return tuple(asked), subclasses(engine, [a.removeprefix("kq:") for a in asked])


def shortest(net: Any, a: str, b: str, *, avoid: frozenset[str] = frozenset(),
             max_hops: int | None = None, limit: int = 1) -> tuple[int | None, list[list[str]],
                                                                   int]:
    """The length of the shortest chains from `a` to `b` (IRIs) on `net`, up to `limit` of
    them in the order of their nodes' IRIs, and how many there are in all. Nodes of an
    avoided class are never passed through (they may be the ends). A bidirectional
    breadth-first search: it looks at the nodes within half the distance of either end."""
    def near(u: str) -> list[str]:
        out: list[str] = []
        for link in net.links(u):
            v = link.other
            if v != u and (not out or out[-1] != v) and (
                    v in (a, b) or net.kind(v) not in avoid):
                out.append(v)
        return out

    if not net.kind(a) or not net.kind(b):
        return None, [], 0
    if a == b:
        return 0, [[a]], 1
    ds, dt = {a: 0}, {b: 0}
    fs, ft, ks, kt = [a], [b], 0, 0
    found = None
    while fs and ft and found is None and (max_hops is None or ks + kt < max_hops):
        grow_source = len(fs) <= len(ft)
        mine, other, frontier = (ds, dt, fs) if grow_source else (dt, ds, ft)
        layer = []
        for u in frontier:
            for v in near(u):
                if v not in mine:
                    mine[v] = mine[u] + 1
                    layer.append(v)
        meets = [v for v in layer if v in other]
        if meets:
            found = min(mine[v] + other[v] for v in meets)
        if grow_source:
            fs, ks = layer, ks + 1
        else:
            ft, kt = layer, kt + 1
    if found is None:
        return None, [], 0
    # The nodes on some shortest chain: those both searches reached at the right distance,
    # and those leading to them along each search's layers.
    on = {v for v in ds if v in dt and ds[v] + dt[v] == found}
    for dist in (ds, dt):
        level: dict[int, list[str]] = defaultdict(list)
        for v in on:
            if v in dist:
                level[dist[v]].append(v)
        for i in range(max(level), 0, -1):
            for v in level[i]:
                for u in near(v):
                    if dist.get(u) == i - 1 and u not in on:
                        on.add(u)
                        level[i - 1].append(u)

    def pos(v: str) -> int:
        return ds[v] if v in ds else found - dt[v]

    # How many shortest chains there are, counted along the layers (never listed).
    ahead = sorted(on, key=lambda v: (pos(v), v))
    count = dict.fromkeys(on, 0)
    count[a] = 1
    for u in ahead:
        for v in near(u):
            if v in on and pos(v) == pos(u) + 1:
                count[v] += count[u]
    chains: list[list[str]] = []

    def walk(chain: list[str]) -> None:
        u = chain[-1]
        if u == b:
            chains.append(list(chain))
            return
        for v in near(u):
            if len(chains) >= limit:
                return
            if v in on and pos(v) == pos(u) + 1:
                chain.append(v)
                walk(chain)
                chain.pop()

    walk([a])
    return found, chains, count[b]


def connect(engine: Any, a: str, b: str, *, lang: str = "en", every: bool = False,
            max_hops: int | None = None, avoid: Iterable[str] = (),
            at: str | None = None, net: Any = None) -> Connection:
    """The shortest chains between the entities `a` and `b` (IRIs), labelled in `lang`."""
    at = valid_day(at) if at is not None else None
    net = net or StoreNetwork(engine, at=at)
    asked, kinds = avoided_kinds(engine, avoid)
    for end in (a, b):
        if not net.kind(end):
            why = f"was not in force on {at}" if at and StoreNetwork(engine).kind(end) else (
                "is not a node of the network (a source, sector, observation or claim)")
            raise KqError(f"{curie(end)} ({label(engine, end, lang)}) {why}")
    limit = CHAIN_LIMIT if every else 1
    hops, found, count = shortest(net, a, b, avoid=kinds, max_hops=max_hops, limit=limit)
    through = False
    if hops is None and kinds:
        hops, found, count = shortest(net, a, b, max_hops=max_hops, limit=limit)
        through = hops is not None
    chains = [chain(engine, net, nodes, lang) for nodes in found]
    return Connection(stop(engine, net, a, lang), stop(engine, net, b, lang), chains, hops,
                      count, asked, kind_labels(engine, asked, lang), through, at, max_hops)


def stop(engine: Any, net: Any, iri: str, lang: str) -> Stop:
    kind = net.kind(iri) or "Entity"
    return Stop(curie(iri), iri, label(engine, iri, lang), f"kq:{kind}",
                label(engine, KQ[kind], lang))


def chain(engine: Any, net: Any, nodes: list[str], lang: str) -> Chain:
    """The stops and hops of a chain of nodes; between two nodes linked by several
    properties, the first by IRI (forward first)."""
    hops = []
    for u, v in pairwise(nodes):
        link = next(x for x in net.links(u) if x.other == v)
        facts = net.edge(*net.triple(u, link))
        hops.append(Hop(curie(u), curie(v), curie(link.property),
                        label(engine, link.property, lang), link.forward,
                        dates.shown(facts.start), dates.shown(facts.end), facts.sources,
                        tuple(label(engine, _iri(s), lang) for s in facts.sources)))
    return Chain([stop(engine, net, n, lang) for n in nodes], hops)


def _iri(shown: str) -> str:
    from kqgraph.vocab import expand

    return expand(shown) or shown.strip("<>")


def simple(graph: nx.MultiDiGraph, keep: Iterable[str] | None = None) -> nx.Graph:
    """The projection as a simple undirected graph on `keep` (all nodes by default), nodes
    and edges inserted in sorted order so that seeded algorithms give one answer."""
    import networkx as nx

    nodes = sorted(graph if keep is None else keep)
    inside = set(nodes)
    out = nx.Graph()
    out.add_nodes_from(nodes)
    out.add_edges_from(sorted({(min(a, b), max(a, b)) for a, b in graph.edges()
                               if a != b and a in inside and b in inside}))
    return out
