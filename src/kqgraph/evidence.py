"""Evidence about an entity, beside its own triples: the figures (observations) and claims
about it, the checks of the seed talk that verify it, and the disputes over its values,
every value side by side with its sources. `describe` and `brief` both show them.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from kqgraph.lookup import display, label, node
from kqgraph.nodes import Line, Value, classes_of, first, sourced, text_of
from kqgraph.vocab import KQ, RDF, SCHEMA
from kqgraph.wording import figure

DISPUTES = """
SELECT DISTINCT ?dispute ?member WHERE {
  ?dispute a kq:Dispute ; kq:among ?member .
  ?dispute kq:among ?about .
  { ?about rdf:subject ?entity } UNION { ?about schema:observationAbout ?entity }
  UNION { ?about kq:about ?entity }
}"""
CHECKS = """
SELECT DISTINCT ?check WHERE {
  ?check a kq:Verification ; kq:verifies ?what .
  FILTER(?what = ?entity || EXISTS { ?what rdf:subject ?entity })
}
ORDER BY ?check"""


def about(engine: Any, iri: str, lang: str) -> list[Line]:
    """Figures (observations) and claims about the entity, and the checks of it."""
    lines = []
    observations = [t.subject.value for t in engine.triples(
        None, node(SCHEMA.observationAbout), node(iri))]
    for obs in sorted(observations, key=lambda o: (first(engine, o, SCHEMA.observationDate),
                                                   label(engine, o, lang))):
        text = figure(engine, obs, lang)
        day = first(engine, obs, SCHEMA.observationDate)
        lines.append(Line("figures", label(engine, obs, lang),
                          (Value(text, sourced(engine, obs), iri=obs, when=day),),
                          SCHEMA.observationAbout))
    claims = [t.subject.value for t in engine.triples(None, node(KQ.about), node(iri))
              if "Claim" in classes_of(engine, t.subject.value)]
    for claim in sorted(claims, key=lambda c: label(engine, c, lang)):
        lines.append(Line("claims", label(engine, claim, lang),
                          (Value(text_of(engine, claim, lang),
                                 sourced(engine, claim), iri=claim),), KQ.about))
    for row in engine.query(CHECKS, bindings={"entity": node(iri)}).rows:
        check = row["check"].value
        verdict = next(engine.triples(node(check), node(KQ.verdict), None), None)
        shown = display(engine, verdict.object, lang) if verdict else ""
        lines.append(Line("checks", label(engine, check, lang),
                          (Value(shown, sourced(engine, check), iri=check,
                                 extra=text_of(engine, check, lang)),), KQ.verifies))
    return lines


def dispute_lines(engine: Any, iri: str, lang: str) -> list[Line]:
    """Each dispute about the entity, its values side by side, each with its sources."""
    members: dict[str, list[str]] = defaultdict(list)
    for row in engine.query(DISPUTES, bindings={"entity": node(iri)}).rows:
        members[row["dispute"].value].append(row["member"].value)
    lines = []
    for dispute, among in sorted(members.items()):
        values = [member_value(engine, m, lang) for m in sorted(set(among))]
        # The entity's own properties the dispute is about, so that their line says so.
        about = sorted({t.object.value for m in among
                        for t in engine.triples(node(m), node(RDF.predicate), None)
                        if next(engine.triples(node(m), node(RDF.subject), node(iri)), None)})
        lines.append(Line("disputes", label(engine, dispute, lang),
                          tuple(sorted(values, key=lambda v: (v.when, v.text))),
                          " ".join(about), text_of(engine, dispute, lang)))
    return lines


def member_value(engine: Any, member: str, lang: str) -> Value:
    """What one member of a dispute holds: a statement's value, an observation's figure
    (with its date), or a claim's text."""
    numbers = sourced(engine, member)
    obj = next(engine.triples(node(member), node(RDF.object), None), None)
    if obj is not None:
        return Value(display(engine, obj.object, lang), numbers, iri=member)
    shown = figure(engine, member, lang)
    if shown:
        day = first(engine, member, SCHEMA.observationDate)
        return Value(shown, numbers, iri=member, when=day)
    return Value(text_of(engine, member, lang) or label(engine, member, lang), numbers,
                 iri=member)


