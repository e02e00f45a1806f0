"""Output stage: a query's answer written in the format asked, to a text stream.

Result formats follow the W3C specifications (SPARQL 1.1 Query Results JSON, XML, CSV and
TSV) and keep the query's column order. The table is for people: IRIs become labels in the
chosen language and columns line up for Hangul (two cells wide) and accented text.
"""

from __future__ import annotations

import csv
import os
import unicodedata

from kqgraph.vocab import PREFIXES

# `typing` costs `kqgraph query` 7 ms and 1.6 MB at start-up; annotations need it only for
# type checkers (this module's annotations are strings).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TextIO

    from kqgraph.query import Result
    from kqgraph.store import Loaded

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
RESULTS_NS = "http://www.w3.org/2005/sparql-results#"


def escape(text: str) -> str:
    """XML character data (xml.sax.saxutils would import urllib and email: 35 ms)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quoteattr(text: str) -> str:
    """An XML attribute value in double quotes."""
    return '"' + escape(text).replace('"', "&quot;") + '"'


def kind(term: Any) -> str:
    """'uri', 'bnode' or 'literal', as the results formats name them."""
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return "uri"
    if isinstance(term, ox.BlankNode):
        return "bnode"
    return "literal"


# --- SELECT and ASK ---------------------------------------------------------------------------

def write_json(result: Result, out: TextIO, **_: Any) -> None:
    if result.boolean is not None:
        doc: dict[str, Any] = {"head": {}, "boolean": result.boolean}
    else:
        doc = {"head": {"vars": result.variables},
               "results": {"bindings": [{k: _json_term(v) for k, v in row.items()}
                                        for row in result.rows]}}
    import json

    out.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")


def _json_term(term: Any) -> dict[str, str]:
    entry = {"type": kind(term), "value": term.value}
    if entry["type"] == "literal":
        if term.language:
            entry["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            entry["datatype"] = term.datatype.value
    return entry


def write_xml(result: Result, out: TextIO, **_: Any) -> None:
    out.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="{RESULTS_NS}">\n')
    out.write("  <head>\n")
    for name in result.variables:
        out.write(f"    <variable name={quoteattr(name)}/>\n")
    out.write("  </head>\n")
    if result.boolean is not None:
        out.write(f"  <boolean>{'true' if result.boolean else 'false'}</boolean>\n</sparql>\n")
        return
    out.write("  <results>\n")
    for row in result.rows:
        out.write("    <result>\n")
        for name, term in row.items():
            out.write(f"      <binding name={quoteattr(name)}>{_xml_term(term)}</binding>\n")
        out.write("    </result>\n")
    out.write("  </results>\n</sparql>\n")


def _xml_term(term: Any) -> str:
    tag = kind(term)
    if tag != "literal":
        return f"<{tag}>{escape(term.value)}</{tag}>"
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
    if term.datatype.value != XSD_STRING:
        return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
    return f"<literal>{escape(term.value)}</literal>"


def write_csv(result: Result, out: TextIO, **_: Any) -> None:
    """W3C SPARQL CSV: plain values, CRLF line ends (a boolean prints as true/false)."""
    if result.boolean is not None:
        out.write(f"{'true' if result.boolean else 'false'}\n")
        return
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow([_csv_value(row.get(name)) for name in result.variables])


def _csv_value(term: Any) -> str:
    if term is None:
        return ""
    return f"_:{term.value}" if kind(term) == "bnode" else term.value


def write_tsv(result: Result, out: TextIO, **_: Any) -> None:
    """W3C SPARQL TSV: `?var` headers, terms in N-Triples syntax."""
    if result.boolean is not None:
        out.write(f"{'true' if result.boolean else 'false'}\n")
        return
    out.write("\t".join(f"?{name}" for name in result.variables) + "\n")
    for row in result.rows:
        out.write("\t".join(str(row[n]) if n in row else "" for n in result.variables) + "\n")


def write_table(result: Result, out: TextIO, *, loaded: Loaded, lang: str, **_: Any) -> None:
    """Aligned columns for a terminal; IRIs shown as labels in `lang`."""
    from kqgraph.query import display

    if result.boolean is not None:
        out.write(f"{'true' if result.boolean else 'false'}\n")
        return
    header = result.variables
    body = [[display(loaded, row[n], lang) if n in row else "" for n in header]
            for row in result.rows]
    cells = [[" ".join(cell.split()) for cell in line] for line in [header, *body]]
    widths = [max(width(line[i]) for line in cells) for i in range(len(header))]
    for number, line in enumerate(cells):
        out.write("  ".join(pad(c, w) for c, w in zip(line, widths, strict=True)).rstrip() + "\n")
        if number == 0:
            out.write("  ".join("─" * w for w in widths) + "\n")
    out.write(f"({len(body)} row{'s' if len(body) != 1 else ''})\n")


def width(text: str) -> int:
    """Terminal cells a string takes: wide (Hangul, CJK) = 2, combining marks = 0."""
    return sum(0 if unicodedata.combining(c) else
               2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def pad(text: str, cells: int) -> str:
    return text + " " * (cells - width(text))


# --- CONSTRUCT and DESCRIBE -------------------------------------------------------------------

def _rdf_writer(name: str) -> Callable[..., None]:
    def write(result: Result, out: TextIO, **_: Any) -> None:
        import pyoxigraph as ox

        fmt = getattr(ox.RdfFormat, name)
        prefixes = PREFIXES if fmt == ox.RdfFormat.TURTLE else None
        data = ox.serialize(sorted(result.triples, key=str), format=fmt, prefixes=prefixes)
        out.write(data.decode("utf-8"))

    return write


SELECT_FORMATS: dict[str, Callable[..., None]] = {
    "table": write_table, "csv": write_csv, "tsv": write_tsv, "json": write_json,
    "xml": write_xml,
}
GRAPH_FORMATS: dict[str, Callable[..., None]] = {
    "turtle": _rdf_writer("TURTLE"), "nt": _rdf_writer("N_TRIPLES"),
    "jsonld": _rdf_writer("JSON_LD"),
}
FORMATS = [*SELECT_FORMATS, *GRAPH_FORMATS]


def write(result: Result, fmt: str | None, out: TextIO, *, loaded: Loaded, lang: str,
          tty: bool) -> None:
    """Write `result` as `fmt`; without one, a table on a terminal and CSV (or Turtle) in a
    pipe."""
    from kqgraph.errors import KqError

    graph = result.boolean is None and result.form in ("CONSTRUCT", "DESCRIBE")
    registry = GRAPH_FORMATS if graph else SELECT_FORMATS
    if fmt is None:
        fmt = "turtle" if graph else ("table" if tty else "csv")
    if fmt not in registry:
        kinds = "CONSTRUCT/DESCRIBE" if graph else "SELECT/ASK"
        raise KqError(f"--format {fmt} does not apply to {kinds} results; "
                      f"use one of {', '.join(registry)}")
    registry[fmt](result, out, loaded=loaded, lang=lang)


def write_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write a file so that it is either the old one or the whole new one, never half.

    The bytes go to a temporary file in the same folder, which is then renamed over the
    target (an atomic step on POSIX and Windows); on any error the temporary file is removed
    and the old file is untouched.
    """
    import contextlib
    import tempfile
    from pathlib import Path

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                         dir=target.parent)
    mask = os.umask(0)
    os.umask(mask)
    try:
        os.chmod(temporary, 0o666 & ~mask)  # mkstemp makes it private; give it the usual mode
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
