"""Describe stage: everything the graph says about one entity, shaped for reading.

Triples become lines a person reads and can check: names with their language (and, where no
source names it in a language, that said), values (a reified value with its statement's own
sources, the others with the entity's), the relations it takes part in ("party of →
Mila–Seoul AI Hub MOU (2023-06-27) with Seoul AI Hub"), figures with qualifier, unit and
date, claims, disputes with every value side by side, and the checks of the seed talk. Every
source is numbered once (kqgraph.cite). kqgraph.text prints the result.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, NamedTuple

from kqgraph import dates
from kqgraph.cite import Citations, Source
from kqgraph.evidence import about, dispute_lines
from kqgraph.lookup import display, label, labels_of, node
from kqgraph.nodes import (
    APART,
    RELATIONS,
    Line,
    Value,
    classes_of,
    lifecycle_properties,
    partners,
    sources_of,
    span_of,
    text_order,
    when,
)
from kqgraph.vocab import KQ, LANGS, PROV, RDF, RDFS, SKOS, curie, pick_label
from kqgraph.wording import dated, inverse, missing_name, step_text, word

NOT_VALUES = {PROV.wasDerivedFrom, RDFS.label, SKOS.altLabel, KQ.labelMissing}
SECTIONS = ("names", "values", "relations", "figures", "claims", "disputes", "checks")

STATEMENTS = """
SELECT ?s ?p ?o ?source ?start ?end WHERE {
  { ?st rdf:subject ?entity } UNION { ?st rdf:object ?entity }
  ?st a kq:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
  OPTIONAL { ?st prov:wasDerivedFrom ?source }
  OPTIONAL { ?st schema:startDate ?start } OPTIONAL { ?st schema:endDate ?end }
}"""


class Description(NamedTuple):
    """Everything about one entity, ready to print; `own` numbers the entity's own sources,
    which its values without a statement of their own rest on."""

    iri: str
    label: str
    kind: str
    lines: list[Line]
    sources: list[Source]
    own: tuple[int, ...]

    def section(self, name: str) -> list[Line]:
        return [line for line in self.lines if line.section == name]


class Reified(NamedTuple):
    """A triple's statement(s): their sources, and when the triple held."""

    sources: frozenset[str]
    start: Any
    end: Any


def reified(engine: Any, iri: str) -> dict[tuple[str, str, str], Reified]:
    """The statements about triples from or to the entity: sources and dates of each."""
    found: dict[tuple[str, str, str], dict[str, set[str]]] = defaultdict(
        lambda: {"source": set(), "start": set(), "end": set()})
    for row in engine.query(STATEMENTS, bindings={"entity": node(iri)}).rows:
        entry = found[(row["s"].value, row["p"].value, row["o"].value)]
        for key in ("source", "start", "end"):
            if key in row:
                entry[key].add(row[key].value)
    return {key: Reified(frozenset(e["source"]), dates.span(sorted(e["start"])),
                         dates.span(sorted(e["end"]))) for key, e in found.items()}


def held(found: Reified | None, lang: str, *, left: bool = False) -> str:
    """When a triple held, in words: "since 2021-02", "until 2023", "2019 – 2023"; with
    `left`, a participation that ended reads "left 2024-10"."""
    if found is None or (found.start is None and found.end is None):
        return ""
    if found.end is None:
        return word(lang, "joined", date=step_text(found.start))
    if left or found.start is None:
        return word(lang, "left" if left else "until", date=step_text(found.end))
    return when(found.start, found.end)


def describe(engine: Any, iri: str, lang: str = "en") -> Description:
    """Everything about the entity `iri`, labelled in `lang`, each value with its sources
    (numbered in the order they are printed, the entity's own first)."""
    own = tuple(sorted(sources_of(engine, iri)))
    statements = reified(engine, iri)

    def cited(s: str, p: str, o: str, fallback: tuple[str, ...], *, left: bool = False
              ) -> tuple[tuple[str, ...], str]:
        found = statements.get((s, p, o))
        sources = tuple(sorted(found.sources)) if found and found.sources else fallback
        return sources, held(found, lang, left=left)

    lines = _names(engine, iri, lang, cited, own)
    lines += _values(engine, iri, lang, cited, own)
    lines += _relations(engine, iri, lang, cited, statements)
    lines += about(engine, iri, lang)
    disputes = dispute_lines(engine, iri, lang)
    disputed = {p for line in disputes for p in line.property_iri.split()}
    lines = [line._replace(note="disputed") if line.section == "values" and
             line.property_iri in disputed else line for line in lines]
    lines += [line._replace(property_iri=KQ.among) for line in disputes]
    cites = Citations()
    numbered = cites.cite(own)
    lines = [line._replace(values=tuple(v._replace(sources=cites.cite(v.sources))
                                        for v in line.values)) for line in lines]
    kinds = sorted(display(engine, t.object, lang)
                   for t in engine.triples(node(iri), node(RDF.type), None))
    return Description(iri, label(engine, iri, lang), ", ".join(kinds), lines,
                       cites.sources(engine, lang), numbered)


