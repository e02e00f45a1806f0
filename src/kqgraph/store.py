"""Load stage: find the graph's files, parse them strictly, hold them in a store.

The one module that knows about engines. Oxigraph parses (it rejects every malformed file
of the W3C suites and reports line and column, where rdflib accepts about a third of them)
and answers SPARQL; rdflib is built from the same parsed quads for the Python API and for
pyshacl. Each file's triples go into a named graph named by the file's URI, so later stages
can say which file a statement came from; queries see the union of all files.
"""

from __future__ import annotations

import os
from pathlib import Path

from kqgraph.errors import KqError

TYPE_CHECKING = False  # `typing` is for type checkers only: importing it costs 7 ms here
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from typing import Any

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

    Blank nodes are renamed, unique to this file, as `load_file` and the persistent store
    do: RDF scopes a blank node to its document, so `_:b1` in two files is two nodes (their
    labels differ from run to run; exports name them canonically)."""
    import pyoxigraph as ox

    fmt = rdf_format(path)
    graph = ox.NamedNode(path.resolve().as_uri())
    with _parsing(path), path.open("rb") as stream:
        quads = list(ox.parse(stream, format=fmt, base_iri=graph.value,
                              rename_blank_nodes=True))
    if fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
        return quads
    return [ox.Quad(q.subject, q.predicate, q.object, graph) for q in quads]


def load_file(store: ox.Store, path: Path) -> None:
    """Load one file strictly into `store`, in the named graph of the file's URI (quad
    formats keep their own graphs). Oxigraph parses and inserts in one call, with no Python
    object per triple; blank nodes are made unique per file, as RDF scopes them."""
    import pyoxigraph as ox

    fmt = rdf_format(path)
    uri = path.resolve().as_uri()
    quad_format = fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG)
    with _parsing(path):
        store.load(path=str(path), format=fmt, base_iri=uri,
                   to_graph=None if quad_format else ox.NamedNode(uri))


class _parsing:
    """Turn a parser's failure while reading `path` into a KqError with line and column."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type | None, err: BaseException | None, _tb: object) -> bool:
        if err is None or not isinstance(err, Exception):
            return False
        if isinstance(err, SyntaxError):
            # Oxigraph puts the start of the bad span in lineno and offset, both 1-based.
            raise KqError(_parser_message(err), path=self.path, line=err.lineno,
                          column=err.offset) from None
        if isinstance(err, OSError | ValueError):  # unreadable file, or not UTF-8
            raise KqError(str(err), path=self.path) from None
        # e.g. a JSON-LD parse error, raised as another type
        raise KqError(_parser_message(err), path=self.path) from None


def _parser_message(err: Exception) -> str:
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


class StoreDamaged(KqError):
    """The engine found the persistent store damaged while reading it."""


def damaged(err: BaseException) -> bool:
    """Whether an engine error says the store's files are damaged (RocksDB's words)."""
    return isinstance(err, OSError | RuntimeError) and "Corruption" in str(err)


class Loaded:
    """The parsed graph: its files and their quads, in a queryable Oxigraph store.

    In memory each file is a named graph and queries see their union; a persistent store
    holds everything in its default graph, which queries read directly (faster at scale).
    """

    def __init__(self, files: list[Path], store: ox.Store, *, union: bool = True) -> None:
        self.files = files
        self.store = store
        self.union = union

    def query(self, text: str, *, timeout: float | None = None, origin: str = "query") -> Any:
        """Run SPARQL with the project's prefixes over the whole graph (`timeout` and
        `origin` are for an endpoint; a local query's deadline is kept by kqgraph.query's
        worker, its errors placed by kqgraph.query)."""
        from kqgraph.vocab import PREFIXES

        if self.remote:
            return self.store.query(text, prefixes=PREFIXES, timeout=timeout, origin=origin)
        return self.store.query(text, prefixes=PREFIXES, use_default_graph_as_union=self.union)

    def rebuild(self) -> None:
        """Build the persistent store again (after the engine found it damaged)."""
        if self.union or not self.files:
            raise StoreDamaged("the graph's store is damaged")
        self.store = cached_store(self.files, rebuild=True)

    @property
    def remote(self) -> bool:
        import pyoxigraph as ox

        return not isinstance(self.store, ox.Store)


# From this many bytes of graph files, a persistent store is built once and reused: parsing
# into memory costs more than opening the store. benchmarks/run.py measures the crossover:
# both take the same time near 1.2 MB of N-Triples (10k triples); from 2.4 MB on the store
# is clearly faster (benchmarks/README.md).
CACHE_MIN_BYTES = 1_000_000
MARKER = "kqgraph-store.key"  # the files' signature, written when the build is done
STORE_PART = b"\0store\0"  # in the marker, before the store's own files
KEEP_STORES = 4


