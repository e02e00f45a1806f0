"""SPARQL stage: questions asked of the store, answered by Oxigraph."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from kqgraph import store
from kqgraph.vocab import PREFIXES, curie

# Fallback order for labels when the asked language is missing (see design.md).
LANG_FALLBACK = ("ko", "en", "fr")


def prologue() -> str:
    """The project's prefixes as a SPARQL prologue."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


def stats(
    paths: Iterable[str | os.PathLike[str]] | None = None, *, lang: str = "en"
) -> dict[str, Any]:
    """Triple count and the number of subjects of each class (direct rdf:type).

    Classes are ordered by count, then by name, so the output is stable.
    """
    loaded = store.open_store(paths)
    triples = next(iter(loaded.store.query(
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", use_default_graph_as_union=True
    )))["n"]
    rows = loaded.store.query(
        "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class",
        use_default_graph_as_union=True,
    )
    counts = {row["class"].value: int(row["n"].value) for row in rows}
    labels: dict[str, dict[str, str]] = {}
    for row in loaded.store.query(
        prologue() + "SELECT ?class ?label WHERE { ?s a ?class . ?class rdfs:label ?label }",
        use_default_graph_as_union=True,
    ):
        labels.setdefault(row["class"].value, {})[row["label"].language or ""] = row["label"].value
    classes = [
        {
            "class": curie(iri),
            "iri": iri,
            "label": pick_label(labels.get(iri, {}), lang) or curie(iri),
            "count": count,
        }
        for iri, count in counts.items()
    ]
    classes.sort(key=lambda c: (-c["count"], c["class"]))
    return {"triples": int(triples.value), "files": len(loaded.files), "classes": classes}


def pick_label(labels: dict[str, str], lang: str) -> str | None:
    """The label in `lang`, else in the fallback order ko → en → fr, else None."""
    for candidate in (lang, *LANG_FALLBACK):
        if candidate in labels:
            return labels[candidate]
    return None
