"""The local engine: the graph's files in an Oxigraph store, answering SPARQL safely.

One dataset shape whatever the size: every file's triples are in the default graph (a TriG
or N-Quads file's named graphs stay named, and queries then see the union of all graphs as
their default graph). Small graphs are parsed into memory at each command; large ones are
built once into a persistent store (`kqgraph.cache`). A blank node belongs to its file.

`LocalEngine` and `kqgraph.remote.RemoteEngine` have the same methods and signatures:
`query`, `update`, `triples`, `len`, `local` and `rebuild`. A query runs where it cannot
open a network connection unless `allow_network` (`kqgraph.sandbox`), with `timeout` in a
worker process that is killed at the deadline (native code cannot be stopped from Python).
Answers come back materialised as a `Result`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from kqgraph import cache, sandbox
from kqgraph.errors import KqError, QueryTimeout, StoreDamaged
from kqgraph.files import graph_files, load_file
from kqgraph.sparql import with_values
from kqgraph.vocab import PREFIXES

TYPE_CHECKING = False
if TYPE_CHECKING:
    import os
    from collections.abc import Callable, Iterable, Iterator

    import pyoxigraph as ox


class Result(NamedTuple):
    """A query's answer: solutions (SELECT), triples (CONSTRUCT, DESCRIBE) or a boolean."""

    form: str  # SELECT, ASK, CONSTRUCT, DESCRIBE or UPDATE
    variables: Sequence[str] = ()
    rows: Sequence[dict[str, Any]] = ()  # variable → term, for the bound ones
    triples: Sequence[Any] = ()
    boolean: bool | None = None


class LocalEngine:
    """The graph's files in an Oxigraph store (in memory, or persistent when large)."""

    remote = False

    def __init__(self, store: ox.Store, files: list[Path], *, persistent: bool = False
                 ) -> None:
        self.store = store
        self.files = files
        self.persistent = persistent
        self.union = bool(next(iter(store.named_graphs()), None))

    @classmethod
    def open(cls, paths: Iterable[str | os.PathLike[str]] | None = None, *,
             cache_mode: str | None = None, progress: Callable[[str], None] | None = None,
             ) -> LocalEngine:
        """The files (the shipped graph by default), parsed strictly and ready to query."""
        import pyoxigraph as ox

        files = graph_files(paths)
        if cache.persistent(files, cache_mode):
            return cls(cache.cached_store(files, progress=progress), files, persistent=True)
        store = ox.Store()
        for path in files:
            load_file(store, path)
        return cls(store, files)

    def query(self, text: str, *, bindings: dict[str, Any] | None = None,
              timeout: float | None = None, allow_network: bool = False,
              origin: str = "query") -> Result:
        """Run SPARQL with the project's prefixes; `bindings` fix variables to RDF terms
        (in a VALUES block at the start of the WHERE group)."""
        run = (_run_with_timeout if timeout else _run if allow_network else _run_sealed)
        try:
            return run(self, text, bindings, origin, timeout, allow_network)
        except StoreDamaged:
            self.rebuild()  # once; damage found again is reported as it is
            return run(self, text, bindings, origin, timeout, allow_network)

    def update(self, text: str, *, bindings: dict[str, Any] | None = None,
               timeout: float | None = None, origin: str = "query") -> None:
        """Refused: the local graph is files, which stay the source of truth."""
        raise KqError("the target is read-only: the graph is loaded from files (edit "
                      "graph/*.ttl instead, or give --endpoint)", path=origin)

    def triples(self, subject: Any = None, predicate: Any = None, obj: Any = None
                ) -> Iterator[ox.Triple]:
        """The statements matching a pattern (None matches anything), each once."""
        found = (q.triple for q in self.store.quads_for_pattern(subject, predicate, obj))
        return iter(dict.fromkeys(found)) if self.union else found

    def __len__(self) -> int:
        return len(self.store)

    def derived(self, name: str, depends: bytes, make: Callable[[], bytes]) -> bytes:
        """What `make` computes from a persistent store, kept beside it (kqgraph.cache)."""
        if not self.persistent:
            return make()
        return cache.derived(self.files, name, depends, make)

    def in_memory(self) -> LocalEngine:
        """The same files parsed into an in-memory store: for a stage that reads every
        triple once, as making the network projection does, parsing them again is faster
        than reading a persistent store (at 100k triples 3.5 s against 4.8–5.4 s for the
        whole projection; a full scan from RocksDB alone takes 1.5 s, from memory 0.2 s)."""
        if not self.persistent:
            return self
        return LocalEngine.open(self.files, cache_mode="never")

    def local(self) -> LocalEngine:
        """This engine (a remote one copies itself here for stages that walk everything)."""
        return self

    def rebuild(self) -> None:
        """Build the persistent store again, after the engine found it damaged."""
        if not self.persistent:
            raise KqError("the graph's in-memory store is damaged")
        self.store = cache.cached_store(self.files, rebuild=True)

    def _answer(self, text: str, bindings: dict[str, Any] | None) -> Any:
        # Bindings go into a VALUES block, as for an endpoint: pyoxigraph's substitutions
        # bind only variables the query projects at its top level, which saved queries
        # with subqueries do not.
        if bindings:
            text = with_values(text, bindings)
        return self.store.query(text, prefixes=PREFIXES, use_default_graph_as_union=self.union)


def damaged(err: BaseException) -> bool:
    """Whether an engine error says the store's files are damaged (RocksDB's words)."""
    return isinstance(err, OSError | RuntimeError) and "Corruption" in str(err)