def open_store(
    paths: Iterable[str | os.PathLike[str]] | None = None,
    *,
    endpoint: str | None = None,
    cache: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> Loaded:
    """The graph, ready to query: its files in a store, or a remote SPARQL endpoint.

    Small graphs are parsed into memory (one named graph per file). Large ones go into a
    persistent store in the cache folder, built once and reused while the files are
    unchanged. `cache` (or $KQGRAPH_CACHE) is "auto", "always" or "never".

    Opened in the caller's thread: opening on another thread while `kqgraph query` loaded
    its modules saved 20 ms of start-up, but a store opened there made heavy queries 0.13 s
    slower (0.67 s against 0.53 s, medians of 9 at 1M triples), and a parse there cost 4-7 MB
    in a malloc arena of its own.

    `progress` gets a message every half second while a store is built, and "" when the
    build is over (a terminal's line is then cleared).
    """
    if endpoint:
        from kqgraph.remote import RemoteStore

        return Loaded([], RemoteStore(endpoint))
    files = graph_files(paths)
    if _persistent(files, cache):
        return Loaded(files, cached_store(files, progress=progress), union=False)
    import pyoxigraph as ox

    store = ox.Store()
    for path in files:
        load_file(store, path)
    return Loaded(files, store)


def _persistent(files: list[Path], cache: str | None) -> bool:
    """Whether these files go into a persistent store (else they are parsed into memory)."""
    mode = cache or os.environ.get("KQGRAPH_CACHE", "auto")
    if mode not in ("auto", "always", "never"):
        raise KqError(f"KQGRAPH_CACHE must be auto, always or never, not {mode!r}")
    size = sum(f.stat().st_size for f in files)
    return mode == "always" or (mode == "auto" and size >= CACHE_MIN_BYTES)


def cache_dir() -> Path:
    """$KQGRAPH_CACHE_DIR, else the user's cache folder (XDG), else ~/.cache/kqgraph."""
    if folder := os.environ.get("KQGRAPH_CACHE_DIR"):
        return Path(folder)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "kqgraph"


def signature(files: list[Path]) -> bytes:
    """What the store depends on: the package version and each file's path, size and
    modification time (nanoseconds). Hashing the contents of a large graph would cost more
    than the query it serves; size and mtime change on every edit, as for make and git."""
    from kqgraph import __version__

    parts = [f"kqgraph {__version__}"]
    for path in files:
        stat = path.stat()
        parts.append(f"{path.resolve()}\t{stat.st_size}\t{stat.st_mtime_ns}")
    return "\0".join(parts).encode("utf-8", "surrogateescape")


def cache_key(files: list[Path]) -> str:
    """The store's folder name: a 64-bit checksum of the files' signature. The store's
    marker holds the whole signature, so a checksum collision only costs a rebuild. (zlib,
    not hashlib: hashlib loads OpenSSL, 3.7 MB and 5 ms of every query's start-up.)"""
    return _checksum(signature(files))


def _checksum(data: bytes) -> str:
    import zlib

    return f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}"


def cached_store(files: list[Path], *, progress: Callable[[str], None] | None = None,
                 rebuild: bool = False) -> ox.Store:
    """The persistent store for `files`, built if missing, damaged or `rebuild`, opened
    read-only.

    Safe when several commands build at once: each builds in its own temporary folder and
    renames it into place; the first rename wins and the others use the winner's store. A
    store is trusted only when its marker (written last) holds the files' signature and the
    size and modification time of each of the store's own files as they were built: a file
    changed since (bytes flipped, a truncated copy) means a rebuild before any read, as
    RocksDB does not always notice damage, and a damaged block can make a query run away.
    """
    import pyoxigraph as ox

    sign = signature(files)
    key = _checksum(sign)
    folder = cache_dir() / key
    damaged = rebuild
    if folder.parent.is_dir():
        _remove_leftovers(folder.parent)
    if not rebuild and _valid(folder, sign):
        try:
            return ox.Store.read_only(str(folder))
        except (OSError, RuntimeError):  # RocksDB raises "Corruption: ...": rebuilt below
            damaged = True  # though its marker says it was built
    folder.parent.mkdir(parents=True, exist_ok=True)
    building = folder.parent / f".{key}.{os.getpid()}.building"
    _remove(building)
    _build(building, files, sign, progress)
    try:
        if folder.exists():
            _swap(building, folder, sign, damaged=damaged)
        else:
            os.replace(building, folder)
    except OSError:
        _remove(building)  # another command put a valid store there first
    _prune(folder)
    return ox.Store.read_only(str(folder))


def _marker(folder: Path) -> bytes | None:
    try:
        return (folder / MARKER).read_bytes()
    except OSError:
        return None


