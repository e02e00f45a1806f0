"""Brief stage: a one-page briefing on an organisation, a place, or a pair ("Quebec and
Daejeon"), built from the graph for a trade officer to read and forward.

What a brief covers is the entities' *scope*: an organisation and its sub-organisations, or
a place and everything located in it (Montreal is in Quebec; the Quebec Government Office
in Seoul is Quebec's through its government and Seoul's through its address). It lists the
agreements, presences and investments that touch the scope (for several entities: those
that tie at least two of them), their dates and status on the brief's day (kqgraph.dates:
in force, ended, withdrawn, closed...), who the partners are, key figures, open disputes,
a dated timeline, how the parties are connected, and every source numbered once.
kqgraph.briefing writes it as Markdown or HTML.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, NamedTuple

from kqgraph import dates
from kqgraph.cite import Citations, Source
from kqgraph.evidence import about, dispute_lines
from kqgraph.lookup import display, label, labels_of, node
from kqgraph.nodes import (
    PLACES,
    Line,
    Value,
    actor,
    classes_of,
    lifecycle_properties,
    sources_of,
    text_of,
)
from kqgraph.timeline import Event, of_items
from kqgraph.vocab import KQ, LANGS, RDF, SCHEMA
from kqgraph.wording import missing_name, number, step_text

LISTED = ("Agreement", "Presence", "Investment")  # a section each
LIMITS = {"partners": 16, "figures": 8, "timeline": 20}  # to keep a brief near a page

ITEMS = """
SELECT ?item ?class ?p ?o WHERE {
  VALUES ?class { kq:Agreement kq:Presence kq:Investment kq:Event kq:Mission kq:Talk kq:Policy }
  ?item a ?class ; ?p ?o .
  FILTER(isIRI(?o) && ?p NOT IN (rdf:type, prov:wasDerivedFrom, kq:sector, kq:agreementKind,
                                 kq:presenceKind, kq:investmentKind))
}"""
IN_PLACE = """
SELECT DISTINCT ?s WHERE {
  ?s (org:subOrganizationOf|schema:parentOrganization|schema:worksFor|org:headOf)*
     /(schema:location|schema:containedInPlace)/schema:containedInPlace* ?place .
}"""
PARTS = """
SELECT DISTINCT ?s WHERE { ?s (org:subOrganizationOf|^schema:parentOrganization)+ ?org }"""
# A place's scope: what is located in it, directly or through the organisation it belongs
# to, works for or heads (the Quebec Government Office in Seoul, Lim Yong-woo).
AMOUNTS = """
SELECT ?value ?currency ?qualifier WHERE {
  ?item schema:amount ?a . ?a schema:value ?value . OPTIONAL { ?a schema:currency ?currency }
  OPTIONAL { ?a kq:valueQualifier ?qualifier }
} ORDER BY ?value"""
LEFT = """
SELECT ?who ?end ?source WHERE {
  ?st a kq:Statement ; rdf:subject ?item ; rdf:object ?who ; schema:endDate ?end .
  OPTIONAL { ?st prov:wasDerivedFrom ?source }
}"""


class Who(NamedTuple):
    """One entity the brief is about: its names in ko/en/fr, kind, place and description."""

    iri: str
    label: str
    kind: str
    names: tuple[Value, ...]
    place: str
    description: str
    sources: tuple[Any, ...]


class Item(NamedTuple):
    """An agreement, presence or investment: when, its status on the brief's day, who."""

    iri: str
    label: str
    kind: str  # Agreement, Presence or Investment
    kinds: str  # its kind concepts, labelled ("MOU", "research lab", "equity")
    start: str
    end: str
    status: str  # a key of briefing.STATUS: in force, ended, withdrawn, ...
    parties: tuple[str, ...]
    amounts: tuple[str, ...]
    left: tuple[Value, ...]  # participants who left (Ford, 2024-10), with their sources
    sources: tuple[Any, ...]


class Partner(NamedTuple):
    """An actor the entity works with through the listed items."""

    of: str  # the entity's label
    label: str
    iri: str
    via: tuple[str, ...]  # the items' labels


class Brief(NamedTuple):
    """The whole briefing, in `lang`, statuses as of `day`; `more` counts what was cut
    to keep it to a page, by section; `connection_method` is "path" (Graph.path) or
    "shared" (shared agreements, bridges and partners)."""

    lang: str
    day: str
    who: list[Who]
    items: list[Item]
    partners: list[Partner]
    figures: list[Line]
    disputes: list[Line]
    timeline: list[Event]
    connection: list[tuple[str, Value]]  # (path | both | partners, the chain or the actor)
    connection_method: str
    sources: list[Source]
    more: dict[str, int]

    def listed(self, kind: str) -> list[Item]:
        return [item for item in self.items if item.kind == kind]


