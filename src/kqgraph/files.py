"""Load stage, first half: find the graph's files and parse them strictly.

Oxigraph parses: it rejects every malformed file of the W3C suites and reports line and
column, where rdflib accepts about a third of them. A syntax error becomes a KqError with
the file, line and column; checks that must come before a parser runs (XML entity
expansion) are here too. `kqgraph.engine` loads the files into a store.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

from kqgraph.errors import KqError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    import pyoxigraph as ox
    import rdflib

# Graph files that hold data; shapes and saved queries live in graph/ but are not data.
NOT_DATA = {"shapes.ttl"}
SUFFIXES = {".ttl": "TURTLE", ".nt": "N_TRIPLES", ".nq": "N_QUADS", ".trig": "TRIG",
            ".rdf": "RDF_XML", ".owl": "RDF_XML", ".xml": "RDF_XML", ".jsonld": "JSON_LD"}
# XML entities may expand to at most this many characters in all ("billion laughs" guard).
MAX_ENTITY_EXPANSION = 1_000_000
# A pattern, not compiled: `re` is imported only when a file needs it.
ENTITY_RE = (
    r"""<!ENTITY\s+(%\s+)?([\w.:-]+)\s+(?:"([^"]*)"|'([^']*)'|(SYSTEM|PUBLIC))""")


def graph_dir() -> Path:
    """Where the shipped graph is: inside the installed package, else in the checkout."""
    packaged = Path(__file__).parent / "graph"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "graph"


def graph_files(paths: Iterable[str | os.PathLike[str]] | None = None) -> list[Path]:
    """The files to load, in a stable order: the shipped graph, or the given files and folders.

    A folder contributes every RDF file below it except the SHACL shapes.
    """
    if paths is None:
        paths = [graph_dir()]
    found: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found += sorted(
                p for p in path.rglob("*")
                if p.suffix in SUFFIXES and p.name not in NOT_DATA and p.is_file()
            )
        elif path.is_file():
            found.append(path)
        else:
            raise KqError("no such file or folder", path=path)
    unique: dict[Path, Path] = {}  # the same file named twice is read once
    for path in found:
        unique.setdefault(path.resolve(), path)
    return list(unique.values())


def with_ontology(paths: Iterable[str | os.PathLike[str]] | None) -> list[Path]:
    """The files to load, plus graph/ontology.ttl when they do not include it: stages that
    need the class hierarchy and property labels (validate, viz) read user data with it."""
    files = graph_files(paths)
    ontology = graph_dir() / "ontology.ttl"
    if not any(f.resolve() == ontology.resolve() for f in files):
        files.append(ontology)
    return files


def rdf_format(path: Path) -> ox.RdfFormat:
    """The file's RDF format, by suffix (Turtle by default), after the checks that must
    come before its parser runs."""
    import pyoxigraph as ox

    fmt = getattr(ox.RdfFormat, SUFFIXES.get(path.suffix, "TURTLE"))
    if fmt == ox.RdfFormat.RDF_XML:
        _check_xml_entities(path)
    return fmt


def parse_file(path: Path) -> list[ox.Quad]:
    """Parse one file strictly; a syntax error becomes a KqError with line and column.

    Blank nodes are renamed, unique to this file, as `load_file` does: RDF scopes a blank
    node to its document, so `_:b1` in two files is two nodes (their labels differ from run
    to run; exports name them canonically)."""
    import pyoxigraph as ox

    fmt = rdf_format(path)
    with _parsing(path), path.open("rb") as stream:
        return list(ox.parse(stream, format=fmt, base_iri=path.resolve().as_uri(),
                             rename_blank_nodes=True))


def load_file(store: ox.Store, path: Path) -> None:
    """Load one file strictly into `store`: its triples into the default graph (a quad
    format's named graphs stay named). Oxigraph parses and inserts in one call, with no
    Python object per triple; blank nodes are made unique per file, as RDF scopes them."""
    fmt = rdf_format(path)
    with _parsing(path):
        store.load(path=str(path), format=fmt, base_iri=path.resolve().as_uri())


