"""The path drawn in the network page: what `kqgraph viz --path A B` highlights, and what
the page needs to find a path itself ("path from here to…", assets/viz-path.js).

The page's search follows `kqgraph path`'s rules on the drawn network: links walked either
way, places avoided unless no other chain exists, among chains of equal length the first by
its nodes' IRIs. Every hop it lists shows its link's sources, which are carried here by link.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import networkx as nx

    from kqgraph.analysis import Connection

TEXT = {
    "en": {"from": "Path from here to…", "clear": "Clear path", "pick": "Path from {0}: "
           "click the other end, or find it with the search box.", "none": "No path from {0} "
           "to {1}.", "hops": "{0} → {1}: {2} hops", "through": "No path avoids {0}: this "
           "one goes through one.", "select": "Select a node first (click it or find it).",
           "sources": "sources", "undrawn": "Part of the path is not drawn (filtered out)."},
    "fr": {"from": "Chemin d'ici vers…", "clear": "Effacer le chemin", "pick": "Chemin depuis "
           "{0} : cliquez l'autre bout, ou trouvez-le avec la recherche.", "none": "Aucun "
           "chemin de {0} à {1}.", "hops": "{0} → {1} : {2} étapes", "through": "Aucun "
           "chemin n'évite {0} : celui-ci y passe.", "select": "Choisissez d'abord un nœud "
           "(cliquez-le ou cherchez-le).", "sources": "sources",
           "undrawn": "Une partie du chemin n'est pas dessinée (filtrée)."},
    "ko": {"from": "여기서 경로 찾기…", "clear": "경로 지우기", "pick": "{0}에서 출발: 다른 끝을 "
           "클릭하거나 검색하세요.", "none": "{0}에서 {1}(으)로 가는 경로 없음.",
           "hops": "{0} → {1}: {2}단계", "through": "{0}을(를) 피하는 경로가 없어 이 경로는 "
           "그곳을 지납니다.", "select": "먼저 노드를 선택하세요 (클릭 또는 검색).",
           "sources": "출처", "undrawn": "경로의 일부가 그려지지 않았습니다 (필터)."},
}


def edge_id(hop: Any) -> str:
    """The page's id of the link a hop follows ("subject property object", CURIEs)."""
    subject, obj = (hop.source, hop.target) if hop.forward else (hop.target, hop.source)
    return f"{subject} {hop.property} {obj}"


def page_data(graph: nx.MultiDiGraph, *, lang: str, engine: Any = None,
              path: Connection | None = None) -> dict[str, Any]:
    """The page's "paths" entry: its texts, the classes to avoid (places, read from the
    engine's ontology; none without one), each link's sources and dates, and the path to
    highlight (`path`, from Graph.path) if any."""
    from kqgraph.project import split

    avoid: list[str] = []
    avoid_labels: list[str] = []
    if engine is not None:
        from kqgraph.analysis import avoided_kinds, kind_labels

        asked, kinds = avoided_kinds(engine)
        avoid = sorted(f"kq:{k}" for k in kinds)
        avoid_labels = list(kind_labels(engine, asked, lang))

    from kqgraph.vocab import expand

    # Each link's property IRI, dates and sources; a source label is written once, in
    # `sources`, and links give its position there.
    named = sorted({s for _, _, d in graph.edges(data=True)
                    for s in split(d.get("source_labels") or "") if s})
    where = {s: i for i, s in enumerate(named)}
    links = {}
    for a, b, k, d in graph.edges(keys=True, data=True):
        entry: dict[str, Any] = {"property": expand(k) or k.strip("<>")}
        for key in ("start", "end"):
            if d.get(key):
                entry[key] = d[key]
        cited = [where[s] for s in split(d.get("source_labels") or "") if s]
        if cited:
            entry["sources"] = cited
        links[f"{a} {k} {b}"] = entry
    shown = None
    if path is not None:
        from kqgraph.analysis_text import arrow, chain_text, when

        nodes = sorted({s.id for c in path.chains for s in c.stops})
        edges = sorted({edge_id(h) for c in path.chains for h in c.hops})
        first = path.chains[0] if path.chains else None
        shown = {
            "source": path.source.id, "target": path.target.id, "hops": path.hops,
            "through": path.through_avoided, "nodes": nodes, "edges": edges,
            "first": [s.id for s in first.stops] if first else [],
            "drawn": all(n in graph for n in nodes),
            "chain": chain_text(first) if first else "",
            "steps": [{"text": f"{arrow(h)} {s.label}", "when": when(h.start, h.end),
                       "sources": list(h.source_labels)}
                      for h, s in zip(first.hops, first.stops[1:], strict=True)]
            if first else []}
    return {"text": TEXT[lang], "avoid": avoid, "avoidLabels": avoid_labels,
            "links": links, "sources": named, "shown": shown}