def scope(engine: Any, iri: str) -> set[str]:
    """What a brief on `iri` covers: a place and what is located in it, or an organisation
    and its parts."""
    if classes_of(engine, iri) & PLACES:
        found = engine.query(IN_PLACE, bindings={"place": node(iri)}).rows
    else:
        found = engine.query(PARTS, bindings={"org": node(iri)}).rows
    return {iri} | {row["s"].value for row in found}


def brief(engine: Any, entities: list[str], *, lang: str = "en", day: str,
          finder: Any = None) -> Brief:
    """The briefing on `entities` (IRIs) as of `day`; `finder(a, b)` gives the paths
    between two of them when the graph can find paths (else shared links are listed)."""
    scopes = [scope(engine, iri) for iri in entities]
    ties: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    kind_of: dict[str, str] = {}
    for row in engine.query(ITEMS).rows:
        item = row["item"].value
        kind_of[item] = row["class"].value.removeprefix(KQ.base)
        ties[item][row["p"].value].add(row["o"].value)
    touching = {item: {i for i, sc in enumerate(scopes)
                       if {o for objs in ties[item].values() for o in objs} & sc}
                for item in ties}
    needed = 1 if len(entities) == 1 else 2
    chosen = sorted(i for i, sides in touching.items() if len(sides) >= needed)
    lifecycle = lifecycle_properties(engine)
    items = [_item(engine, i, kind_of[i], ties[i], lang, day, lifecycle)
             for i in chosen if kind_of[i] in LISTED]
    items.sort(key=lambda it: (LISTED.index(it.kind), it.start or "9999", it.label))
    more: dict[str, int] = {}
    partners = _partners(engine, entities, scopes, items, ties, lang)
    more["partners"] = max(len(partners) - LIMITS["partners"], 0)
    figures = [line for iri in entities for line in about(engine, iri, lang)
               if line.section == "figures"]
    figures.sort(key=lambda line: line.values[0].when, reverse=True)
    more["figures"] = max(len(figures) - LIMITS["figures"], 0)
    disputes = _disputes(engine, [*entities, *chosen], lang)
    from kqgraph.timeline import timeline

    events = of_items(timeline(engine, lang=lang), {*entities, *chosen})
    more["timeline"] = max(len(events) - LIMITS["timeline"], 0)
    method, connection = "", []
    if len(entities) > 1:
        method, connection = _connection(engine, entities, scopes, items, ties, lang, finder)
    who = [_who(engine, iri, lang) for iri in entities]
    result = Brief(lang, day, who, items, partners[:LIMITS["partners"]],
                   figures[:LIMITS["figures"]], disputes, events[-LIMITS["timeline"]:],
                   connection, method, [], more)
    return _numbered(engine, result, lang)


def _who(engine: Any, iri: str, lang: str) -> Who:
    labels = labels_of(engine, iri)
    missing = {t.object.value for t in engine.triples(node(iri), node(KQ.labelMissing), None)}
    names = [Value(labels[code], lang=code) for code in LANGS if code in labels]
    names += [Value(missing_name(lang, code), lang=code, missing=True)
              for code in LANGS if code in missing and code not in labels]
    kinds = sorted(display(engine, t.object, lang) for t in engine.triples(
        node(iri), node(RDF.type), None))
    places = sorted(label(engine, t.object.value, lang) for prop in
                    (SCHEMA.location, SCHEMA.containedInPlace)
                    for t in engine.triples(node(iri), node(prop), None))
    return Who(iri, label(engine, iri, lang), ", ".join(kinds), tuple(names),
               ", ".join(places), text_of(engine, iri, lang),
               tuple(sorted(sources_of(engine, iri))))


