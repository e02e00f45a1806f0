"""SHACL stage: check the graph against graph/shapes.ttl and say what to fix, and where.

shifty (pyshifty, a SHACL engine in Rust) does the checking, on N-Triples straight from
Oxigraph's parser: 6-9 s where pySHACL took over 250 s on 100,000 valid triples, with the
same results on the project's own tests (tests/test_validate.py compares the two; the
figures are in benchmarks/README.md). Its options are set to pySHACL's behaviour: the shapes
are not data, no SHACL rules run, and a constraint it cannot check is an error, not a silent
pass. This module turns its results graph into `Violation`s a curator can act on: the
entity's label and IRI, the property, one message, and the file and line where the entity
is defined.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from kqgraph.files import graph_dir, quads, with_ontology
from kqgraph.vocab import RDFS, SCHEMA_HTTP, SH, curie, pick_label

if TYPE_CHECKING:
    import rdflib


class Violation(NamedTuple):
    """One thing to fix. Ordered by file, line, entity and property for a stable report."""

    file: str
    line: int
    focus: str
    path: str
    message: str
    label: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        name = f"{curie(self.focus)} ({self.label})" if self.label else curie(self.focus)
        return f"{where}: {' '.join(filter(None, (name, self.path)))}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {**self._asdict(), "focus_curie": curie(self.focus)}


def validate(
    paths: Iterable[str | os.PathLike[str]] | None = None,
    *,
    shapes: str | os.PathLike[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[Violation]:
    """Validate the graph (or the given files and folders); return the violations, sorted.

    The ontology is always loaded beside the data, so that class targets reach subclasses.
    Raises `KqError` for a file that does not parse. `progress` hears each stage, then "".
    """
    import pyoxigraph as ox
    import rdflib

    tell = progress or (lambda message: None)
    tell("validate: reading the files…")
    files = with_ontology(paths)
    shapes_path = Path(shapes) if shapes else graph_dir() / "shapes.ttl"

    triples, labels = [], {}
    for quad in quads(files):  # parsed strictly: a KqError names file, line and column
        triples.append(quad.triple)
        if quad.predicate.value == RDFS.label and isinstance(quad.object, ox.Literal):
            labels.setdefault(quad.subject.value, {})[quad.object.language or ""] = \
                quad.object.value
    shape_triples = [quad.triple for quad in quads([shapes_path])]
    blocks = {f: _block_lines(f) for f in files}
    origin = {iri: (f, line) for f, found in blocks.items() for iri, line in found.items()}

    violations = [v for f in files for v in _http_schema(f)]
    tell(f"validate: checking {len(triples):,} triples against the shapes…")
    results = check(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES),
                    ox.serialize(shape_triples, format=ox.RdfFormat.N_TRIPLES))
    term = rdflib.URIRef
    for result in results.subjects(rdflib.RDF.type, term(SH.ValidationResult)):
        focus = str(results.value(result, term(SH.focusNode)))
        path = results.value(result, term(SH.resultPath))
        message = str(results.value(result, term(SH.resultMessage)) or "violates a shape")
        file, line = origin.get(focus, (None, 0))
        violations.append(Violation(
            file=_shown(file) if file else "?",
            line=line,
            focus=focus,
            path=curie(str(path)) if isinstance(path, rdflib.URIRef) else "",
            message=message,
            label=pick_label(labels.get(focus, {}), "en") or "",  # reports are in English
        ))
    tell("")
    return sorted(set(violations))


def check(data: bytes, shapes: bytes) -> rdflib.Graph:
    """The SHACL validation report of N-Triples `data` against N-Triples `shapes`, as
    pySHACL would give it (pySHACL's own call is in tests/test_validate.py)."""
    import shifty

    # N-Triples is Turtle, which shifty reads from bytes.
    _, results, _ = shifty.validate(data, shapes, graph_mode="data", infer=False,
                                    on_unsupported="error")
    return results


def _shown(path: Path) -> str:
    """A path as the user would type it: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


PREFIX_RE = re.compile(r"^\s*@prefix\s+([\w.-]*):\s*<([^>]*)>\s*\.", re.IGNORECASE)
SUBJECT_RE = re.compile(r"^(<[^>]*>|[\w.-]*:[^\s;,]*)")


def _block_lines(path: Path) -> dict[str, int]:
    """Where each subject block starts: the line of each unindented subject in a Turtle file.

    Oxigraph does not report positions of triples; curated files put one subject per block,
    starting at column 1, so the block's first line is the place to send a curator to.
    """
    prefixes: dict[str, str] = {}
    found: dict[str, int] = {}
    text = path.read_text(encoding="utf-8", errors="replace")
    for number, line in enumerate(text.split("\n"), start=1):  # as parsers count lines
        if match := PREFIX_RE.match(line):
            prefixes[match[1]] = match[2]
            continue
        match = SUBJECT_RE.match(line)
        if not match or line.startswith("#"):
            continue
        token = match[1]
        if token.startswith("<"):
            iri = token[1:-1]
        else:
            prefix, _, local = token.partition(":")
            if prefix not in prefixes:
                continue
            iri = prefixes[prefix] + local
        found.setdefault(iri, number)
    return found


def _http_schema(path: Path) -> list[Violation]:
    """Flag http://schema.org/ IRIs: the project writes schema.org as https://schema.org/."""
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        if SCHEMA_HTTP in line and not line.lstrip().startswith("#"):
            out.append(Violation(
                file=_shown(path), line=number, focus=SCHEMA_HTTP, path="",
                message="uses http://schema.org/; this project writes https://schema.org/",
            ))
    return out
