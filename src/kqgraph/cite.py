"""Sources numbered once: what `describe`, `brief`, `timeline` and the network's panel cite.

A reader wants "[3]" beside a value and, once, under the facts, what [3] is: its title (the
label), publisher, date and address. `Citations` hands out the numbers in order of first
use; `sources` reads what each number stands for. A source with no address of its own (the
AI SEOUL 2025 talk) shows the address of the document it is known from (the blog post).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from kqgraph.lookup import label, node
from kqgraph.vocab import DCTERMS, PROV, SCHEMA, curie


class Source(NamedTuple):
    """One cited document, as a reader needs it to find it again."""

    number: int
    iri: str
    label: str
    publisher: str
    date: str
    url: str
    via: str = ""  # the address it is known from, when it has none of its own

    def as_dict(self) -> dict[str, Any]:
        return {"number": self.number, "iri": self.iri, "curie": curie(self.iri),
                "label": self.label, "publisher": self.publisher, "date": self.date,
                "url": self.url, "via": self.via}


class Citations:
    """Numbers for sources, each given once, in the order they are first cited."""

    def __init__(self) -> None:
        self.order: dict[str, int] = {}

    def cite(self, iris: Any) -> tuple[int, ...]:
        """The numbers of these sources (IRIs), sorted; new ones get the next numbers."""
        for iri in sorted(set(iris)):
            self.order.setdefault(iri, len(self.order) + 1)
        return tuple(sorted(self.order[iri] for iri in set(iris)))

    def sources(self, engine: Any, lang: str) -> list[Source]:
        """What each number stands for, by number."""
        return [source(engine, iri, number, lang)
                for iri, number in sorted(self.order.items(), key=lambda item: item[1])]


def source(engine: Any, iri: str, number: int, lang: str) -> Source:
    """A source's label, publisher, date and address (or the address it is known from)."""

    def first(subject: str, prop: str) -> str:
        found = sorted(t.object.value for t in engine.triples(node(subject), node(prop), None))
        return found[0] if found else ""

    url = first(iri, SCHEMA.url)
    via = ""
    if not url:
        parents = sorted(t.object.value
                         for t in engine.triples(node(iri), node(PROV.wasDerivedFrom), None))
        via = next((u for u in (first(p, SCHEMA.url) for p in parents) if u), "")
    return Source(number, iri, label(engine, iri, lang), first(iri, DCTERMS.publisher),
                  first(iri, DCTERMS.date), url, via)


def marks(numbers: tuple[int, ...] | list[int]) -> str:
    """Citation marks for people: [1][2], runs of three or more as [4–7]."""
    out, run = [], []
    for n in sorted(set(numbers)):
        if run and n == run[-1] + 1:
            run.append(n)
            continue
        out.append(_run(run))
        run = [n]
    out.append(_run(run))
    return "".join(part for part in out if part)


def _run(run: list[int]) -> str:
    if not run:
        return ""
    if len(run) >= 3:
        return f"[{run[0]}–{run[-1]}]"
    return "".join(f"[{n}]" for n in run)