@contextmanager
def _parsing(path: Path) -> Iterator[None]:
    """Turn a parser's failure while reading `path` into a KqError with line and column."""
    try:
        yield
    except SyntaxError as err:
        # Oxigraph puts the start of the bad span in lineno and offset, both 1-based.
        raise KqError(parser_message(err), path=path, line=err.lineno,
                      column=err.offset) from None
    except (OSError, ValueError) as err:  # unreadable file, or not UTF-8
        raise KqError(str(err), path=path) from None
    except Exception as err:  # e.g. a JSON-LD parse error, raised as another type
        raise KqError(parser_message(err), path=path) from None


def parser_message(err: Exception) -> str:
    """Drop Oxigraph's 'Parser error between line a column b and line c column d:' prefix,
    and say plainly why a remote JSON-LD context is refused."""
    text = str(getattr(err, "msg", None) or err)
    if "LoadDocumentCallback" in text:
        return "a remote JSON-LD @context is never fetched: put the context in the file"
    if "buffer maximal size" in text:
        return ("a single literal or IRI is longer than the parser's 16 MiB limit; "
                "refused (split it, or keep such content outside the graph)")
    import re

    return re.sub(r"^Parser error (between|at) line \d+ column \d+( and line \d+ column \d+)?: ",
                  "", text)


def _check_xml_entities(path: Path) -> None:
    """Refuse XML whose entities would expand beyond MAX_ENTITY_EXPANSION characters, or that
    declares external entities, before the parser (which expands them all) sees it.

    Small internal entities, as OWL files use for namespaces, still load.
    """
    import re

    with path.open("rb") as stream:
        head = stream.read(1 << 20).decode("utf-8", errors="replace")
    if "<!ENTITY" not in head:
        return
    sizes: dict[str, int] = {}
    for match in re.finditer(ENTITY_RE, head):
        line = head.count("\n", 0, match.start()) + 1
        column = match.start() - head.rfind("\n", 0, match.start())
        if match[5]:
            raise KqError(f"external XML entity {match[2]!r} refused (it would read a file or "
                          "the network)", path=path, line=line, column=column)
        value = match[3] if match[3] is not None else match[4]
        refs = re.findall(r"&([\w.:-]+);", value)
        size = len(re.sub(r"&[\w.:-]+;", "", value)) + sum(sizes.get(r, 0) for r in refs)
        sizes[match[2]] = size
        if size > MAX_ENTITY_EXPANSION:
            raise KqError(f"XML entity {match[2]!r} would expand to {size:,} characters "
                          "(entity expansion attack?); refused", path=path, line=line,
                          column=column)
    text = path.read_text(encoding="utf-8", errors="replace")
    total = sum(sizes.get(name, 0) for name in re.findall(r"&([\w.:-]+);", text))
    if total > MAX_ENTITY_EXPANSION:
        raise KqError(f"XML entities would expand to {total:,} characters in all; refused",
                      path=path)


def quads(paths: Iterable[str | os.PathLike[str]] | None = None) -> Iterator[ox.Quad]:
    """Every quad of the graph's files, file by file."""
    for path in graph_files(paths):
        yield from parse_file(path)


def rdflib_graph(triples: Iterable[ox.Triple | ox.Quad]) -> rdflib.Graph:
    """The triples as an rdflib Graph bound to the project's prefixes (for pyshacl and the
    Python API's `Graph.rdflib()`)."""
    import rdflib

    from kqgraph.vocab import PREFIXES

    graph = rdflib.Graph(bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    for triple in triples:
        graph.add((to_rdflib(triple.subject), to_rdflib(triple.predicate),
                   to_rdflib(triple.object)))
    return graph


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> rdflib.term.Node:
    """Convert an Oxigraph term to the equal rdflib term."""
    import pyoxigraph as ox
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == "http://www.w3.org/2001/XMLSchema#string":
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise KqError(f"unsupported RDF term {term!r} (RDF 1.2 triple terms are not supported)")