def materialise(answer: Any) -> Result:
    """An Oxigraph answer as a Result (which reads it: errors can surface here)."""
    import pyoxigraph as ox

    if isinstance(answer, ox.QueryBoolean):
        return Result("ASK", boolean=bool(answer))
    if isinstance(answer, ox.QueryTriples | list):  # a list: from a remote endpoint
        return Result("CONSTRUCT", triples=list(answer))
    names = [v.value for v in answer.variables]
    return Result("SELECT", variables=names,
                  rows=[{n: v for n, v in zip(names, row, strict=True) if v is not None}
                        for row in answer])


def _run(engine: LocalEngine, text: str, bindings: dict[str, Any] | None, origin: str,
         *_: Any) -> Result:
    try:
        return materialise(engine._answer(text, bindings))
    except SyntaxError as err:
        line, column, message = syntax_position(str(err))
        raise KqError(message, path=origin, line=line, column=column) from None
    except (OSError, RuntimeError, ValueError) as err:  # SERVICE failures and the like
        if damaged(err):
            raise StoreDamaged(str(err), path=origin) from None
        raise KqError(f"the query failed: {err}", path=origin) from None


def _run_sealed(*args: Any) -> Result:
    return sandbox.run_sealed(_run, *args)


def _run_with_timeout(engine: LocalEngine, text: str, bindings: dict[str, Any] | None,
                      origin: str, timeout: float, allow_network: bool) -> Result:
    """Run in a forked worker, sealed from the network unless allowed, killed at the
    deadline; the answer comes back as SPARQL JSON results or N-Triples."""
    import multiprocessing

    import pyoxigraph as ox

    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    worker = context.Process(target=_worker, daemon=True,
                             args=(sender, engine, text, bindings, origin, allow_network))
    worker.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise QueryTimeout(f"the query ran longer than {timeout:g} s and was stopped",
                               path=origin)
        try:
            kind, payload = receiver.recv()
        except EOFError:  # the worker died without a word: the engine crashed
            worker.join()
            raise KqError(f"the SPARQL engine stopped unexpectedly (exit {worker.exitcode}) "
                          "while running this query", path=origin) from None
    finally:
        # Also on Ctrl-C: a worker left running would hold the caller's pipes open.
        if worker.is_alive():
            worker.kill()
        worker.join()
    if kind == "error":
        error = StoreDamaged if payload.pop("damaged") else KqError
        raise error(payload.pop("message"), **payload)
    if kind == "triples":
        return Result("CONSTRUCT", triples=[q.triple for q in ox.parse(
            payload, format=ox.RdfFormat.N_TRIPLES)])
    return materialise(ox.parse_query_results(payload, format=ox.QueryResultsFormat.JSON))


def _worker(sender: Any, engine: LocalEngine, text: str, bindings: dict[str, Any] | None,
            origin: str, allow_network: bool) -> None:
    import pyoxigraph as ox

    if not allow_network:
        sandbox.seal_process()  # this process exists for this one query
    try:
        answer = engine._answer(text, bindings)
        if isinstance(answer, ox.QueryTriples):
            sender.send(("triples", ox.serialize(answer, format=ox.RdfFormat.N_TRIPLES)))
        else:
            sender.send(("results", answer.serialize(format=ox.QueryResultsFormat.JSON)))
    except SyntaxError as err:
        line, column, message = syntax_position(str(err))
        sender.send(("error", {"message": message, "path": origin, "line": line,
                               "column": column, "damaged": False}))
    except Exception as err:  # never a traceback from the worker: the parent reports it
        sender.send(("error", {"message": f"the query failed: {err}", "path": origin,
                               "line": None, "column": None, "damaged": damaged(err)}))


def parse_update(text: str, origin: str = "query") -> None:
    """Check an update's syntax without running any of it: an empty read-only store parses
    it, then refuses to start it. Raises KqError with the parser's position."""
    sandbox.run_sealed(_parse_update, text, origin)


def _parse_update(text: str, origin: str) -> None:
    import shutil
    import tempfile

    import pyoxigraph as ox

    folder = tempfile.mkdtemp(prefix="kqgraph-parse-")
    try:
        ox.Store(folder).flush()
        empty = ox.Store.read_only(folder)
        try:
            empty.update(text, prefixes=PREFIXES)
        except SyntaxError as err:
            line, column, message = syntax_position(str(err))
            raise KqError(message, path=origin, line=line, column=column) from None
        except (OSError, RuntimeError):
            pass  # "read-only": the update parsed, and nothing of it ran
        del empty
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def syntax_position(message: str) -> tuple[int | None, int | None, str]:
    """Oxigraph says 'error at LINE:COLUMN: message'."""
    match = re.match(r"error at (\d+):(\d+): (.*)", message, flags=re.DOTALL)
    if match:
        return int(match[1]), int(match[2]), one_line(match[3])
    return None, None, one_line(message)


def one_line(message: str) -> str:
    """The parser's message as one readable line.

    Oxigraph lists every token it expected, with character classes spelt out over several
    lines, and puts its semantic checks ("SELECT * is not authorized with GROUP BY") in the
    same list. Say the semantic check when there is one; else the tokens, classes named.
    """
    text = " ".join(message.split())
    if text == "expected <unreported>":
        return "syntax error"
    if not text.startswith("expected one of "):
        return text
    items = re.split(r", (?![^\[]*\])", text.removeprefix("expected one of "))
    sentences = [i for i in items if re.match(r"[A-Z][a-z]+ \S", i)]
    if sentences:
        return "; ".join(sentences)
    shown = list(dict.fromkeys("a name" if i.startswith("[") else i for i in items))
    more = f", … ({len(shown) - 12} more)" if len(shown) > 12 else ""
    return f"expected one of {', '.join(shown[:12])}{more}"
