"""Nodes as people read them: the small records of describe and brief (a value with its
sources, a line of values), and what every stage asks of a node (its classes, sources,
description, dates, and the others a relation ties).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, NamedTuple

from kqgraph import dates
from kqgraph.lookup import label, node
from kqgraph.vocab import KQ, PROV, RDF, SCHEMA, pick_label
from kqgraph.wording import step_text

# Nodes that say something about an entity without being one of its relations.
APART = {"Statement", "Observation", "Claim", "Dispute", "Verification", "Source"}
# Nodes that hold a relation, with their own dates (an office abroad has dates too, but is
# an organisation).
RELATIONS = {"Agreement", "Presence", "Investment", "Event", "Talk", "Mission", "Policy"}
PLACES = {"Place", "Country", "Province", "City", "Venue"}
# What ties a relation node to the others it links ("with ..."): not its kind, sector,
# place or type.
NOT_PARTNERS = {RDF.type, PROV.wasDerivedFrom, KQ.sector, KQ.agreementKind, KQ.presenceKind,
                KQ.investmentKind, SCHEMA.location}


class Value(NamedTuple):
    """One value as read: its text, its sources' numbers, and what qualifies it."""

    text: str
    sources: tuple[Any, ...] = ()  # numbers (source IRIs while the description is built)
    lang: str = ""  # the language of a name or a text
    iri: str | None = None
    when: str = ""  # when it held, as the sources date it
    extra: str = ""  # "with Seoul AI Hub", "left 2024-10"
    missing: bool = False  # a language no source names the entity in

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self._asdict().items() if v not in ("", None, False)} | {
            "text": self.text, "sources": list(self.sources)}


class Line(NamedTuple):
    """A property and its values, side by side; `note` is a dispute's label, or its text."""

    section: str  # one of SECTIONS
    property: str
    values: tuple[Value, ...]
    property_iri: str = ""
    note: str = ""


def classes_of(engine: Any, iri: str) -> set[str]:
    """The kq: classes of a node, by local name."""
    return {t.object.value.removeprefix(KQ.base)
            for t in engine.triples(node(iri), node(RDF.type), None)
            if t.object.value.startswith(KQ.base)}


def sources_of(engine: Any, iri: str) -> set[str]:
    return {t.object.value for t in engine.triples(node(iri), node(PROV.wasDerivedFrom), None)}


def lifecycle_properties(engine: Any) -> set[str]:
    """Every kq:lifecycleDate property: the ontology's, and the ones kqgraph.dates knows."""
    found = {row["p"].value for row in engine.query(
        "SELECT ?p WHERE { ?p rdfs:subPropertyOf+ kq:lifecycleDate }").rows}
    known = {p for ps in dates.STARTS.values() for p in ps}
    return found | known | set(dates.ENDS) | set(dates.OTHER_STARTS)


def span_of(engine: Any, iri: str, lifecycle: set[str]) -> tuple[Any, Any]:
    """A node's start and end (kqgraph.dates) from its lifecycle dates."""
    found: dict[str, list[str]] = defaultdict(list)
    for t in engine.triples(node(iri), None, None):
        if t.predicate.value in lifecycle:
            found[t.predicate.value].append(t.object.value)
    return dates.starts_and_ends(classes_of(engine, iri), found)


def when(start: Any, end: Any) -> str:
    """"2023-06-27", or "2019 – 2024-10" for what has ended."""
    if end is None:
        return step_text(start)
    return f"{step_text(start)} – {step_text(end)}"


def partners(engine: Any, relation: str, *, exclude: str, lang: str) -> list[str]:
    """The entities a relation node ties other than `exclude`, labelled, sorted."""
    import pyoxigraph as ox

    found = {t.object.value for t in engine.triples(node(relation), None, None)
             if isinstance(t.object, ox.NamedNode) and t.predicate.value not in NOT_PARTNERS
             and t.object.value != exclude}
    return sorted(label(engine, o, lang) for o in found
                  if not classes_of(engine, o) & (APART | {"Sector"}) and
                  next(engine.triples(node(o), node(RDF.type), None), None) is not None)


def sourced(engine: Any, iri: str) -> tuple[str, ...]:
    return tuple(sorted(sources_of(engine, iri)))


def text_order(value: Value) -> tuple[str, str]:
    return value.text, value.lang


def first(engine: Any, iri: str, prop: str) -> str:
    found = sorted(t.object.value for t in engine.triples(node(iri), node(prop), None))
    return found[0] if found else ""


def text_of(engine: Any, iri: str, lang: str) -> str:
    """A node's description in `lang` (or the fallback language)."""
    texts = {t.object.language or "": t.object.value
             for t in engine.triples(node(iri), node(SCHEMA.description), None)}
    return " ".join((pick_label(texts, lang) or "").split())


def actor(engine: Any, iri: str) -> bool:
    """An organisation or a person (not a place, sector, kind or relation node)."""
    classes = classes_of(engine, iri)
    return bool(classes) and not classes & (PLACES | RELATIONS | APART | {"Sector"})