def _fingerprint(folder: Path) -> bytes:
    """The store's own files, each with its size and modification time."""
    entries = sorted(f"{p.name}\t{p.stat().st_size}\t{p.stat().st_mtime_ns}"
                     for p in folder.iterdir() if p.name != MARKER)
    return "\n".join(entries).encode()


def _valid(folder: Path, sign: bytes) -> bool:
    marker = _marker(folder)
    if marker is None or not marker.startswith(sign + STORE_PART):
        return False
    try:
        return marker[len(sign) + len(STORE_PART):] == _fingerprint(folder)
    except OSError:
        return False


def _swap(building: Path, folder: Path, sign: bytes, *, damaged: bool) -> None:
    """Replace a damaged or unfinished store with the new one (a valid one, which another
    command may have just put there, is kept and ours dropped)."""
    if not damaged and _valid(folder, sign):
        _remove(building)
        return
    trash = folder.with_name(f".{folder.name}.{os.getpid()}.damaged")
    os.replace(folder, trash)
    os.replace(building, folder)
    _remove(trash)


def forget_stores() -> None:
    """Make every store in the cache folder untrusted (its marker removed), so that the next
    command rebuilds what it needs."""
    import contextlib

    folder = cache_dir()
    for marker in folder.glob(f"*/{MARKER}") if folder.is_dir() else ():
        with contextlib.suppress(OSError):
            marker.unlink()


def _remove_leftovers(cache: Path) -> None:
    """Builds and swaps of commands that were killed (their process is gone)."""
    for path in cache.glob(".*.*.*"):
        name, _, kind = path.name.rpartition(".")
        pid = name.rpartition(".")[2]
        if kind in ("building", "damaged") and pid.isdigit() and not _alive(int(pid)):
            _remove(path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _build(folder: Path, files: list[Path], sign: bytes,
           progress: Callable[[str], None] | None) -> None:
    import pyoxigraph as ox

    store = ox.Store(str(folder))
    try:
        _load_files(store, files, progress)
        store.flush()
    except BaseException:
        del store  # closes it, so that its folder can go
        _remove(folder)
        raise
    del store
    (folder / MARKER).write_bytes(sign + STORE_PART + _fingerprint(folder))


def _load_files(store: ox.Store, files: list[Path],
                progress: Callable[[str], None] | None) -> None:
    """Bulk-load each file, reporting progress every half second."""
    try:
        _load_each(store, files, progress)
    finally:
        if progress:
            progress("")


def _load_each(store: ox.Store, files: list[Path],
               progress: Callable[[str], None] | None) -> None:
    import threading
    import time

    total = sum(f.stat().st_size for f in files)
    for number, path in enumerate(files, start=1):
        fmt = rdf_format(path)
        failure: list[BaseException] = []

        def load(path: Path = path, fmt: ox.RdfFormat = fmt, failure: list = failure) -> None:
            try:
                # The default graph: per-file named graphs cost a third more load time,
                # and only the small in-memory path needs to tell files apart.
                store.bulk_load(path=str(path), format=fmt, base_iri=path.resolve().as_uri())
            except BaseException as err:  # re-raised in the calling thread
                failure.append(err)

        worker = threading.Thread(target=load, daemon=True)
        started = time.monotonic()
        worker.start()
        while worker.is_alive():
            worker.join(0.5)
            if progress and worker.is_alive():
                progress(f"building the store: file {number} of {len(files)}, "
                         f"{total / 1e6:.0f} MB in all, {time.monotonic() - started:.0f} s")
        if failure:
            if isinstance(failure[0], SyntaxError):
                parse_file(path)  # raises the KqError with line and column
            raise KqError(_parser_message(failure[0]), path=path)


def _remove(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


def _prune(keep: Path) -> None:
    """Keep the few most recently built stores; remove older ones. Only folders that are
    finished stores count (a `served-` copy of a running server is never touched)."""
    stores = sorted((p for p in keep.parent.iterdir()
                     if p.is_dir() and _finished(p)),
                    key=lambda p: p.stat().st_mtime, reverse=True)
    for old in stores[KEEP_STORES:]:
        if old != keep:
            _remove(old)


def _finished(folder: Path) -> bool:
    """A store whose build completed: its marker's signature checksums to its name."""
    sign = (_marker(folder) or b"").partition(STORE_PART)[0]
    return bool(sign) and _checksum(sign) == folder.name


def quads(paths: Iterable[str | os.PathLike[str]] | None = None) -> Iterator[ox.Quad]:
    """Every quad of the graph's files, file by file."""
    for path in graph_files(paths):
        yield from parse_file(path)


def load(paths: Iterable[str | os.PathLike[str]] | None = None) -> rdflib.Graph:
    """The graph as an rdflib Graph (triples of all files merged), bound to the prefixes."""
    import rdflib

    from kqgraph.vocab import PREFIXES

    graph = rdflib.Graph(bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    for quad in quads(paths):
        graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
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
