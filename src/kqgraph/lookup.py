"""Entity lookup: labels, what a name means, every fact about an entity, search, counts.

Works on any engine (local or remote) through its `triples` and `query` methods. Names
are matched ignoring case and accents, in every language, over labels and other names
(rdfs:label, skos:altLabel).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, NamedTuple

from kqgraph.errors import KqError
from kqgraph.vocab import KQR, KQS, LANGS, PROV, RDFS, XSD, curie, expand, pick_label, short_name

# --param values that are dates, as precise as written: 2016-12-20, 2016-12.
DATE_PARAMS = ((r"\d{4}-\d{2}-\d{2}", "date"), (r"\d{4}-\d{2}", "gYearMonth"))


def fold(text: str) -> str:
    """Case- and accent-insensitive form: 'Québec' and 'quebec' fold alike; Hangul is kept."""
    stripped = "".join(c for c in unicodedata.normalize("NFKD", text)
                       if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped).casefold()


def node(iri: str) -> Any:
    import pyoxigraph as ox

    return ox.NamedNode(iri)


def labels_of(engine: Any, iri: str) -> dict[str, str]:
    """The rdfs:labels of an entity, by language ("" for an untagged one)."""
    return {t.object.language or "": t.object.value
            for t in engine.triples(node(iri), node(RDFS.label), None)}


def label(engine: Any, iri: str, lang: str = "en") -> str:
    """An IRI for people: its label in `lang` (then ko, en, fr), else its short name."""
    return pick_label(labels_of(engine, iri), lang) or short_name(iri)


def display(engine: Any, term: Any, lang: str) -> str:
    """Any term for people: an IRI as its label, a literal as its text."""
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return label(engine, term.value, lang)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def all_labels(engine: Any) -> list[tuple[str, str, str]]:
    """(entity IRI, label, language) for every rdfs:label and skos:altLabel."""
    rows = engine.query("SELECT ?s ?l WHERE { VALUES ?p { rdfs:label skos:altLabel } ?s ?p ?l "
                        "FILTER(isIRI(?s)) }").rows
    return [(r["s"].value, r["l"].value, r["l"].language or "") for r in rows]


def resolve(engine: Any, name: str) -> str:
    """The IRI an ENTITY argument means: a slug, a CURIE, an IRI, or a label in any language.

    Raises `KqError` when nothing matches, or when several entities do (listing them).
    """
    candidates: list[str] = []
    if name.startswith("<") and name.endswith(">"):
        candidates = [name[1:-1]]
    elif re.fullmatch(r"https?://\S+", name):
        candidates = [name]
    elif expand(name):
        candidates = [expand(name) or ""]
    elif re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name):
        candidates = [KQR[name], KQS[name]]
    for iri in candidates:
        try:
            subject = node(iri)
        except ValueError:
            raise KqError(f"{name!r} is not a valid IRI") from None
        if next(engine.triples(subject, None, None), None):
            return iri
    wanted = fold(name)
    matches = sorted({s for s, text, _ in all_labels(engine) if fold(text) == wanted})
    if len(matches) == 1:
        return matches[0]
    if matches:
        listed = "; ".join(f"{curie(m)} ({label(engine, m)})" for m in matches)
        raise KqError(f"{name!r} is ambiguous: {listed}")
    import shlex

    raise KqError(f"no entity matches {name!r} (try: kqgraph search {shlex.quote(name)})")


def term_of(engine: Any, value: str) -> Any:
    """A parameter value as an RDF term: "quoted" (or "quoted"@lang) is a string literal, a
    whole number an xsd:integer, a date (2016-12-20) or month (2016-12) an xsd:date or
    xsd:gYearMonth; anything else names an entity."""
    import pyoxigraph as ox

    if match := re.fullmatch(r'"(.*)"(?:@([A-Za-z]+(?:-[A-Za-z0-9]+)*))?', value, re.DOTALL):
        return ox.Literal(match[1], language=match[2])
    if re.fullmatch(r"[+-]?\d+", value):
        return ox.Literal(value, datatype=node(XSD.integer))
    for pattern, datatype in DATE_PARAMS:
        if re.fullmatch(pattern, value):
            import datetime

            try:
                datetime.date.fromisoformat(value if datatype == "date" else value + "-01")
            except ValueError:
                raise KqError(f"--param value {value!r} is not a valid date") from None
            return ox.Literal(value, datatype=node(XSD[datatype]))
    return node(resolve(engine, value))


class Fact(NamedTuple):
    """One statement about an entity, ready to show: who, property, value, and its source."""

    subject: str
    predicate: str
    object: Any
    sources: tuple[str, ...]
    inverse: bool = False  # the entity is the object (e.g. a party of an agreement)


def facts(engine: Any, iri: str) -> list[Fact]:
    """Every statement about an entity, outgoing then incoming, each with its source.

    A statement's source is the prov:wasDerivedFrom of the node that carries it: the entity
    itself for its own properties, the relation node (agreement, presence, observation) for
    statements that point at the entity.
    """
    import pyoxigraph as ox

    subject = node(iri)
    own = _sources(engine, subject)
    found = [Fact(iri, t.predicate.value, t.object, own)
             for t in engine.triples(subject, None, None)
             if t.predicate.value != PROV.wasDerivedFrom]
    found += [Fact(t.subject.value, t.predicate.value, subject, _sources(engine, t.subject), True)
              for t in engine.triples(None, None, subject)
              if isinstance(t.subject, ox.NamedNode)]
    return sorted(found, key=lambda f: (f.inverse, f.predicate, f.subject, str(f.object)))


def _sources(engine: Any, subject: Any) -> tuple[str, ...]:
    return tuple(sorted({t.object.value for t in engine.triples(
        subject, node(PROV.wasDerivedFrom), None)}))


def search(engine: Any, text: str) -> list[tuple[str, list[str]]]:
    """Entities with a label containing `text`, ignoring case and accents, in any language.

    Returns (IRI, matching labels) pairs: exact matches first, then labels that start with
    the text, then the shortest labels, then by IRI, so the order is stable.
    """
    wanted = fold(text.strip())
    if not wanted:
        raise KqError("nothing to search for")
    hits: dict[str, set[str]] = {}
    for iri, text_of, _ in all_labels(engine):
        if wanted in fold(text_of):
            hits.setdefault(iri, set()).add(text_of)

    def rank(item: tuple[str, set[str]]) -> tuple[bool, bool, int, str]:
        folded = [fold(one) for one in item[1]]
        return (wanted not in folded, not any(f.startswith(wanted) for f in folded),
                min(map(len, folded)), item[0])

    return [(iri, sorted(labels)) for iri, labels in sorted(hits.items(), key=rank)]


def near(engine: Any, text: str, *, n: int = 5) -> list[str]:
    """Entities whose names, or words of their names, are closest to `text` in spelling
    (any language, accents and case ignored), for a search that found nothing: a whole
    name counts more than one of its words, and shorter names come first."""
    import difflib

    wanted = fold(text.strip())
    best: dict[str, tuple[float, int]] = {}
    for iri, name, _ in all_labels(engine):
        folded = fold(name)
        for candidate, weight in ((folded, 1.0), *((w, 0.9) for w in set(folded.split()))):
            matcher = difflib.SequenceMatcher(None, wanted, candidate)
            if matcher.real_quick_ratio() * weight < CLOSE:
                continue
            score = matcher.ratio() * weight
            if score >= CLOSE and (score, -len(folded)) > best.get(iri, (0.0, 0)):
                best[iri] = (score, -len(folded))
    return sorted(best, key=lambda iri: (-best[iri][0], -best[iri][1], iri))[:n]


CLOSE = 0.6  # difflib's ratio from which a name counts as close


# Relation nodes: what ties actors together, each a node with its own dates and sources.
RELATIONS = """SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {
  VALUES ?kind { kq:Agreement kq:Presence kq:Investment kq:Mission kq:Event }
  ?s a/rdfs:subClassOf* ?kind }"""


def count(engine: Any, text: str) -> int:
    """The number a `SELECT (COUNT(...) AS ?n)` query gives."""
    return int(engine.query(text).rows[0]["n"].value)


def stats(engine: Any, *, lang: str = "en") -> dict[str, Any]:
    """Triples, entities, relation nodes, sources, statements, entities missing a label
    per language, and the number of subjects of each class (direct rdf:type), classes by
    count then name."""
    rows = engine.query(
        "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class").rows
    classes = sorted(({"class": curie(row["class"].value), "iri": row["class"].value,
                       "label": pick_label(labels_of(engine, row["class"].value), lang)
                       or curie(row["class"].value), "count": int(row["n"].value)}
                      for row in rows), key=lambda c: (-c["count"], c["class"]))
    missing = engine.query(
        "SELECT ?lang (COUNT(DISTINCT ?s) AS ?n) WHERE { VALUES ?lang { 'ko' 'en' 'fr' } "
        "?s a/rdfs:subClassOf* kq:Entity . FILTER(isIRI(?s)) "
        "FILTER NOT EXISTS { ?s rdfs:label ?l FILTER(LANG(?l) = ?lang) } } GROUP BY ?lang").rows
    by_lang = {row["lang"].value: int(row["n"].value) for row in missing}
    return {"triples": count(engine, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"),
            "files": len(engine.files),
            "entities": count(engine, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { "
                                      "?s a/rdfs:subClassOf* kq:Entity FILTER(isIRI(?s)) }"),
            "relations": count(engine, RELATIONS),
            "sources": count(engine, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { "
                                     "?s a kq:Source }"),
            "statements": count(engine, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { "
                                        "?s a kq:Statement }"),
            "missing_labels": {code: by_lang.get(code, 0) for code in LANGS},
            "classes": classes}
