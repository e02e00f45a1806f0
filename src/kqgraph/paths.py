"""How the parties of a brief are connected: the graph's shortest paths when it can find
them (`Graph.path`, from the analysis stage), otherwise what they share.

`Graph.path` is built elsewhere; the brief calls it when the graph object has it
(`hasattr`) and reads its answer loosely (a path, or a list of paths, each with `hops`
or a sequence of hops; a hop's labels, date and sources by their usual names), so that the
two stages meet without either importing the other. Without it, the brief lists the
agreements, presences and investments that tie the parties directly, the actors that
belong to both (the Quebec Government Office in Seoul), and the partners they share.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from kqgraph.errors import KqError
from kqgraph.lookup import label, node
from kqgraph.nodes import Value, actor, sources_of
from kqgraph.vocab import ORG, SCHEMA, expand

LIMIT = 10
SHARED = 5  # partners both sides have, the most tied first
THROUGH = 3  # items shown for each
ENDS = ("source_label", "from_label", "subject_label", "start_label")
TARGETS = ("target_label", "to_label", "object_label", "end_label")
RELATIONS = ("relation_label", "property_label", "label", "relation")


def paths_between(finder: Any, a: str, b: str) -> list[tuple[str, Value]]:
    """The paths `finder(a, b)` gives, as chains of text with their sources ([] when it
    finds none). The analysis stage answers a `Connection` whose `chains` each have `stops`
    and `hops`; a plain path, or a list of paths each with `hops`, is read too."""
    try:
        found = finder(a, b)
    except KqError:
        return []
    if found is None:
        return []
    if hasattr(found, "chains"):
        found = list(found.chains)
    elif isinstance(getattr(found, "hops", None), list) or not isinstance(found, list | tuple):
        found = [found]
    elif found and not (hasattr(found[0], "hops") or isinstance(found[0], list | tuple)):
        found = [found]  # one path given as its hops
    return [("path", chain) for chain in (_chain(path) for path in found[:LIMIT]) if chain.text]


def _chain(path: Any) -> Value:
    for name in ("text", "chain"):
        if isinstance(getattr(path, name, None), str):
            return Value(getattr(path, name), _sources(getattr(path, "sources", ())))
    stops = list(getattr(path, "stops", ()) or ())
    parts: list[str] = []
    sources: list[str] = []
    for number, hop in enumerate(getattr(path, "hops", path)):
        if number == 0:
            parts.append(_stop(stops, 0) or _field(hop, ENDS))
        relation, day = _field(hop, RELATIONS), _field(hop, ("date", "start"))
        end = _field(hop, ("end",))
        shown = relation + (f" ({day}{' – ' + end if end else ''})" if day else "")
        backward = getattr(hop, "forward", True) is False
        parts.append(f"← {shown} ←" if backward else f"→ {shown} →")
        parts.append(_stop(stops, number + 1) or _field(hop, TARGETS))
        sources += _sources(getattr(hop, "sources", ()))
    return Value(" ".join(p for p in parts if p), tuple(sorted(set(sources))))


def _stop(stops: list[Any], at: int) -> str:
    """The label of the `at`th stop of a chain that lists its stops, else ""."""
    if at < len(stops):
        return _field(stops[at], ("label",))
    return ""


def _field(hop: Any, names: tuple[str, ...]) -> str:
    for name in names:
        value = hop.get(name) if isinstance(hop, dict) else getattr(hop, name, None)
        if isinstance(value, str) and value:
            return value
    return ""


def _sources(found: Any) -> list[str]:
    """Source IRIs from IRIs or CURIEs (a string of them, or a list)."""
    items = found.replace("|", " ").split() if isinstance(found, str) else list(found or ())
    return [expand(s) or s.strip("<>") for s in items if isinstance(s, str)]


def shared(engine: Any, entities: list[str], scopes: list[set[str]],
           ties: dict[str, dict[str, set[str]]], lang: str) -> list[tuple[str, Value]]:
    """What ties the first entity to the others without a path finder, beside the items
    the brief lists: the actors that belong to both sides ("both"), and the partners they
    share ("partners")."""
    first, found = scopes[0], []
    for other in scopes[1:]:
        for both in sorted(first & other - set(entities)):
            if actor(engine, both):
                found.append(("both", Value(label(engine, both, lang),
                                            tuple(sorted(sources_of(engine, both))), iri=both,
                                            extra=_why(engine, both, lang))))
    return found + [("partners", v) for v in _shared_partners(engine, scopes, ties, lang)]


def _why(engine: Any, iri: str, lang: str) -> str:
    """Why an actor belongs to both sides: its parent organisations and its places."""
    parts = []
    for prop in (ORG.subOrganizationOf, SCHEMA.parentOrganization, SCHEMA.worksFor,
                 ORG.headOf, SCHEMA.location):
        for t in sorted(engine.triples(node(iri), node(prop), None), key=str):
            parts.append(f"{label(engine, prop, lang)} {label(engine, t.object.value, lang)}")
    return " · ".join(parts)


def _shared_partners(engine: Any, scopes: list[set[str]], ties: dict[str, dict[str, set[str]]],
                     lang: str) -> list[Value]:
    """Actors outside every scope that items tie to the first side and to another."""
    sides: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    everything = set().union(*scopes)
    for item, by_prop in ties.items():
        objects = {o for objs in by_prop.values() for o in objs}
        touched = [i for i, sc in enumerate(scopes) if objects & sc]
        for who in objects - everything:
            for i in touched:
                sides[who][i].add(item)
    ranked = sorted(((-sum(map(len, by_side.values())), label(engine, who, lang), who, by_side)
                     for who, by_side in sides.items()
                     if 0 in by_side and len(by_side) > 1 and actor(engine, who)))
    found = []
    for _, name, who, by_side in ranked[:SHARED]:
        through = sorted({i for its in by_side.values() for i in its},
                         key=lambda i: label(engine, i, lang))[:THROUGH]
        sources = sorted({s for i in through for s in sources_of(engine, i)})
        found.append(Value(name, tuple(sources), iri=who,
                           extra=" · ".join(label(engine, i, lang) for i in through)))
    return found