def _names(engine: Any, iri: str, lang: str, cited: Any, own: tuple[str, ...]) -> list[Line]:
    labels = labels_of(engine, iri)
    missing = {t.object.value for t in engine.triples(node(iri), node(KQ.labelMissing), None)}
    names = [Value(labels[code], own, lang=code) for code in LANGS if code in labels]
    names += [Value(missing_name(lang, code), lang=code, missing=True)
              for code in LANGS if code in missing and code not in labels]
    names += [Value(text, own, lang=code) for code, text in sorted(labels.items())
              if code not in LANGS]
    lines = [Line("names", word(lang, "name"), tuple(names), RDFS.label)] if names else []
    others = []
    for t in sorted(engine.triples(node(iri), node(SKOS.altLabel), None),
                    key=lambda t: (t.object.language or "", t.object.value)):
        numbers, dated_by = cited(iri, SKOS.altLabel, t.object.value, own)
        others.append(Value(t.object.value, numbers, lang=t.object.language or "",
                            when=dated_by))
    if others:
        lines.append(Line("names", label(engine, SKOS.altLabel, lang), tuple(others),
                          SKOS.altLabel))
    return lines


def _values(engine: Any, iri: str, lang: str, cited: Any, own: tuple[str, ...]) -> list[Line]:
    import pyoxigraph as ox

    by_property: dict[str, list[Any]] = defaultdict(list)
    for t in engine.triples(node(iri), None, None):
        if t.predicate.value not in NOT_VALUES:
            by_property[t.predicate.value].append(t.object)
    lines = []
    for prop, objects in by_property.items():
        tagged = {o.language: o for o in objects if isinstance(o, ox.Literal) and o.language}
        if tagged:  # a text in several languages: the one asked for (or the fallback)
            chosen = pick_label(dict(tagged), lang)
            objects = [o for o in objects if not (isinstance(o, ox.Literal) and o.language)]
            objects.append(chosen)
        values = []
        for obj in objects:
            numbers, dated_by = cited(iri, prop, obj.value, own)
            is_iri = isinstance(obj, ox.NamedNode)
            values.append(Value(" ".join(display(engine, obj, lang).split()), numbers,
                                lang=getattr(obj, "language", None) or "",
                                iri=obj.value if is_iri else None, when=dated_by))
        shown = word(lang, "type") if prop == RDF.type else label(engine, prop, lang)
        lines.append(Line("values", shown, tuple(sorted(values, key=text_order)), prop))
    return sorted(lines, key=lambda line: (line.property_iri != RDF.type, line.property))


def _relations(engine: Any, iri: str, lang: str, cited: Any,
               statements: dict[tuple[str, str, str], Reified]) -> list[Line]:
    """What points at the entity: relation nodes (with their date and the others they tie),
    and other entities; statements, figures, claims, disputes and checks come apart."""
    import pyoxigraph as ox

    lifecycle = lifecycle_properties(engine)
    by_property: dict[str, list[tuple[str, Value]]] = defaultdict(list)
    for t in engine.triples(None, None, node(iri)):
        if not isinstance(t.subject, ox.NamedNode):
            continue
        subject, prop = t.subject.value, t.predicate.value
        classes = classes_of(engine, subject)
        if classes & APART:
            continue
        relation = bool(classes & RELATIONS)
        numbers, dated_by = cited(subject, prop, iri, tuple(sorted(sources_of(engine, subject))),
                                  left=relation)
        if relation:
            start, end = span_of(engine, subject, lifecycle)
            others = partners(engine, subject, exclude=iri, lang=lang)
            extra = ", ".join(x for x in (word(lang, "with", x=", ".join(others)) if others
                                          else "", dated_by) if x)
            text = dated(label(engine, subject, lang), when(start, end) if start else "")
            value = Value(text, numbers, iri=subject, extra=extra)
            by_property[prop].append((start.lo if start else "9999", value))
        else:
            value = Value(label(engine, subject, lang), numbers, iri=subject, when=dated_by)
            found = statements.get((subject, prop, iri))
            by_property[prop].append((found.start.lo if found and found.start else "9999",
                                      value))
    lines = [Line("relations", inverse(prop, label(engine, prop, lang), lang),
                  tuple(v for _, v in sorted(values, key=lambda kv: (kv[0], kv[1].text))),
                  prop) for prop, values in by_property.items()]
    return sorted(lines, key=lambda line: line.property)


def as_dict(desc: Description) -> dict[str, Any]:
    """The description as JSON-ready data."""
    return {"iri": desc.iri, "curie": curie(desc.iri), "label": desc.label, "class": desc.kind,
            "own_sources": list(desc.own),
            "lines": [{"section": line.section, "property": line.property,
                       "property_iri": line.property_iri, "note": line.note,
                       "values": [v.as_dict() for v in line.values]} for line in desc.lines],
            "sources": [s.as_dict() for s in desc.sources]}
