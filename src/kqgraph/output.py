"""Output stage: a query's answer written in the format asked, to a text stream.

Result formats follow the W3C specifications (SPARQL 1.1 Query Results JSON, XML, CSV and
TSV) and keep the query's column order. The table is for people: IRIs become labels in the
chosen language and columns line up for Hangul (two cells wide) and accented text.
"""

from __future__ import annotations

import csv
import os

from kqgraph.cells import pad, width  # noqa: F401 - kept importable from here
from kqgraph.errors import KqError
from kqgraph.vocab import PREFIXES, XSD

# `typing` costs `kqgraph query` 7 ms and 1.6 MB at start-up; annotations need it only for
# type checkers (this module's annotations are strings).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path
    from typing import Any, TextIO

    from kqgraph.engine import Result

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
        elif term.datatype.value != XSD.string:
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
    if term.datatype.value != XSD.string:
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


def write_table(result: Result, out: TextIO, *, engine: Any, lang: str, **_: Any) -> None:
    """Aligned columns that fit the terminal (long cells wrap); IRIs shown as labels in
    `lang`, also inside a cell that lists several (a saved query's GROUP_CONCAT)."""
    from kqgraph.cells import table, terminal_width

    if result.boolean is not None:
        out.write(f"{'true' if result.boolean else 'false'}\n")
        return
    header = result.variables
    body = [[shown(engine, row[n], lang) if n in row else "" for n in header]
            for row in result.rows]
    cells = [[" ".join(cell.split()) for cell in line] for line in [header, *body]]
    for line in table(cells, terminal_width()):
        out.write(line + "\n")
    out.write(f"({len(body)} row{'s' if len(body) != 1 else ''})\n")


def shown(engine: Any, term: Any, lang: str) -> str:
    """A term for people: an IRI as its label; a plain literal that lists IRIs (separated
    by spaces or commas) as their labels, joined with "; "."""
    import re

    from kqgraph.lookup import display

    if kind(term) == "literal" and not term.language and "://" in term.value:
        parts = [p for p in re.split(r",?\s+|,", term.value.strip()) if p]
        if parts and all(re.fullmatch(r"https?://[^\s,<>\"]+", p) for p in parts):
            import pyoxigraph as ox

            return "; ".join(display(engine, ox.NamedNode(p), lang) for p in parts)
    return display(engine, term, lang)


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


def write(result: Result, fmt: str | None, out: TextIO, *, engine: Any, lang: str,
          tty: bool) -> None:
    """Write `result` as `fmt`; without one, a table on a terminal and CSV (or Turtle) in a
    pipe. An update writes nothing."""
    if result.form == "UPDATE":
        return
    graph = result.boolean is None and result.form in ("CONSTRUCT", "DESCRIBE")
    registry = GRAPH_FORMATS if graph else SELECT_FORMATS
    if fmt is None:
        fmt = "turtle" if graph else ("table" if tty else "csv")
    if fmt not in registry:
        kinds = "CONSTRUCT/DESCRIBE" if graph else "SELECT/ASK"
        raise KqError(f"--format {fmt} does not apply to {kinds} results; "
                      f"use one of {', '.join(registry)}")
    registry[fmt](result, out, engine=engine, lang=lang)


def write_file(path: str | os.PathLike[str], data: bytes) -> bool:
    """Write a file the user named: "-" is standard output; a regular file, or a new one, is
    replaced atomically (never left half-written); anything else (a FIFO, a terminal,
    /dev/stdout, /dev/null) is written in place, never replaced by a file. Problems become
    a KqError naming the path (exit 2). Returns whether the bytes went to standard output
    (so that nothing else is printed into them)."""
    import stat
    from pathlib import Path

    if str(path) == "-":
        _to_stdout(data)
        return True
    target = Path(path)
    try:
        found = target.stat()
    except FileNotFoundError:
        found = None
    except OSError as err:
        raise KqError(f"cannot write here: {err.strerror}", path=target) from None
    if found is not None and stat.S_ISDIR(found.st_mode):
        raise KqError("is a folder: give a file name", path=target)
    if found is not None and _is_stdout(found):
        _to_stdout(data)
        return True
    if found is not None and not stat.S_ISREG(found.st_mode):
        _in_place(target, data)
    else:
        _atomic(target.resolve() if target.is_symlink() else target, data)
    return False


def write_files(files: dict[str, bytes], folder: str | os.PathLike[str]) -> list[str]:
    """Write each file into `folder` (made if missing); return the paths written."""
    from pathlib import Path

    where = Path(folder)
    if where.exists() and not where.is_dir():
        raise KqError("is not a folder: export writes several files into a folder", path=where)
    written = []
    for name, data in files.items():
        write_file(where / name, data)
        written.append(str(where / name))
    return written


def _is_stdout(found: os.stat_result) -> bool:
    import sys

    try:
        return os.path.samestat(found, os.fstat(sys.stdout.fileno()))
    except (OSError, ValueError):
        return False


def _to_stdout(data: bytes) -> None:
    import sys

    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def _in_place(target: Path, data: bytes) -> None:
    try:
        with open(target, "wb") as stream:
            stream.write(data)
    except OSError as err:
        raise KqError(f"cannot write: {err.strerror}", path=target) from None


def _atomic(target: Path, data: bytes) -> None:
    """Either the old file or the whole new one, never half: the bytes go to a temporary
    file in the same folder, which is then renamed over the target; on any error the
    temporary file is removed and the old file is untouched."""
    import contextlib
    import tempfile

    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                             dir=target.parent)
    except OSError as err:
        raise KqError(f"cannot write here: {err.strerror}", path=target) from None
    mask = os.umask(0)
    os.umask(mask)
    try:
        os.chmod(temporary, 0o666 & ~mask)  # mkstemp makes it private; give it the usual mode
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException as err:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        if isinstance(err, OSError):
            raise KqError(f"cannot write: {err.strerror}", path=target) from None
        raise
