"""Analysis stage: partner gaps. Pairs of a Korean and a Quebec organisation active in the
same sector with no agreement, presence or investment linking them yet, ranked by how close
they already are, each with the evidence (sources) for both.

What the words mean here, read from the data:

- *Korean* (or *Quebec*) organisation: an organisation (kq:Organization and its subclasses)
  whose location chain (schema:location, then schema:containedInPlace) reaches the
  Republic of Korea (or the province of Quebec), or one that is part of such an
  organisation (org:subOrganizationOf, schema:parentOrganization): ownership counts, so a
  Korean firm's plant or lab in Quebec is on both sides. A government office abroad (a
  delegation, a consulate) belongs to its government only: its address does not make it a
  local actor. An organisation with neither location nor parent (Ford, Google) is on no side.
- *active in a sector*: the organisation's own kq:sector, or a sector of an agreement,
  presence, investment, event or mission it takes part in (any link to it).
- *linked*: an agreement, presence or investment touches both organisations or their
  families (parents and parts: an organisation acts through both), or they are of one
  family (a parent, a part, a sister lab, a joint venture's parents).
- *close*, in the order rows are ranked: shared partners (organisations each has an
  agreement, presence or investment with: who could introduce them), then shared events
  (both took part), then the shortest chain between them that avoids places, within
  `max_hops` (4 by default: a partner's partner). A pair further apart is not close and
  not listed.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any, NamedTuple

from kqgraph.analysis import Chain, Stop, chain, shortest, simple, stop
from kqgraph.errors import KqError
from kqgraph.lookup import label, resolve
from kqgraph.network import GraphNetwork, subclasses
from kqgraph.project import split
from kqgraph.vocab import KQR, ORG, SCHEMA, curie

if TYPE_CHECKING:
    import networkx as nx

SIDES = {"ko": KQR["south-korea"], "kr": KQR["south-korea"], "qc": KQR.quebec,
         "ca": KQR.canada}
MAX_HOPS = 4
LOCATED = {curie(SCHEMA.location), curie(SCHEMA.containedInPlace)}
PART_OF = {curie(ORG.subOrganizationOf), curie(SCHEMA.parentOrganization)}


class Evidence(NamedTuple):
    """Why a row says what it says: `about` (the organisation, or "" for the pair), `claim`
    ("sector", "partner", "event" or "path"), the node that shows it, and its sources."""

    about: str
    claim: str
    via: str
    via_label: str
    detail: str
    sources: tuple[str, ...]
    source_labels: tuple[str, ...]


class Gap(NamedTuple):
    """Two organisations, one of each side, with the sectors they share, who could
    introduce them, the events they shared, and the shortest chain between them."""

    first: Stop
    second: Stop
    sectors: list[tuple[str, str]]
    partners: list[Stop]
    events: list[Stop]
    hops: int | None
    chain: Chain | None
    active: list[Evidence]
    close: list[Evidence]


class Gaps(NamedTuple):
    sides: tuple[Stop, Stop]
    sector: tuple[str, str] | None
    max_hops: int
    rows: list[Gap]
    candidates: int  # pairs on the two sides sharing a sector, within max_hops
    linked: int  # of them, already linked


def side_places(engine: Any, pair: str) -> tuple[str, str]:
    """`ko,qc` (the default), `kr,ca`, or two places by name, as two place IRIs."""
    names = [p.strip() for p in pair.split(",")]
    if len(names) != 2 or not all(names):
        raise KqError(f"--country-pair takes two places separated by a comma, not {pair!r}")
    places = tuple(SIDES.get(n.lower()) or resolve(engine, n) for n in names)
    if places[0] == places[1]:
        raise KqError(f"--country-pair needs two different places, not {pair!r}")
    return places[0], places[1]


def gaps(engine: Any, graph: nx.MultiDiGraph, *, lang: str = "en", sector: str | None = None,
         pair: str = "ko,qc", max_hops: int = MAX_HOPS, limit: int = 20) -> Gaps:
    """The partner gaps of the projection `graph` (see the module's docstring)."""
    import networkx as nx

    places = side_places(engine, pair)
    wanted = curie(resolve(engine, sector)) if sector else None
    kinds = _kinds(engine)
    data = graph.nodes
    for place in places:
        if curie(place) not in graph:
            raise KqError(f"{curie(place)} ({label(engine, place, lang)}) is not a place of "
                          "the network")
    kind = {n: d["class"].removeprefix("kq:") for n, d in graph.nodes(data=True)}
    orgs = sorted((n for n in graph if kind[n] in kinds["org"]), key=lambda n: data[n]["iri"])
    up = _closure(graph, PART_OF)
    down: dict[str, set[str]] = defaultdict(set)
    for n, parents in up.items():
        for p in parents:
            down[p].add(n)
    located = _closure(graph, LOCATED)
    sides = [set(), set()]
    for n in orgs:
        for i, place in enumerate(places):
            own = kind[n] not in kinds["office"] and curie(place) in located[n]
            if own or any(curie(place) in located[p] and kind[p] not in kinds["office"]
                          for p in up[n]):
                sides[i].add(n)
    active = {n: _active(graph, n, kinds) for n in orgs if n in sides[0] | sides[1]}
    family = {n: {n} | up[n] | down[n] for n in active}
    ties = {n: {r for m in family[n] for r in _touching(graph, m, kinds["link"])}
            for n in active}
    free = simple(graph, [n for n in graph if kind[n] not in kinds["place"]])
    found: dict[tuple[str, str], int] = {}
    linked: set[frozenset[str]] = set()
    for a in sorted(sides[0], key=lambda n: data[n]["iri"]):
        reach = nx.single_source_shortest_path_length(free, a, cutoff=max_hops)
        for b in sorted(reach, key=lambda n: data[n]["iri"]):
            if b not in sides[1] or b == a or (b, a) in found or not _share(
                    active[a], active[b], wanted):
                continue
            if family[a] & family[b] or ties[a] & ties[b]:
                linked.add(frozenset((a, b)))
                continue
            found[(a, b)] = reach[b]
    # Ranked on counts first; the evidence is gathered for the rows shown only.
    partners = {n: _partners(graph, n, kinds) for n in active}
    events = {n: {e for e, _ in _neighbours(graph, n) if kind[e] in kinds["event"]}
              for n in active}
    order = sorted(found, key=lambda p: (-len(partners[p[0]] & partners[p[1]] - set(p)),
                                         -len(events[p[0]] & events[p[1]]), found[p],
                                         data[p[0]]["iri"], data[p[1]]["iri"]))
    net = GraphNetwork(graph)
    rows = [_row(engine, graph, net, a, b, found[(a, b)], active, kinds, wanted, lang,
                 max_hops) for a, b in (order[:limit] if limit else order)]
    sector_row = (wanted, label(engine, resolve(engine, wanted), lang)) if wanted else None
    return Gaps((stop(engine, net, places[0], lang), stop(engine, net, places[1], lang)),
                sector_row, max_hops, rows, len(found) + len(linked), len(linked))


def _kinds(engine: Any) -> dict[str, frozenset[str]]:
    return {"org": subclasses(engine, ["Organization"]),
            "office": subclasses(engine, ["GovernmentOffice"]),
            "place": subclasses(engine, ["Place"]),
            "link": subclasses(engine, ["Agreement", "Presence", "Investment"]),
            "event": subclasses(engine, ["Event"]),
            "active": subclasses(engine, ["Agreement", "Presence", "Investment", "Event"])}


def _closure(graph: nx.MultiDiGraph, keys: set[str]) -> dict[str, set[str]]:
    """For each node, every node reached by following links of these properties forward."""
    step = defaultdict(set)
    for a, b, k in graph.edges(keys=True):
        if k in keys and a != b:
            step[a].add(b)
    out: dict[str, set[str]] = {}
    for n in graph:
        seen: set[str] = set()
        todo = list(step[n])
        while todo:
            m = todo.pop()
            if m not in seen:
                seen.add(m)
                todo.extend(step[m])
        out[n] = seen
    return out


def _neighbours(graph: nx.MultiDiGraph, n: str) -> list[tuple[str, dict[str, str]]]:
    """Every link of `n` as (other node, the link's attributes), in a stable order."""
    links = [(b, d) for _, b, d in graph.out_edges(n, data=True)]
    links += [(a, d) for a, _, d in graph.in_edges(n, data=True)]
    return sorted(links, key=lambda x: (graph.nodes[x[0]]["iri"], x[1]["property"]))


def _touching(graph: nx.MultiDiGraph, n: str, kinds: frozenset[str]) -> set[str]:
    return {m for m, _ in _neighbours(graph, n)
            if graph.nodes[m]["class"].removeprefix("kq:") in kinds}


def _partners(graph: nx.MultiDiGraph, n: str, kinds: dict[str, frozenset[str]]) -> set[str]:
    """The organisations an agreement, presence or investment of `n` also touches."""
    return {m for r in _touching(graph, n, kinds["link"]) for m, _ in _neighbours(graph, r)
            if m != n and graph.nodes[m]["class"].removeprefix("kq:") in kinds["org"]}


def _sources(data: dict[str, str]) -> tuple[str, ...]:
    return tuple(split(data["sources"]))


def _active(graph: nx.MultiDiGraph, n: str, kinds: dict[str, frozenset[str]]
            ) -> dict[str, list[tuple[str, tuple[str, ...]]]]:
    """The sectors `n` is active in, each with (the node that shows it, its sources)."""
    out: dict[str, list[tuple[str, tuple[str, ...]]]] = defaultdict(list)
    own = graph.nodes[n]
    for s in split(own["sectors"]):
        out[s].append((n, _sources(own)))
    for m, link in _neighbours(graph, n):
        other = graph.nodes[m]
        if other["class"].removeprefix("kq:") in kinds["active"] and other["sectors"]:
            for s in split(other["sectors"]):
                sources = tuple(sorted(set(_sources(link)) | set(_sources(other))))
                if (m, sources) not in out[s]:
                    out[s].append((m, sources))
    return dict(out)


def _share(a: dict[str, Any], b: dict[str, Any], wanted: str | None) -> bool:
    return wanted in a and wanted in b if wanted else bool(set(a) & set(b))


def _row(engine: Any, graph: nx.MultiDiGraph, net: GraphNetwork, a: str, b: str, hops: int,
         active: dict[str, Any], kinds: dict[str, frozenset[str]], wanted: str | None,
         lang: str, max_hops: int) -> Gap:
    data = graph.nodes
    iri = {n: data[n]["iri"] for n in (a, b)}

    def evidence(about: str, claim: str, via: str, detail: str,
                 sources: tuple[str, ...]) -> Any:
        return Evidence(about, claim, via, label(engine, data[via]["iri"], lang), detail,
                        sources, tuple(label(engine, _expand(s), lang) for s in sources))

    sectors = sorted({wanted} if wanted else set(active[a]) & set(active[b]))
    shown = [(s, label(engine, _expand(s), lang)) for s in sectors]
    proof = [evidence(n, "sector", via, s, sources) for s in sectors for n in (a, b)
             for via, sources in active[n][s]]
    links = {n: defaultdict(list) for n in (a, b)}
    for n in (a, b):
        for r, link in _neighbours(graph, n):
            if data[r]["class"].removeprefix("kq:") in kinds["link"]:
                for m, back in _neighbours(graph, r):
                    if m != n and data[m]["class"].removeprefix("kq:") in kinds["org"]:
                        links[n][m].append((r, link, back))
    partners = sorted(set(links[a]) & set(links[b]) - {a, b}, key=lambda m: data[m]["iri"])
    close = []
    for m in partners:
        for n in (a, b):
            for r, link, back in links[n][m]:
                sources = tuple(sorted(set(_sources(link)) | set(_sources(back))))
                close.append(evidence(n, "partner", r, m, sources))
    events = sorted({e for e, _ in _neighbours(graph, a)
                     if data[e]["class"].removeprefix("kq:") in kinds["event"]}
                    & {e for e, _ in _neighbours(graph, b)
                       if data[e]["class"].removeprefix("kq:") in kinds["event"]},
                    key=lambda e: data[e]["iri"])
    for e in events:
        for n in (a, b):
            for m, link in _neighbours(graph, n):
                if m == e:
                    close.append(evidence(n, "event", e, link["property"], _sources(link)))
    length, found, _ = shortest(net, iri[a], iri[b], avoid=kinds["place"], max_hops=max_hops)
    route = chain(engine, net, found[0], lang) if found else None
    if route:
        for hop in route.hops:
            close.append(Evidence("", "path", hop.target, label(engine, _expand(hop.target),
                                                                lang),
                                  hop.property, hop.sources, hop.source_labels))
    return Gap(stop(engine, net, iri[a], lang), stop(engine, net, iri[b], lang), shown,
               [stop(engine, net, data[m]["iri"], lang) for m in partners],
               [stop(engine, net, data[e]["iri"], lang) for e in events], length if found
               else hops, route, proof, close)


def _expand(shown: str) -> str:
    from kqgraph.vocab import expand

    return expand(shown) or shown.strip("<>")
