"""SHACL stage: check the graph against graph/shapes.ttl and say what to fix, and where.

pyshacl does the checking. This module turns its results graph into `Violation`s a curator
can act on: the entity's label and IRI, the property, one message, and the file and line
where the entity is defined.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NamedTuple

from kqgraph.files import graph_dir, quads, rdflib_graph, with_ontology
from kqgraph.vocab import SCHEMA_HTTP, SH, curie, pick_label


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
    tell = progress or (lambda message: None)
    tell("validate: reading the files…")
    import pyshacl
    import rdflib

    files = with_ontology(paths)
    shapes_path = Path(shapes) if shapes else graph_dir() / "shapes.ttl"

    data = rdflib_graph(quads(files))
    blocks = {f: _block_lines(f) for f in files}
    origin = {iri: (f, line) for f, found in blocks.items() for iri, line in found.items()}

    violations = [v for f in files for v in _http_schema(f)]
    shape_graph = rdflib_graph(quads([shapes_path]))
    tell(f"validate: checking {len(data):,} triples against the shapes…")
    _, results, _ = pyshacl.validate(
        data, shacl_graph=shape_graph, inference="none", allow_warnings=True
    )
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
            label=_label(data, rdflib.URIRef(focus)),
        ))
    tell("")
    return sorted(set(violations))


def _label(graph, node) -> str:
    from rdflib import RDFS

    labels = {lit.language or "": str(lit) for lit in graph.objects(node, RDFS.label)}
    return pick_label(labels, "en") or ""  # reports are in English


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
