"""Output stage for people: what `describe`, `search`, `stats`, `queries` and `validate`
print, as text (columns lined up for Hangul, which takes two cells) or as JSON."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from kqgraph.output import pad, width

if TYPE_CHECKING:
    from kqgraph.graph import Description, Hit
    from kqgraph.saved import SavedQuery
    from kqgraph.validate import Violation


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


def description(desc: Description, fmt: str) -> str:
    if fmt == "json":
        return dumps({"iri": desc.iri, "label": desc.label, "facts": [
            {key: row[key] for key in ("property", "value", "value_iri", "sources",
                                       "property_iri", "inverse")} for row in desc.rows]})
    lines = [f"{desc.label}  <{desc.iri}>"]
    pw = max((width(r["property"]) for r in desc.rows), default=0)
    vw = max((width(r["value"]) for r in desc.rows), default=0)
    for row in desc.rows:
        line = f"  {pad(row['property'], pw)}  {pad(row['value'], vw)}"
        sources = ", ".join(row["source_labels"])
        lines.append(f"{line}  [{sources}]" if sources else line.rstrip())
    return "\n".join(lines)


def hits(found: list[Hit], fmt: str) -> str:
    if fmt == "json":
        return dumps([{"iri": h.iri, "curie": h.curie, "label": h.label, "matched": h.matched}
                      for h in found])
    return "\n".join(f"{h.curie}\t{h.label}\t{' | '.join(h.matched)}" for h in found)


def stats(result: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        return dumps(result)
    missing = ", ".join(f"{n} without {code}" for code, n in result["missing_labels"].items())
    lines = [f"{result['triples']} triples in {result['files']} files",
             f"{result['entities']} entities; labels: {missing}",
             f"{result['relations']} relation nodes (agreements, presences, investments, "
             f"missions, events), {result['sources']} sources, {result['statements']} "
             "sourced statements"]
    cw = max((len(row["class"]) for row in result["classes"]), default=0)
    lines += [f"{row['count']:>6}  {row['class']:<{cw}}  {row['label']}"
              for row in result["classes"]]
    return "\n".join(lines)


def saved_queries(found: list[SavedQuery], fmt: str) -> str:
    if fmt == "json":
        return dumps([{"name": s.name, "title": s.title, "description": s.description,
                       "params": [p._asdict() for p in s.params]} for s in found])
    lines = []
    for saved in found:
        lines.append(f"{saved.name}: {saved.title}")
        if saved.description:
            lines.append(f"    {saved.description}")
        lines += [f"    --param {p.name}=VALUE  {p.description} (default {p.default})"
                  for p in saved.params]
    return "\n".join(lines)


def violations(found: list[Violation], fmt: str) -> str:
    if fmt == "json":
        return dumps({"conforms": not found, "violations": [v.as_dict() for v in found]})
    return "\n".join(str(v) for v in found)
