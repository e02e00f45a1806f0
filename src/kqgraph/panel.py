"""What the network page's side panel and date filter need beyond the drawing: each node's
facts with their own sources, each node's and edge's dates, and the sources themselves
(label, publisher, date, address), listed once and referred to by index.

The page numbers the sources of the node it shows, [1], [2] ..., in the order the panel
cites them, as `describe` does; links are plain http(s) addresses that open nothing until
clicked.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from kqgraph.cite import source
from kqgraph.lookup import label
from kqgraph.project import split
from kqgraph.vocab import expand
from kqgraph.wording import figure

if TYPE_CHECKING:
    import networkx as nx

FACTS = """
SELECT ?about ?fact ?source ?date WHERE {
  { ?fact a kq:Observation ; schema:observationAbout ?about }
  UNION { ?fact a kq:Claim ; kq:about ?about }
  OPTIONAL { ?fact prov:wasDerivedFrom ?source }
  OPTIONAL { ?fact schema:observationDate ?date }
}"""
# The panel's and date filter's words, beside viz.TEXT (which the page merges them into).
PANEL_TEXT = {
    "en": {"names": "Names", "relations": "Relations", "close": "Close",
           "dateOn": "In force on", "dateAll": "(all dates)",
           "missing": "no {language} name in the sources", "via": "via",
           "languages": {"ko": "Korean", "en": "English", "fr": "French"}},
    "fr": {"names": "Noms", "relations": "Relations", "close": "Fermer",
           "dateOn": "En vigueur le", "dateAll": "(toutes dates)",
           "missing": "aucun nom {language} dans les sources", "via": "via",
           "languages": {"ko": "coréen", "en": "anglais", "fr": "français"}},
    "ko": {"names": "이름", "relations": "관계", "close": "닫기", "dateOn": "기준일",
           "dateAll": "(전체 기간)", "missing": "출처에 {language} 이름 없음", "via": "경유",
           "languages": {"ko": "한국어", "en": "영어", "fr": "프랑스어"}},
}


def details(engine: Any, graph: nx.MultiDiGraph, lang: str) -> dict[str, Any]:
    """{"sources": [...], "nodes": {id: {"facts": [[text, [source index...]]], "sources":
    [...], "start", "end", "missing"}}, "edges": {edge id: {"sources", "start", "end"}}}."""
    from kqgraph.nodes import text_of
    from kqgraph.vocab import curie

    facts: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for row in engine.query(FACTS).rows:
        about, fact = curie(row["about"].value), row["fact"].value
        entry = facts[about].setdefault(fact, {"sources": set(), "date": ""})
        if "source" in row:
            entry["sources"].add(row["source"].value)
        if "date" in row:
            entry["date"] = row["date"].value
    index: dict[str, int] = {}

    def cite(iris: Any) -> list[int]:
        for iri in sorted(iris):
            index.setdefault(iri, len(index))
        return sorted(index[i] for i in set(iris))

    def iris(joined: str) -> list[str]:
        return [expand(c) or c.strip("<>") for c in split(joined) if c]

    nodes = {}
    for node_id in sorted(graph):
        data = graph.nodes[node_id]
        shown = []
        for fact, entry in sorted(facts.get(node_id, {}).items(),
                                  key=lambda kv: (kv[1]["date"], kv[0])):
            value = figure(engine, fact, lang) or text_of(engine, fact, lang)
            when = f" ({entry['date']})" if entry["date"] else ""
            shown.append([f"{label(engine, fact, lang)}: {value}{when}", cite(entry["sources"])])
        nodes[node_id] = {"facts": shown, "sources": cite(iris(data["sources"])),
                          "start": data.get("start", ""), "end": data.get("end", "")}
    edges = {}
    for a, b, key, data in sorted(graph.edges(keys=True, data=True)):
        edges[f"{a} {key} {b}"] = {"sources": cite(iris(data.get("sources", ""))),
                                   "start": data.get("start", ""), "end": data.get("end", "")}
    listed = [source(engine, iri, number + 1, lang)
              for iri, number in sorted(index.items(), key=lambda kv: kv[1])]
    return {"sources": [{"label": s.label, "publisher": s.publisher, "date": s.date,
                         "url": s.url or s.via, "via": bool(s.via and not s.url)}
                        for s in listed],
            "nodes": nodes, "edges": edges}