def _item(engine: Any, iri: str, kind: str, ties: dict[str, set[str]], lang: str, day: str,
          lifecycle: set[str]) -> Item:
    found: dict[str, list[str]] = defaultdict(list)
    for t in engine.triples(node(iri), None, None):
        if t.predicate.value in lifecycle:
            found[t.predicate.value].append(t.object.value)
    start, end = dates.starts_and_ends({kind}, found)
    status = dates.status(start, end, day)
    if status == "ended":
        status = next((word for prop, word in ((KQ.dateWithdrawn, "withdrawn"),
                                                (KQ.dateClosed, "closed")) if found.get(prop)),
                      "ended")
    elif status == "in force":
        begun = {KQ.dateOpened, SCHEMA.startDate, SCHEMA.foundingDate, KQ.dateSigned,
                 KQ.dateInForce} & set(found)
        if found.get(KQ.datePaused):
            status = "paused"
        elif kind in ("Presence", "Investment") and not begun:
            status = "announced"  # as the saved query in-force says of a presence
        elif kind == "Presence":
            status = "active"
    kinds = sorted(display(engine, t.object, lang) for prop in
                   (KQ.agreementKind, KQ.presenceKind, KQ.investmentKind)
                   for t in engine.triples(node(iri), node(prop), None))
    parties = sorted({label(engine, o, lang) for prop, objs in ties.items()
                      if prop != SCHEMA.location for o in objs
                      if prop == KQ.party or actor(engine, o)})  # a city can be a party
    amounts = tuple(_amount(engine, row, lang) for row in engine.query(
        AMOUNTS, bindings={"item": node(iri)}).rows)
    left: dict[str, dict[str, set[str]]] = defaultdict(lambda: {"end": set(), "src": set()})
    for row in engine.query(LEFT, bindings={"item": node(iri)}).rows:
        entry = left[row["who"].value]
        entry["end"].add(row["end"].value)
        if "source" in row:
            entry["src"].add(row["source"].value)
    gone = tuple(Value(label(engine, who, lang), tuple(sorted(e["src"])), iri=who,
                       when=" · ".join(sorted(e["end"]))) for who, e in sorted(left.items()))
    return Item(iri, label(engine, iri, lang), kind, ", ".join(kinds), step_text(start),
                step_text(end), status, tuple(parties), amounts, gone,
                tuple(sorted(sources_of(engine, iri))))


def _amount(engine: Any, row: dict[str, Any], lang: str) -> str:
    shown = number(row["value"].value, lang)
    if "currency" in row:
        shown += f" {row['currency'].value}"
    if "qualifier" in row:
        shown = f"{display(engine, row['qualifier'], lang)} {shown}"
    return shown


def _partners(engine: Any, entities: list[str], scopes: list[set[str]], items: list[Item],
              ties: dict[str, dict[str, set[str]]], lang: str) -> list[Partner]:
    """Per entity, the actors outside its scope that the listed items tie it to."""
    found: list[Partner] = []
    for iri, sc in zip(entities, scopes, strict=True):
        via: dict[str, set[str]] = defaultdict(set)
        for item in items:
            objects = {o for objs in ties[item.iri].values() for o in objs}
            if not objects & sc:
                continue
            for other in objects - sc:
                if actor(engine, other):
                    via[other].add(item.label)
        found += sorted((Partner(label(engine, iri, lang), label(engine, o, lang), o,
                                 tuple(sorted(v))) for o, v in via.items()),
                        key=lambda p: (-len(p.via), p.label))
    return found


def _disputes(engine: Any, about_these: list[str], lang: str) -> list[Line]:
    seen: dict[str, Line] = {}
    for iri in about_these:
        for line in dispute_lines(engine, iri, lang):
            seen.setdefault(line.property + line.note, line)
    return list(seen.values())


def _connection(engine: Any, entities: list[str], scopes: list[set[str]], items: list[Item],
                ties: dict[str, dict[str, set[str]]], lang: str, finder: Any
                ) -> tuple[str, list[tuple[str, Value]]]:
    """How the first entity is connected to each other one: the graph's paths when it can
    find them (Graph.path), else what they share."""
    from kqgraph.paths import paths_between, shared

    if finder is not None:
        found = [v for other in entities[1:] for v in paths_between(finder, entities[0], other)]
        if found:
            return "path", found
    return "shared", shared(engine, entities, scopes, ties, lang)


def _numbered(engine: Any, result: Brief, lang: str) -> Brief:
    """Number the sources in the order the brief prints them."""
    cites = Citations()

    def values(vals: tuple[Value, ...]) -> tuple[Value, ...]:
        return tuple(v._replace(sources=cites.cite(v.sources)) for v in vals)

    who = [w._replace(sources=cites.cite(w.sources)) for w in result.who]
    items = [it._replace(sources=cites.cite(it.sources), left=values(it.left))
             for it in result.items]
    figures = [line._replace(values=values(line.values)) for line in result.figures]
    disputes = [line._replace(values=values(line.values)) for line in result.disputes]
    events = [e._replace(sources=cites.cite(e.sources)) for e in result.timeline]
    connection = [(group, value._replace(sources=cites.cite(value.sources)))
                  for group, value in result.connection]
    return result._replace(who=who, items=items, figures=figures, disputes=disputes,
                           timeline=events, connection=connection,
                           sources=cites.sources(engine, lang))
